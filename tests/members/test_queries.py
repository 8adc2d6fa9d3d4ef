"""A fixed number of queries per page, however many members there are (DESIGN §5)."""

from __future__ import annotations

import pytest

from tests import factories
from tongxin.accounts.services import api_token_create


@pytest.fixture(params=[3, 30], ids=["3 members", "30 members"])
def street_a_members(request, world):
    """Street A with 3 members (the world's) or 30, spread over both branches."""
    for i in range(request.param - 3):
        factories.member(
            world["branch_a1"] if i % 2 else world["branch_a2"],
            is_floating=True,
            floating_to="上海",
        )
    return request.param


def test_roster_page_query_count_is_constant(
    world, street_a_members, client_for, django_assert_num_queries
):
    c = client_for(world["alice"])
    # 1 session, 2 user, 3 role assignments (the Scope), 4 COUNT for the paginator,
    # 5 the page's rows with their organization joined, 6 the top organizations and
    # 7 the level below them (the 范围 choices),
    # 8-10 SAVEPOINT / UPDATE django_session / RELEASE (the session is saved on every request)
    with django_assert_num_queries(10):
        r = c.get("/members/")
    assert r.status_code == 200
    assert f"共 {street_a_members} 条" in r.content.decode()


def test_filtered_roster_second_page_query_count_is_constant(
    world, street_a_members, client_for, django_assert_num_queries
):
    c = client_for(world["alice"])
    # 1 session, 2 user, 3 role assignments, 4 the org filter's organization (in scope),
    # 5 COUNT, 6 rows, 7-8 the 范围 choices (top organizations, the level below),
    # 9-11 session save
    with django_assert_num_queries(11):
        r = c.get(f"/members/?org={world['comm_a_org'].pk}&status=full&page=2")
    assert r.status_code == 200


def test_api_member_list_query_count_is_constant(
    world, street_a_members, client, django_assert_num_queries
):
    _, key = api_token_create(actor=None, user=world["alice"], name="统计报表")
    # 1 the token with its user, 2 UPDATE the token's last_used_at,
    # 3 role assignments (the Scope), 4 COUNT, 5 the page's rows with their organization joined
    with django_assert_num_queries(5):
        r = client.get("/api/v1/members/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 200
    body = r.json()
    assert body["count"] == street_a_members
    assert len(body["results"]) == min(street_a_members, 20)
    assert all("ethnicity" in row and "confirmed_on" in row for row in body["results"])
