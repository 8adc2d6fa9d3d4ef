"""Rollups equal the live figures on the demo town: for every registered metric, at every
organization down to the streets' children, the stored value is what a query restricted to
that subtree gives now; and the 工作台's figures read from the rollups equal the live
selectors they replace."""

from __future__ import annotations

import dataclasses
import datetime as dt
from unittest import mock

import pytest
from django.test import RequestFactory
from django.utils import timezone

from tongxin.core.metrics import MIN_PEOPLE, all_metrics, get_metric
from tongxin.core.scope import Scope, scope_for_user
from tongxin.grids.coverage import CoverageAudit
from tongxin.grids.panel import METRIC_OF
from tongxin.insights import rollups, selectors
from tongxin.insights.dashboard import stored_figures
from tongxin.insights.models import PeriodKind, Rollup, RollupRun, Tree
from tongxin.meetings import panel as meetings_panel
from tongxin.meetings.selectors import compliance_summary
from tongxin.members.models import OrgRelationChange
from tongxin.members.selectors import member_stats
from tongxin.orgs.models import Organization
from tongxin.orgs.selectors import org_counts, secretary_stats

KEYS = [m.key for m in all_metrics()]


def _demo_day() -> dt.date:
    """The day the demo town was generated for: its members' first history rows bear it. The
    town is loaded once per process, and a long run may cross midnight before a test reads it."""
    days = OrgRelationChange.objects.filter(note="演示数据初始登记").order_by().values("on")
    return days.distinct().get()["on"]


def _todays_run() -> RollupRun:
    """The latest refresh, made for today. Figures a live selector gives now are today's: if
    the town was loaded before midnight, its figures are refreshed for today first (in the
    test's savepoint), as the quarter-hourly refresh does."""
    run = selectors.latest_run()
    assert run is not None
    if run.day != timezone.localdate():
        run = rollups.rollup_refresh()
    return run


def _own(key: str, day: dt.date, computed: dict[str, dict[str, float]]) -> dict[str, float]:
    """The metric's figures per own path on ``day``, computed once a test (not once a node)."""
    if key not in computed:
        m = get_metric(key)
        assert m is not None and m.compute is not None
        period = rollups.periods_for(day, 1)[0]
        computed[key] = m.compute(*period.window)
    return computed[key]


def _live(
    key: str,
    path: str,
    day: dt.date,
    anchors_by_org: dict[str, str],
    computed: dict[str, dict[str, float]] | None = None,
) -> float | None:
    """The metric at the subtree of ``path`` on ``day``, computed now and restricted to that
    subtree."""
    computed = {} if computed is None else computed
    m = get_metric(key)
    assert m is not None
    if m.ratio is not None:
        num = _live(m.ratio[0], path, day, anchors_by_org, computed) or 0.0
        den = _live(m.ratio[1], path, day, anchors_by_org, computed) or 0.0
        return round(m.scale * num / den, 1) if den else None
    own = _own(key, day, computed)
    if m.tree == Tree.AREA:
        area = anchors_by_org.get(path)
        if area is None:
            return 0.0  # not a territorial organization: no area figure here
        path = area
    return sum(v for p, v in own.items() if p.startswith(path))


@pytest.fixture(scope="module")
def nodes(town):
    return list(Organization.objects.filter(depth__lte=4).order_by("path"))


@pytest.mark.parametrize("key", KEYS)
def test_the_rollup_of_every_node_equals_the_live_figure(town_db, nodes, key):
    run = selectors.latest_run()
    # the demo's own refresh, for the day it was loaded (not necessarily today's date)
    assert run is not None and run.day == _demo_day()
    anchors_by_org = {org: area for area, org in rollups.territorial_orgs().items()}
    stored = dict(
        Rollup.objects.filter(
            tree=Tree.ORG, period=PeriodKind.DAY, start=run.day, metric=key
        ).values_list("path", "value")
    )
    checked = 0
    computed: dict[str, dict[str, float]] = {}
    # The live figures as of the refresh's start: a figure counting what is past its deadline
    # "now" (超期未办结) would otherwise move when a demo case's deadline falls between the
    # town's load and this test.
    with mock.patch.object(timezone, "now", return_value=run.started_at):
        for node in nodes:
            _live(key, node.path, run.day, anchors_by_org, computed)
    for node in nodes:
        live = _live(key, node.path, run.day, anchors_by_org, computed)
        got = stored.get(node.path)
        if live is None or live == 0:
            assert got is None, (node.name, key, got)
        else:
            assert got == pytest.approx(live, abs=0.051), (node.name, key, got, live)
            checked += 1
    # every figure is there somewhere in the town, except states and flags the demo never uses
    if key not in {"members.flag.none"}:
        assert checked or not any(stored.values()), key


