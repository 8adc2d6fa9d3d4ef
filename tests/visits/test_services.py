"""三访 writes: a visit with its problems, refusals that change nothing, quotas."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.utils import timezone

from tests.helpers import is_chinese
from tests.stranger_setup import scope_of
from tests.visits.conftest import record
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.models import AuditLog
from tongxin.visits import selectors, services
from tongxin.visits.models import (
    ContactAssignment,
    ContactTarget,
    PatrolPost,
    ProblemStatus,
    Visit,
    VisitKind,
    VisitProblem,
)

pytestmark = pytest.mark.django_db


@contextmanager
def unchanged(field: str | None = None, contains: str = "", exc=ServiceError):
    """A refusal with a Chinese message that writes nothing."""
    models = (Visit, VisitProblem, ContactAssignment, ContactTarget, PatrolPost, AuditLog)
    before = [m.objects.count() for m in models]
    with pytest.raises(exc) as info:
        yield info
    err = info.value
    assert is_chinese(err.message), err.message
    if field:
        assert field in err.fields, err.fields
        assert contains in err.fields[field], err.fields[field]
    else:
        assert contains in err.message, err.message
    assert before == [m.objects.count() for m in models], "a refusal must write nothing"


def test_a_visit_is_recorded_with_its_problems_and_audited(world):
    v = record(world, problems=("楼道灯不亮", "垃圾清运不及时"))
    assert v.org_path == world["branch_a1"].path
    assert v.area_path == world["compound_a"].path
    assert [p.text for p in v.problems.all()] == ["楼道灯不亮", "垃圾清运不及时"]
    assert all(p.status == ProblemStatus.OPEN for p in v.problems.all())
    assert AuditLog.objects.filter(action="visits.record", object_id=str(v.pk)).exists()


def test_a_visit_dated_in_the_future_is_refused(world):
    with unchanged("visited_on", "不能晚于今天"):
        record(world, visited_on=timezone.localdate() + dt.timedelta(days=2))


def test_a_problem_with_empty_text_is_refused(world, visit):
    with unchanged("text", "不能为空"):
        services.problem_raise(
            scope=scope_of(world["bob"]), actor=world["bob"], visit=visit, text="   "
        )
    with unchanged("problems", "不能为空"):
        record(world, problems=("楼道灯", "  "))


def test_a_place_outside_the_organizations_area_is_refused(world):
    with unchanged("area", "所在区域内"):
        record(world, area=world["comm_b"])


def test_missing_people_and_notes_are_refused(world):
    with unchanged("heard", "所见所闻"):
        record(world, heard=" ", people_met="张家")


def test_a_patrol_visit_needs_a_post(world):
    with unchanged("post", "巡访服务岗"):
        record(world, kind=VisitKind.PATROL)


def test_raise_and_resolve_a_problem(world, visit):
    p = services.problem_raise(
        scope=scope_of(world["bob"]), actor=world["bob"], visit=visit, text="  健身器材损坏 "
    )
    assert p.text == "健身器材损坏" and p.visited_on == visit.visited_on
    services.problem_resolve(
        scope=scope_of(world["bob"]), actor=world["bob"], problem=p, resolution="当场联系物业修好"
    )
    p.refresh_from_db()
    assert p.status == ProblemStatus.RESOLVED
    with unchanged(exc=ConflictError, contains="已解决"):
        services.problem_resolve(
            scope=scope_of(world["bob"]), actor=world["bob"], problem=p, resolution="再来一次"
        )


def test_resolving_without_saying_how_is_refused(world, visit):
    p = visit.problems.get()
    with unchanged("resolution", "解决情况"):
        services.problem_resolve(
            scope=scope_of(world["bob"]), actor=world["bob"], problem=p, resolution=""
        )


def test_assignment_needs_four_to_five_units_and_ten_households(world):
    from tongxin.orgs.models import Unit

    units = [
        Unit.objects.create(name=f"单位{i}", sector="enterprise", area=world["compound_a"])
        for i in range(6)
    ]
    hh = [services.HouseholdInput(area=world["compound_a"], label=f"{i}幢101") for i in range(10)]
    with unchanged("units", "4—5个"):
        services.assignment_create(
            scope=scope_of(world["alice"]),
            actor=world["alice"],
            leader=world["m_a1"],
            org=world["branch_a1"],
            units=units[:3],
            households=hh,
        )
    with unchanged("units", "4—5个"):
        services.assignment_create(
            scope=scope_of(world["alice"]),
            actor=world["alice"],
            leader=world["m_a1"],
            org=world["branch_a1"],
            units=units,
            households=hh,
        )
    with unchanged("households", "不少于10户"):
        services.assignment_create(
            scope=scope_of(world["alice"]),
            actor=world["alice"],
            leader=world["m_a1"],
            org=world["branch_a1"],
            units=units[:4],
            households=hh[:9],
        )
    a = services.assignment_create(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        leader=world["m_a1"],
        org=world["branch_a1"],
        units=units[:5],
        households=hh,
    )
    assert a.targets.count() == 15
    with unchanged("leader", "已有三访责任"):
        services.assignment_create(
            scope=scope_of(world["alice"]),
            actor=world["alice"],
            leader=world["m_a1"],
            org=world["branch_a1"],
            units=units[:5],
            households=hh,
        )


def test_quotas_are_data(world):
    from tongxin.visits.models import QuotaRule

    assert selectors.quota_rules()["home_visits"].minimum == 10
    QuotaRule.objects.filter(code="home_visits").update(minimum=8)
    assert selectors.quota_rules()["home_visits"].minimum == 8


def test_progress_counts_home_visits_this_month_and_linked_targets(world):
    from tongxin.orgs.models import Unit

    bob = world["bob"]
    bob.member = world["m_a1"]
    bob.save()
    units = [
        Unit.objects.create(name=f"单位{i}", sector="enterprise", area=world["compound_a"])
        for i in range(4)
    ]
    hh = [services.HouseholdInput(area=world["compound_a"], label=f"{i}幢101") for i in range(10)]
    a = services.assignment_create(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        leader=world["m_a1"],
        org=world["branch_a1"],
        units=units,
        households=hh,
    )
    today = timezone.localdate()
    for _ in range(3):
        record(world, problems=(), visited_on=today)
    unit_target = a.targets.filter(kind="unit").first()
    record(
        world,
        kind=VisitKind.CONTACT,
        target=unit_target,
        unit=units[0],
        problems=(),
        visited_on=today,
    )
    record(
        world,
        kind=VisitKind.CONTACT,
        target=unit_target,
        unit=units[0],
        problems=(),
        visited_on=today,
    )
    from tongxin.core.scope import scope_for_user

    rows = selectors.progress_rows(
        list(selectors.assignment_progress(scope_for_user(world["alice"]), today)),
        selectors.quota_rules(),
    )
    (p,) = rows
    assert p.home == (3, 10) and p.home_pct == 30
    assert p.units == (1, 4) and p.units_pct == 25  # the same unit twice counts once
    assert p.households == (0, 10)
    assert not p.complete


def test_patrol_post_needs_members_of_its_organization(world):
    with unchanged("members", "巡访员"):
        services.patrol_post_create(
            scope=scope_of(world["alice"]),
            actor=world["alice"],
            name="新春村巡访岗",
            org=world["branch_a1"],
            area=world["compound_a"],
            members=[],
        )
    with unchanged("members", "赵刚"):
        services.patrol_post_create(
            scope=scope_of(world["alice"]),
            actor=world["alice"],
            name="新春村巡访岗",
            org=world["branch_a1"],
            area=world["compound_a"],
            members=[world["m_b1"]],
        )
    post = services.patrol_post_create(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        name="新春村巡访岗",
        org=world["branch_a1"],
        area=world["compound_a"],
        members=[world["m_a1"], world["m_a1b"]],
    )
    v = record(world, kind=VisitKind.PATROL, post=post)
    assert v.post == post


def test_briefing_windows_are_two_weeks_from_a_monday():
    start, end = selectors.briefing_window(dt.date(2026, 11, 21))
    assert start.weekday() == 0 and (end - start).days == 13
    assert start <= dt.date(2026, 11, 21) <= end
    assert selectors.briefing_window(end)[0] == start
    assert selectors.briefing_window(end + dt.timedelta(days=1))[0] == start + dt.timedelta(14)
