"""Lists take a fixed number of queries, whether they show 3 rows or 30."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.stranger_setup import scope_of
from tests.visits.conftest import record
from tongxin.orgs.models import Unit
from tongxin.visits import services

pytestmark = pytest.mark.django_db


def _fill(world, n: int) -> None:
    from tests import factories

    today = timezone.localdate()
    for i in range(n):
        v = record(world, visited_on=today, problems=(f"问题{i}", f"另一个问题{i}"))
        if i % 3 == 0:
            from tongxin.cases.selectors import case_categories

            services.problem_to_case(
                scope=scope_of(world["bob"]),
                actor=world["bob"],
                problem=v.problems.first(),
                category=case_categories().first(),
            )
        if i % 3 == 1:
            services.problem_resolve(
                scope=scope_of(world["bob"]),
                actor=world["bob"],
                problem=v.problems.first(),
                resolution="已解决",
            )
        m = factories.member(world["branch_a1"], residence=world["compound_a"])
        units = [
            Unit.objects.create(name=f"单位{i}-{k}", sector="enterprise", area=world["compound_a"])
            for k in range(4)
        ]
        hh = [services.HouseholdInput(area=world["compound_a"], label=f"{k}号") for k in range(10)]
        services.assignment_create(
            scope=scope_of(world["alice"]),
            actor=world["alice"],
            leader=m,
            org=world["branch_a1"],
            units=units,
            households=hh,
        )
        services.patrol_post_create(
            scope=scope_of(world["alice"]),
            actor=world["alice"],
            name=f"巡访岗{i}",
            org=world["branch_a1"],
            area=world["compound_a"],
            members=[m],
        )


@pytest.mark.parametrize("n", [3, 30])
def test_list_pages_take_a_fixed_number_of_queries(world, client_for, django_assert_num_queries, n):
    _fill(world, n)
    c = client_for(world["alice"])
    c.get(reverse("visits:index"))  # warm the session
    # Every page: session, user, role assignments (the Scope), and the session's idle
    # timestamp is not written back within the minute = 3.
    # 民情日记: + the org filter's choices (2: roots, children) + the count and the page's rows
    # (visits with org and area joined, problems counted); alice is no member, so there is
    # no progress of her own to read = 7.
    with django_assert_num_queries(7):
        c.get(reverse("visits:index"))
    # 配额进度: + quota rules + org choices (2) + count + rows with their progress
    # (correlated subqueries) = 8.
    with django_assert_num_queries(8):
        c.get(reverse("visits:quotas"))
    # 巡访服务岗: + count + rows (members and this month's visits counted) = 5.
    with django_assert_num_queries(5):
        c.get(reverse("visits:posts"))
    # 双周通报会: + org choices (2) + the problems with their visit + the cases they became
    # + the number of visits = 8.
    with django_assert_num_queries(8):
        c.get(reverse("visits:briefing"))


@pytest.mark.parametrize("n", [3, 30])
def test_the_dashboard_panel_takes_four_queries(world, django_assert_num_queries, n):
    from tongxin.core.scope import scope_for_user
    from tongxin.visits.selectors import panel_stats

    _fill(world, n)
    scope = scope_for_user(world["alice"])
    # visits this month by kind, problems by status, the quota rules, the cadres meeting
    # the home-visit quota (one aggregate over correlated counts)
    with django_assert_num_queries(4):
        stats = panel_stats(scope)
    assert stats["visits_total"] == n
    assert stats["cadres_total"] == n
    assert stats["problems"]["case"] == len(range(0, n, 3))