def test_the_workbench_figures_from_rollups_equal_the_live_selectors(town_db):
    run = _todays_run()
    for username in ("zuzhibu", "jiedao", "zhibu"):
        scope = scope_for_user(town_db[username])
        roots = selectors.cockpit_roots(scope)
        assert len(roots) == 1
        row = selectors.figures(scope, roots, run, {roots[0].path})[0]
        live_orgs = org_counts(scope)
        live_members = member_stats(scope)
        assert row.cells["orgs.total"].value == sum(live_orgs["by_kind"].values())
        for k in ("committee", "branch", "group"):
            label = str(get_metric(f"orgs.kind.{k}").label)
            assert row.cells[f"orgs.kind.{k}"].value == live_orgs["by_kind"][label]
        assert row.cells["members.total"].value == sum(live_members["by_status"].values())
        for i, n in enumerate(live_members["by_age"].values()):
            assert row.cells[f"members.age.{i}"].value == n
        live_sec = secretary_stats(scope)
        assert row.cells["orgs.secretaries"].value == live_sec.secretaries
        assert row.cells["orgs.secretaries_dual"].value == live_sec.dual_role


def test_the_compliance_figures_equal_the_workbench_panel(town_db):
    scope = scope_for_user(town_db["zuzhibu"])
    live = compliance_summary(scope)
    assert live is not None
    root = selectors.cockpit_roots(scope)
    row = selectors.figures(scope, root, _todays_run(), {root[0].path})[0]
    assert row.cells["meetings.branches"].value == live["total"].branches
    assert row.cells["meetings.met_closed"].value == live["total"].previous_met
    assert row.cells["meetings.met_open"].value == live["total"].met
    assert row.cells["meetings.closed_pct"].value == live["total"].previous_pct
    assert row.cells["meetings.expected"].value == live["total"].expected
    assert row.cells["meetings.attendance_pct"].value == live["total"].attendance_pct


def test_the_stored_compliance_card_equals_the_live_one(town_db):
    """The 组织生活达标 card from the rollups: the same totals, the same subtrees (one level
    below the user's top, or the branch itself), the same periods."""
    _todays_run()
    request = RequestFactory().get("/")
    listed = 0
    for username in ("zuzhibu", "jiedao", "zhibu"):
        scope = scope_for_user(town_db[username])
        figures = stored_figures(request, scope, frozenset())
        assert figures is not None
        got = meetings_panel.stored(request, scope, figures)
        live = compliance_summary(scope)
        assert got is not None and live is not None
        assert dataclasses.asdict(got["total"]) == dataclasses.asdict(live["total"]), username
        assert [dataclasses.asdict(s) for s in got["subtrees"]] == [
            dataclasses.asdict(s) for s in live["subtrees"]
        ], username
        for key in ("more", "periods", "since", "today"):
            assert got[key] == live[key], (username, key)
        listed += len(got["subtrees"])
        if username == "zuzhibu":  # the demo has branches in every state
            assert live["total"].met and live["total"].behind and live["total"].overdue
    assert listed > 3


def test_the_coverage_gaps_from_rollups_equal_the_audit_at_every_node(town_db, nodes):
    """应建尽建: each category's rollup at an organization is the audit of that subtree,
    counted now."""
    run = selectors.latest_run()
    assert run is not None
    stored = {
        (path, metric): value
        for path, metric, value in Rollup.objects.filter(
            tree=Tree.ORG, period=PeriodKind.DAY, start=run.day, metric__in=METRIC_OF.values()
        ).values_list("path", "metric", "value")
    }
    seen: set[str] = set()
    # the city, the districts and the streets, and a few of the streets' children (each
    # audit is a dozen queries)
    for node in [n for n in nodes if n.depth <= 3] + [n for n in nodes if n.depth == 4][:6]:
        live = CoverageAudit(Scope.everything(), node, run.day).counts()
        for category, key in METRIC_OF.items():
            assert stored.get((node.path, key), 0) == live[category], (node.name, category)
            if live[category]:
                seen.add(category)
    # the demo town leaves gaps of most kinds somewhere (every organization has a secretary;
    # nobody is in several grids: impossible)
    assert {"compound", "unit", "functional", "ungridded", "no_instructor", "term"} <= seen, seen


