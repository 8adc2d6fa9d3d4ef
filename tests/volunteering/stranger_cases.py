"""Stranger cases of tongxin.volunteering.services (tests/stranger.py): charlie, secretary of
branch B1 in street B, acts on street A's volunteer team, activity, sign-ups and hours."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests import factories
from tests.stranger import case
from tests.stranger_setup import scope_of, staged
from tongxin.orgs.models import OrgKind
from tongxin.volunteering import services
from tongxin.volunteering.models import Activity, SignUp, SignUpStatus, VolunteerHours

W = dict[str, Any]
S = "tongxin.volunteering.services."


def _system() -> dict[str, Any]:
    return {"scope": scope_of(None), "actor": None}


def _as_charlie(w: W) -> dict[str, Any]:
    return {"scope": scope_of(w["charlie"]), "actor": w["charlie"]}


def _activity(w: W) -> Activity:
    team = services.team_create(
        **_system(), name="紫金社区党员志愿服务队", org=w["comm_a_org"], area=w["comm_a"]
    )
    now = timezone.now()
    return services.activity_create(
        **_system(),
        team=team,
        title="楼道清洁",
        place="紫金花园3幢",
        start=now - dt.timedelta(minutes=30),
        end=now + dt.timedelta(hours=2),
        slots=5,
        open_to_residents=False,
    )


def _signup(w: W, checked_in: bool = False) -> SignUp:
    a = _activity(w)
    s = SignUp.objects.create(
        activity=a, name="张红", member=w["m_a1"], status=SignUpStatus.CONFIRMED
    )
    if checked_in:
        s.checked_in_at = timezone.now() - dt.timedelta(minutes=20)
        s.save(update_fields=["checked_in_at"])
    return s


def _entry(w: W) -> VolunteerHours:
    return services.hours_record(**_system(), signup=_signup(w), minutes=30)


@case(S + "team_create")
def _(w: W) -> None:
    # The hole the review found: a team of one's own organization serving street A's community.
    # An organization anchored in no area passed the only check there was (area within the
    # organization's area).
    staged(
        lambda: factories.org("孝闻社区第一党小组", OrgKind.GROUP, w["branch_b1"]),
        lambda group: services.team_create(
            **_as_charlie(w), name="越界队", org=group, area=w["comm_a"]
        ),
    )


@case(S + "activity_create")
def _(w: W) -> None:
    now = timezone.now()
    staged(
        lambda: _activity(w).team,
        lambda team: services.activity_create(
            **_as_charlie(w),
            team=team,
            title="x",
            place="y",
            start=now + dt.timedelta(hours=1),
            end=now + dt.timedelta(hours=2),
            slots=3,
        ),
    )


@case(S + "signup_create")
def _(w: W) -> None:
    # Open activities are a public call; this one takes party members only, and charlie's
    # account carries no member record.
    staged(
        lambda: _activity(w),
        lambda a: services.signup_create(**_as_charlie(w), activity=a),
    )


@case(S + "signup_cancel")
def _(w: W) -> None:
    staged(lambda: _signup(w), lambda s: services.signup_cancel(**_as_charlie(w), signup=s))


@case(S + "check_in_by_code")
def _(w: W) -> None:
    staged(
        lambda: _activity(w),
        lambda a: services.check_in_by_code(**_as_charlie(w), activity=a, code=a.checkin_code),
    )


@case(S + "check_in_by_card")
def _(w: W) -> None:
    staged(
        lambda: _signup(w),
        lambda s: services.check_in_by_card(**_as_charlie(w), activity=s.activity, text="x"),
    )


@case(S + "check_out")
def _(w: W) -> None:
    staged(
        lambda: _signup(w, checked_in=True),
        lambda s: services.check_out(**_as_charlie(w), signup=s),
    )


@case(S + "hours_record")
def _(w: W) -> None:
    staged(
        lambda: _signup(w),
        lambda s: services.hours_record(**_as_charlie(w), signup=s, minutes=30),
    )


@case(S + "hours_correct")
def _(w: W) -> None:
    staged(
        lambda: _entry(w),
        lambda e: services.hours_correct(**_as_charlie(w), entry=e, minutes=10, note="更正"),
    )
