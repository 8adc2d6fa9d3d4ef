"""Compliance per branch: met / behind / overdue for the current period, set-based."""

from __future__ import annotations

import datetime as dt

from tests.meetings.conftest import all_present, plan
from tests.stranger_setup import scope_of
from tongxin.core.scope import scope_for_user
from tongxin.meetings import selectors, services
from tongxin.meetings.models import ComplianceRule, Meeting, MeetingStatus

TODAY = dt.date(2026, 11, 21)


def held(org, kind, day):
    m = plan(org, kind=kind, day=day)
    Meeting.objects.filter(pk=m.pk).update(status=MeetingStatus.HELD)
    return m


def by_id(rows):
    return {r.id: r for r in rows}


def test_the_rules_are_seeded_from_the_branch_work_regulations(db):
    rules = {r.kind: r.period for r in ComplianceRule.objects.all()}
    assert rules == {
        "committee": "month",
        "group": "month",
        "general": "quarter",
        "lecture": "quarter",
        "theme_day": "month",
        "life": "year",
    }


def test_period_bounds():
    assert selectors.period_bounds("month", TODAY) == (dt.date(2026, 11, 1), dt.date(2026, 10, 1))
    assert selectors.period_bounds("quarter", TODAY) == (dt.date(2026, 10, 1), dt.date(2026, 7, 1))
    assert selectors.period_bounds("year", TODAY) == (dt.date(2026, 1, 1), dt.date(2025, 1, 1))
    assert selectors.period_bounds("month", dt.date(2026, 1, 5))[1] == dt.date(2025, 12, 1)


def test_met_behind_and_overdue(world):
    a1, a2 = world["branch_a1"], world["branch_a2"]
    for kind, day in (
        ("committee", "2026-11-03"),
        ("theme_day", "2026-11-05"),
        ("general", "2026-10-10"),
        ("lecture", "2026-11-10"),
        ("life", "2026-02-01"),
    ):
        held(a1, kind, dt.date.fromisoformat(day))
    held(world["group_a1"], "group", dt.date(2026, 11, 6))
    # a2 met everything last month but nothing yet this month: behind, not overdue
    for kind in ("committee", "theme_day"):
        held(a2, kind, dt.date(2026, 10, 20))
    plan(a2, kind="committee", day=dt.date(2026, 11, 2))  # planned only: does not count
    rows = by_id(selectors.compliance(scope_for_user(world["alice"]), today=TODAY))
    assert set(rows) == {a1.pk, a2.pk}
    assert rows[a1.pk].state == "met", [(k.kind, k.state) for k in rows[a1.pk].kinds]
    kinds = {k.kind: k.state for k in rows[a2.pk].kinds}
    assert kinds["committee"] == kinds["theme_day"] == "behind"
    assert kinds["life"] == "overdue"  # nothing in 2025 either
    assert "group" not in kinds  # a2 has no 党小组
    assert rows[a2.pk].state == "overdue"


def test_compliance_changes_when_a_meeting_is_recorded(world):
    a2 = world["branch_a2"]
    scope = scope_for_user(world["alice"])
    before = {k.kind: k.state for k in by_id(selectors.compliance(scope))[a2.pk].kinds}
    assert before["theme_day"] != "met"
    m = plan(a2, kind="theme_day")
    services.meeting_record(
        scope=scope_of(None),
        actor=None,
        meeting=m,
        data=services.RecordInput(
            title="主题党日",
            presenter="王芳",
            recorder="王芳",
            content="志愿服务。",
            attendance=all_present(m),
        ),
    )
    after = {k.kind: k.state for k in by_id(selectors.compliance(scope))[a2.pk].kinds}
    assert after["theme_day"] == "met"


def test_compliance_only_covers_the_scope(world):
    rows = selectors.compliance(scope_for_user(world["charlie"]))
    assert [r.id for r in rows] == [world["branch_b1"].pk]
    assert (
        selectors.compliance(scope_for_user(world["bob"]), org=None)[0].id == world["branch_a1"].pk
    )


def test_compliance_takes_three_queries_whatever_the_number_of_branches(
    world, django_assert_num_queries
):
    scope = scope_for_user(world["alice"])
    # rules; branches in reach; one GROUP BY over the held meetings
    with django_assert_num_queries(3):
        selectors.compliance(scope, today=TODAY)
    for i in range(10):
        held(world["branch_a2"], "committee", dt.date(2026, 11, 1) + dt.timedelta(days=i))
    with django_assert_num_queries(3):
        selectors.compliance(scope, today=TODAY)


def test_the_dashboard_summary_groups_by_subtree(world):
    m = held(world["branch_a1"], "committee", TODAY)
    Meeting.objects.filter(pk=m.pk).update(expected_count=2, present_count=1)
    summary = selectors.compliance_summary(scope_for_user(world["auditor"]), today=TODAY)
    assert summary is not None
    total = summary["total"]
    assert total.branches == 3 and total.expected == 2 and total.attendance_pct == 50.0
    names = sorted(s.name for s in summary["subtrees"])
    assert names == ["南门街道党工委", "鼓楼街道党工委"]