def test_small_counts_of_people_are_hidden_below_the_top_only(town_db):
    scope = scope_for_user(town_db["zuzhibu"])
    run = selectors.latest_run()
    branches = list(Organization.objects.filter(kind="branch").order_by("path")[:200])
    rows = selectors.figures(scope, branches, run, set())
    small = [r for r in rows if (r.cells["orgs.secretaries"].value or 0) > 0]
    assert not small, "one secretary per branch is under five: never shown below the top"
    hidden = [r for r in rows if r.cells["orgs.secretaries"].hidden]
    assert hidden and all(r.cells["orgs.secretaries"].text == f"<{MIN_PEOPLE}" for r in hidden)
    # at the user's own top the same figure shows
    top = selectors.figures(scope, branches[:1], run, {branches[0].path})[0]
    assert not top.cells["orgs.secretaries"].hidden


def test_a_refresh_replaces_the_periods_it_recomputes(town_db):
    _todays_run()  # today's periods stored already
    before = Rollup.objects.filter(period=PeriodKind.DAY).count()
    months_before = Rollup.objects.filter(period=PeriodKind.MONTH).count()
    rollups.rollup_refresh()
    assert Rollup.objects.filter(period=PeriodKind.DAY).count() == before
    # the past months' stocks stored by the demo load are kept; the current month recomputed
    assert Rollup.objects.filter(period=PeriodKind.MONTH).count() == months_before
    assert Scope.everything().has("orgs.view")


def test_a_refresh_writes_only_the_figures_that_changed(town_db):
    rollups.rollup_refresh()
    day = Rollup.objects.filter(period=PeriodKind.DAY, start=timezone.localdate())
    before = dict(day.values_list("pk", "as_of"))
    # three stored figures gone wrong: a value changed, a row lost, a row for a figure zero
    changed = day.filter(metric="members.total").order_by("path").first()
    lost = day.filter(metric="orgs.total").order_by("path").last()
    held = set(day.filter(path=changed.path).values_list("metric", flat=True))
    zero = next(m.key for m in all_metrics() if m.compute is not None and m.key not in held)
    Rollup.objects.filter(pk=changed.pk).update(value=changed.value + 1)
    Rollup.objects.filter(pk=lost.pk).delete()
    stray = Rollup.objects.create(
        tree=Tree.ORG,
        path=changed.path,
        metric=zero,
        period=PeriodKind.DAY,
        start=changed.start,
        value=7,
        as_of=changed.as_of,
    )

    run = rollups.rollup_refresh()

    assert run.changed == 3
    assert day.get(pk=changed.pk).value == changed.value
    assert day.get(path=lost.path, metric=lost.metric).value == lost.value
    assert not Rollup.objects.filter(pk=stray.pk).exists()
    # every other row is the one stored before, untouched
    after = dict(day.values_list("pk", "as_of"))
    assert after.pop(changed.pk) > before.pop(changed.pk)
    del before[lost.pk]
    assert {pk: at for pk, at in after.items() if pk in before} == before
    assert len(after) == len(before) + 1
    # nothing changed since: nothing written
    assert rollups.rollup_refresh().changed == 0


def test_the_workbench_figures_are_as_of_the_latest_refresh(town_db):
    rollups.rollup_refresh()  # writes nothing new: the rows keep their own as_of
    run = rollups.rollup_refresh()
    stored = stored_figures(RequestFactory().get("/"), Scope.everything(), frozenset())
    assert stored is not None and stored.as_of == run.finished_at


def test_prefix_totals_add_every_row_to_each_subtree_above_it():
    own = {"0001": 1.0, "00010001": 2.0, "000100010003": 4.0, "00010002": 8.0, "0002": 16.0}
    assert rollups.prefix_totals(own) == {
        "0001": 15.0,
        "00010001": 6.0,
        "000100010003": 4.0,
        "00010002": 8.0,
        "0002": 16.0,
    }
    # a row deep under nodes with no row of their own still reaches every one of them
    assert rollups.prefix_totals({"000100010003": 1.0, "000100020001": 2.0}) == {
        "0001": 3.0,
        "00010001": 1.0,
        "000100010003": 1.0,
        "00010002": 2.0,
        "000100020001": 2.0,
    }
    assert rollups.prefix_totals({}) == {}
