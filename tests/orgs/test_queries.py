"""A fixed number of queries on the organization page, however many members it lists."""

from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture(params=[3, 30], ids=["3 members", "30 members"])
def street_a_members(request, world):
    for i in range(request.param - 3):
        factories.member(world["branch_a1"] if i % 2 else world["branch_a2"])
    return request.param


def test_org_detail_query_count_is_constant(
    world, street_a_members, client_for, django_assert_num_queries
):
    c = client_for(world["alice"])
    org = world["comm_a_org"]
    # 1 session, 2 user, 3 role assignments (the Scope),
    # 4 the organization with its area and unit, 5 COUNT of members for the paginator,
    # 6 the ancestors for the breadcrumb, 7 subtree orgs by kind, 8 subtree orgs by sector,
    # 9 the leadership with members (the statistic reuses the paginator's count),
    # 10 the children, 11 the page of members with their organization,
    # 12-14 SAVEPOINT / UPDATE django_session / RELEASE (saved on every request)
    with django_assert_num_queries(14):
        r = c.get(f"/orgs/{org.pk}/")
    assert r.status_code == 200
    assert f'data-testid="subtree-members">{street_a_members}<' in r.content.decode()
