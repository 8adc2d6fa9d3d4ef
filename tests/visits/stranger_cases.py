"""Stranger cases of tongxin.visits.services (tests/stranger.py): charlie, secretary of branch
B1 in street B, records and manages street A's 三访: visits, problems, assignments and patrol
posts."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.stranger import case
from tests.stranger_setup import scope_of, staged
from tongxin.orgs.models import Unit
from tongxin.visits import services
from tongxin.visits.models import ContactAssignment, PatrolPost, Visit, VisitKind, VisitProblem

W = dict[str, Any]
S = "tongxin.visits.services."


def _system() -> dict[str, Any]:
    return {"scope": scope_of(None), "actor": None}


def _charlie(w: W) -> dict[str, Any]:
    return {"scope": scope_of(w["charlie"]), "actor": w["charlie"]}


def _visit_input(w: W, **over: Any) -> services.VisitInput:
    data: dict[str, Any] = dict(
        kind=VisitKind.HOME,
        visited_on=timezone.localdate() - dt.timedelta(days=1),
        org=w["branch_a1"],
        area=w["compound_a"],
        people_met="张大爷一家",
        heard="楼道灯坏了两个月。",
        problems=("3幢楼道灯不亮",),
    )
    data.update(over)
    return services.VisitInput(**data)


def _visit(w: W) -> Visit:
    return services.visit_record(**_system(), data=_visit_input(w))


def _problem(w: W) -> VisitProblem:
    problem = _visit(w).problems.first()
    assert problem is not None
    return problem


def _units(w: W, n: int = 4) -> list[Unit]:
    return [
        Unit.objects.create(name=f"紫金单位{i}", sector="enterprise", area=w["compound_a"])
        for i in range(n)
    ]


def _households(w: W) -> list[services.HouseholdInput]:
    return [services.HouseholdInput(area=w["compound_a"], label=f"{i}幢101") for i in range(10)]


def _assignment(w: W) -> ContactAssignment:
    return services.assignment_create(
        **_system(),
        leader=w["m_a1"],
        org=w["branch_a1"],
        units=_units(w),
        households=_households(w),
    )


def _post(w: W) -> PatrolPost:
    return services.patrol_post_create(
        **_system(),
        name="紫金巡访岗",
        org=w["branch_a1"],
        area=w["compound_a"],
        members=[w["m_a1"]],
    )


@case(S + "visit_record")
def _(w: W) -> None:
    services.visit_record(**_charlie(w), data=_visit_input(w))


@case(S + "problem_raise")
def _(w: W) -> None:
    staged(lambda: _visit(w), lambda v: services.problem_raise(**_charlie(w), visit=v, text="x"))


@case(S + "problem_resolve")
def _(w: W) -> None:
    staged(
        lambda: _problem(w),
        lambda p: services.problem_resolve(**_charlie(w), problem=p, resolution="已修好"),
    )


@case(S + "problem_to_case")
def _(w: W) -> None:
    staged(
        lambda: _problem(w),
        lambda p: services.problem_to_case(**_charlie(w), problem=p, category=None),
    )


@case(S + "assignment_create")
def _(w: W) -> None:
    # charlie's own member as the leader, linked to street A's organization and units
    staged(
        lambda: _units(w),
        lambda units: services.assignment_create(
            **_charlie(w),
            leader=w["m_b1"],
            org=w["branch_a1"],
            units=units,
            households=_households(w),
        ),
    )


@case(S + "assignment_update")
def _(w: W) -> None:
    def act(a: ContactAssignment) -> None:
        services.assignment_update(
            **_charlie(w),
            assignment=a,
            org=w["branch_a1"],
            units=[t.unit for t in a.targets.filter(unit__isnull=False)],
            household_labels=[f"{i}幢101" for i in range(10)],
        )

    staged(lambda: _assignment(w), act)


@case(S + "assignment_end")
def _(w: W) -> None:
    staged(lambda: _assignment(w), lambda a: services.assignment_end(**_charlie(w), assignment=a))


@case(S + "patrol_post_create")
def _(w: W) -> None:
    services.patrol_post_create(
        **_charlie(w), name="越界岗", org=w["branch_a1"], area=w["compound_a"], members=[w["m_a1"]]
    )


@case(S + "patrol_post_update")
def _(w: W) -> None:
    staged(
        lambda: _post(w),
        lambda p: services.patrol_post_update(
            **_charlie(w),
            post=p,
            name="改名",
            org=w["branch_a1"],
            area=w["compound_a"],
            members=[w["m_a1"]],
        ),
    )


@case(S + "patrol_post_end")
def _(w: W) -> None:
    staged(lambda: _post(w), lambda p: services.patrol_post_end(**_charlie(w), post=p))
