"""Stranger cases of tongxin.projects.services (tests/stranger.py): charlie, secretary of branch
B1 in street B, acts on street A's micro-projects and suggestions, and passes a street-A
resident's record as his own."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from tests import factories
from tests.stranger import case, not_acting
from tests.stranger_setup import scope_of, staged
from tongxin.accounts.models import Resident
from tongxin.projects import services
from tongxin.projects.models import MicroProject, NeedCategory, ProjectStatus, Suggestion

W = dict[str, Any]
S = "tongxin.projects.services."

not_acting(S + "yuan", "a pure formatter of an amount in fen")


def _charlie(w: W) -> dict[str, Any]:
    return {"scope": scope_of(w["charlie"]), "actor": w["charlie"]}


def _category() -> NeedCategory:
    category = NeedCategory.objects.order_by("id").first()
    assert category is not None, "the project taxonomy's data migration rows are missing"
    return category


def _resident(w: W) -> Resident:
    return Resident.objects.create(user=factories.user("ann"), name="林安", home=w["compound_a"])


def _project(w: W, status: str = ProjectStatus.PLANNED) -> MicroProject:
    p = services.project_create(
        scope=scope_of(None),
        actor=None,
        data=services.ProjectInput(
            name="颐养助餐点",
            category=_category(),
            lead_org=w["comm_a_org"],
            area=w["comm_a"],
            budget_fen=500_000,
        ),
    )
    if status != p.status:
        MicroProject.objects.filter(pk=p.pk).update(status=status)
        p.refresh_from_db()
    return p


def _suggestion(w: W) -> Suggestion:
    return services.suggestion_enter(
        scope=scope_of(None),
        actor=None,
        area=w["compound_a"],
        title="加装楼道扶手",
        body="",
        category=_category(),
        meeting="11月墙门月光会",
    )


@case(S + "suggestion_submit")
def _(w: W) -> None:
    staged(
        lambda: _resident(w),
        lambda r: services.suggestion_submit(
            actor=w["charlie"], resident=r, title="加装电梯", body="", category=_category()
        ),
    )


@case(S + "suggestion_enter")
def _(w: W) -> None:
    services.suggestion_enter(
        **_charlie(w),
        area=w["compound_a"],
        title="加装电梯",
        body="",
        category=_category(),
        meeting="11月墙门月光会",
    )


@case(S + "suggestion_decline")
def _(w: W) -> None:
    staged(
        lambda: _suggestion(w),
        lambda s: services.suggestion_decline(**_charlie(w), suggestion=s),
    )


@case(S + "project_create")
def _(w: W) -> None:
    # street A's community committee named as the lead (大掌柜), serving its own community
    services.project_create(
        **_charlie(w),
        data=services.ProjectInput(
            name="越界项目",
            category=_category(),
            lead_org=w["comm_a_org"],
            area=w["comm_a"],
            budget_fen=1000,
        ),
    )


@case(S + "budget_line_add")
def _(w: W) -> None:
    staged(
        lambda: _project(w),
        lambda p: services.budget_line_add(**_charlie(w), project=p, item="餐具", amount_fen=100),
    )


@case(S + "activity_add")
def _(w: W) -> None:
    staged(
        lambda: _project(w),
        lambda p: services.activity_add(
            **_charlie(w), project=p, title="助餐", held_on=timezone.localdate()
        ),
    )


@case(S + "project_complete")
def _(w: W) -> None:
    staged(
        lambda: _project(w, ProjectStatus.RUNNING),
        lambda p: services.project_complete(**_charlie(w), project=p, outcome="惠及老人"),
    )


@case(S + "project_signup")
def _(w: W) -> None:
    staged(
        lambda: (_resident(w), _project(w)),
        lambda rp: services.project_signup(actor=w["charlie"], resident=rp[0], project=rp[1]),
    )


@case(S + "project_rate")
def _(w: W) -> None:
    staged(
        lambda: (_resident(w), _project(w, ProjectStatus.COMPLETED)),
        lambda rp: services.project_rate(
            actor=w["charlie"], resident=rp[0], project=rp[1], score=1
        ),
    )
