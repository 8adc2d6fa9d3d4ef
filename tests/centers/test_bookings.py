"""Bookings: touching intervals are fine, overlapping ones are refused; nothing half-written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.helpers import is_chinese
from tests.stranger_setup import scope_of
from tongxin.centers import hours, services
from tongxin.centers.models import Booking
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.models import AuditLog


def at(hours: float) -> dt.datetime:
    base = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    return base + dt.timedelta(hours=hours)


def book(world, center, start, end, **kw):
    room = kw.pop("room", None) or center.rooms.get()
    return services.booking_create(
        scope=scope_of(world["bob"]),
        actor=world["bob"],
        center=center,
        room=room,
        purpose="支部主题党日",
        start=start,
        end=end,
        **kw,
    )


def snapshot():
    return (Booking.objects.count(), AuditLog.objects.count())


def test_touching_bookings_are_accepted(world, center):
    book(world, center, at(9), at(10))
    book(world, center, at(10), at(11))
    book(world, center, at(8), at(9))
    assert Booking.objects.count() == 3


@pytest.mark.parametrize("start,end", [(9.5, 10.5), (8.5, 9.5), (9.25, 9.75), (8, 11), (9, 10)])
def test_overlapping_bookings_are_refused(world, center, start, end):
    book(world, center, at(9), at(10))
    before = snapshot()
    with pytest.raises(ConflictError) as exc:
        book(world, center, at(start), at(end))
    assert "该时段已被预约" in exc.value.message and is_chinese(exc.value.message)
    assert snapshot() == before


def test_a_cancelled_booking_frees_the_slot(world, center):
    b = book(world, center, at(9), at(10))
    services.booking_cancel(scope=scope_of(world["bob"]), actor=world["bob"], booking=b)
    book(world, center, at(9), at(10))


def test_item_bookings_do_not_clash_with_rooms(world, center):
    book(world, center, at(9), at(10))
    services.booking_create(
        scope=scope_of(world["bob"]),
        actor=world["bob"],
        center=center,
        item=center.items.get(),
        purpose="咨询",
        start=at(9),
        end=at(10),
    )


@pytest.mark.parametrize(
    "start,end,contains",
    [
        (10, 9, "结束时间须晚于开始时间"),
        (10, 10, "结束时间须晚于开始时间"),
        (-72, -71, "已经过去"),
        (8, 21, "12小时"),
    ],
)
def test_bad_times_refused(world, center, start, end, contains):
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        book(world, center, at(start), at(end))
    assert contains in exc.value.message
    assert snapshot() == before


def test_a_room_of_another_centre_is_refused(world, center, center_b):
    other = services.room_create(
        scope=scope_of(None), actor=None, center=center_b, name="活动室", capacity=10
    )
    before = snapshot()
    with pytest.raises(ServiceError) as exc:
        book(world, center, at(9), at(10), room=other)
    assert is_chinese(exc.value.message)
    assert snapshot() == before


def test_opening_hours_are_validated(world):
    with pytest.raises(ServiceError) as exc:
        hours.parse_opening_hours("周一-周五 17:30-08:30")
    assert "结束须晚于开始" in exc.value.message
    assert hours.parse_opening_hours("周一-周三 08:30-12:00 14:00-17:30\nsat 09:00-12:00") == {
        "mon": [["08:30", "12:00"], ["14:00", "17:30"]],
        "tue": [["08:30", "12:00"], ["14:00", "17:30"]],
        "wed": [["08:30", "12:00"], ["14:00", "17:30"]],
        "thu": [],
        "fri": [],
        "sat": [["09:00", "12:00"]],
        "sun": [],
    }
