from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.stranger_setup import scope_of
from tongxin.centers import services


@pytest.fixture
def center(world):
    """A community centre of street A (alice manages it), with a room and a bookable item.
    It declares no opening hours, so it takes bookings at any time (the opening-hours rule
    is tested on the ``station`` below)."""
    c = services.center_create(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        name="紫金社区党群服务站",
        level="community",
        area=world["comm_a"],
        org=world["comm_a_org"],
        address="紫金路1号",
        latitude="29.870000",
        longitude="121.550000",
        services="党员组织关系转接\n老年人助餐",
        phone="0574-87001234",
        contact_name="周敏",
        contact_phone="13912345678",
    )
    services.room_create(
        scope=scope_of(world["alice"]), actor=world["alice"], center=c, name="多功能室", capacity=40
    )
    services.item_create(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        center=c,
        name="法律咨询",
        bookable=True,
    )
    return c


@pytest.fixture
def center_b(world):
    return services.center_create(
        scope=scope_of(None),
        actor=None,
        name="孝闻社区党群服务站",
        level="community",
        area=world["comm_b"],
        org=world["branch_b1"],
        contact_phone="13800001111",
    )


WEEKDAY_HOURS = {d: [["08:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")}


@pytest.fixture
def station(world):
    """A station open 08:30–17:30 on weekdays (周六, 周日 休息), closed on a declared holiday
    (the Monday after next), with a room and a bookable item."""
    c = services.center_create(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        name="南门社区党群服务站",
        level="community",
        area=world["comm_a"],
        org=world["comm_a_org"],
        opening_hours=WEEKDAY_HOURS,
        closed_dates=[{"date": next_weekday(0, weeks=1).isoformat(), "note": "调休"}],
        phone="0574-87005678",
    )
    services.room_create(
        scope=scope_of(world["alice"]), actor=world["alice"], center=c, name="会议室", capacity=20
    )
    services.item_create(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        center=c,
        name="居住证办理",
        bookable=True,
    )
    return c


def next_weekday(weekday: int, weeks: int = 0) -> dt.date:
    """The next such weekday (0 = Monday) after today, local time."""
    today = timezone.localdate()
    ahead = (weekday - today.weekday() - 1) % 7 + 1
    return today + dt.timedelta(days=ahead + 7 * weeks)


def local(day: dt.date, hhmm: str) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.fromisoformat(hhmm)))
