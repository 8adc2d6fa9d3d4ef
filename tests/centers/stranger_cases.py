"""Stranger cases of tongxin.centers.services (tests/stranger.py): charlie, secretary of branch
B1 in street B, acts on street A's service centre and social organization."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests.stranger import case
from tests.stranger_setup import scope_of, staged
from tongxin.centers import services
from tongxin.centers.models import ServiceCenter, SocialOrganization

W = dict[str, Any]
S = "tongxin.centers.services."


def _center(w: W, name: str = "紫金社区党群服务站", **over: Any) -> ServiceCenter:
    data: dict[str, Any] = dict(name=name, level="community", area=w["comm_a"], org=w["comm_a_org"])
    data.update(over)
    c = services.center_create(scope=scope_of(None), actor=None, **data)
    services.room_create(scope=scope_of(None), actor=None, center=c, name="多功能室", capacity=40)
    return c


def _social(w: W) -> SocialOrganization:
    return services.social_org_create(
        scope=scope_of(None), actor=None, name="红领之家", kind="community", area=w["compound_a"]
    )


def _as_charlie(w: W) -> dict[str, Any]:
    return {"scope": scope_of(w["charlie"]), "actor": w["charlie"]}


@case(S + "center_create")
def _(w: W) -> None:
    services.center_create(
        **_as_charlie(w), name="越权中心", level="community", area=w["comm_a"], org=w["comm_a_org"]
    )


@case(S + "center_update")
def _(w: W) -> None:
    staged(
        lambda: _center(w), lambda c: services.center_update(**_as_charlie(w), center=c, name="x")
    )


@case(S + "center_phone_revealed")
def _(w: W) -> None:
    staged(
        lambda: _center(w, contact_phone="13912345678"),
        lambda c: services.center_phone_revealed(**_as_charlie(w), center=c),
    )


@case(S + "room_create")
def _(w: W) -> None:
    staged(
        lambda: _center(w),
        lambda c: services.room_create(**_as_charlie(w), center=c, name="会议室", capacity=10),
    )


@case(S + "item_create")
def _(w: W) -> None:
    staged(
        lambda: _center(w),
        lambda c: services.item_create(**_as_charlie(w), center=c, name="法律咨询"),
    )


@case(S + "event_create")
def _(w: W) -> None:
    today = timezone.localdate()
    staged(
        lambda: _center(w),
        lambda c: services.event_create(
            **_as_charlie(w),
            center=c,
            kind="volunteer_month",
            title="x",
            starts_on=today,
            ends_on=today,
        ),
    )


@case(S + "booking_create")
def _(w: W) -> None:
    # The directory is open: anyone signed in books an active centre. What a stranger may not do
    # is link an object of another centre: street A's room booked through a second centre.
    start = timezone.now() + dt.timedelta(days=1)

    def book(centres: tuple[ServiceCenter, ServiceCenter]) -> None:
        a, other = centres
        services.booking_create(
            **_as_charlie(w),
            center=other,
            room=a.rooms.get(),
            purpose="开会",
            start=start,
            end=start + dt.timedelta(hours=1),
        )

    staged(lambda: (_center(w), _center(w, "紫金第二服务站")), book)


@case(S + "booking_cancel")
def _(w: W) -> None:
    start = timezone.now() + dt.timedelta(days=1)

    def build() -> Any:
        c = _center(w)
        return services.booking_create(
            scope=scope_of(w["bob"]),
            actor=w["bob"],
            center=c,
            room=c.rooms.get(),
            purpose="开会",
            start=start,
            end=start + dt.timedelta(hours=1),
        )

    staged(build, lambda b: services.booking_cancel(**_as_charlie(w), booking=b))


@case(S + "social_org_create")
def _(w: W) -> None:
    services.social_org_create(
        **_as_charlie(w), name="越权组织", kind="community", area=w["compound_a"]
    )


@case(S + "social_org_update")
def _(w: W) -> None:
    staged(
        lambda: _social(w),
        lambda so: services.social_org_update(**_as_charlie(w), social_org=so, name="改名"),
    )
