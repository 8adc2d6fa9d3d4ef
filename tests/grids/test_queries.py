"""Fixed query counts on the grid pages, whatever the number of rows."""

from __future__ import annotations

import pytest

from tests import factories
from tongxin.geo.models import AreaLevel
from tongxin.grids import services


@pytest.fixture(params=[3, 30], ids=["3 rows", "30 rows"])
def rows(request, gw):
    """`n` grids in 紫金社区 and `n` members in grid_a."""
    n = request.param
    for i in range(n - 1):
        c = factories.area(f"小区{i}", AreaLevel.COMPOUND, gw["comm_a"])
        g = services.grid_create(
            actor=None,
            community=gw["comm_a"],
            name=f"网格{i}",
            serving_branch=gw["branch_a2"],
            compounds=[c],
        )
        if i % 2:
            services.grid_set_instructor(actor=None, grid=g, member=gw["m_a2"])
    for _ in range(n):
        m = factories.member(gw["branch_a1"], residence=gw["compound_a"])
        services.grid_assign_member(actor=None, grid=gw["grid_a"], member=m)
    return n


def test_grid_list(gw, rows, client_for, django_assert_num_queries):
    c = client_for(gw["alice"])
    # 1 session, 2 user, 3 role assignments (the Scope), 4 territorial committees (memo),
    # 5 count, 6 the page's grids (community, branch, instructor joined, member count
    # subquery), 7 community choices, 8-10 session save
    with django_assert_num_queries(10):
        r = c.get("/grids/")
    assert r.status_code == 200


def test_grid_detail(gw, rows, client_for, django_assert_num_queries):
    c = client_for(gw["alice"])
    # 1 session, 2 user, 3 role assignments, 4 territorial committees, 5 the grid,
    # 6 members count, 7 may manage, 8 the page's members (org, residence joined),
    # 9 compounds, 10 units, 11 workers (account and member joined), 12-14 session save
    with django_assert_num_queries(14):
        r = c.get(f"/grids/{gw['grid_a'].pk}/")
    assert r.status_code == 200


def test_coverage_page(gw, rows, client_for, django_assert_num_queries):
    c = client_for(gw["alice"])
    # 1 session, 2 user, 3 role assignments, 4 the audit root, 5 compounds, 6 their member
    # counts, 7 formal branches in compounds, 8 compounds of grids with a formal branch
    # (7-8 only when some compound has 3 members), 9 unit counts, 10 functional branches,
    # 11 ungridded members, 12 multigrid, 13 grids without instructor, 14 orgs without
    # secretary, 15 terms, 16 预备期满未转正, 17 the category's count, 18 its page, 19 the
    # roots selector, 20-22 session save
    with django_assert_num_queries(22):
        r = c.get("/grids/coverage/?cat=no_secretary")
    assert r.status_code == 200


def test_api_grid_list(gw, rows, client, django_assert_num_queries):
    from tongxin.accounts.services import api_token_create

    _, key = api_token_create(actor=None, user=gw["alice"], name="t")
    # 1 token + user, 2 last_used_at, 3 role assignments, 4 territorial, 5 count, 6 page
    with django_assert_num_queries(6):
        r = client.get("/api/v1/grids/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.json()["count"] == rows
