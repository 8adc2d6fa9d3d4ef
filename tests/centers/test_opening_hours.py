"""Issue 13 item 4: bookings respect the opening hours, weekly closed days and holidays the
centre declares; the centre's public telephone is shown in full, a person's mobile masked."""

from __future__ import annotations

import datetime as dt
import importlib

import pytest
from django.apps import apps

from tests.centers.conftest import local, next_weekday
from tests.helpers import is_chinese, texts
from tests.stranger_setup import scope_of
from tongxin.centers import services
from tongxin.centers.models import Booking, ServiceCenter
from tongxin.core import pii
from tongxin.core.errors import ServiceError
from tongxin.core.models import AuditLog

J = "application/json"


def book(world, station, start, end, *, item=False):
    target = {"item": station.items.get()} if item else {"room": station.rooms.get()}
    return services.booking_create(
        scope=scope_of(world["bob"]),
        actor=world["bob"],
        center=station,
        purpose="支部会议",
        start=start,
        end=end,
        **target,
    )


def snapshot():
    return (Booking.objects.count(), AuditLog.objects.count())


@pytest.mark.parametrize(
    "day,start,end,contains",
    [
        (6, "09:00", "10:00", "该站点周日休息"),
        (5, "09:00", "10:00", "该站点周六休息"),
        (2, "19:00", "21:00", "开放时间为 08:30–17:30，请重新选择时间"),
        (2, "17:00", "18:00", "开放时间为 08:30–17:30"),
        (2, "08:00", "09:00", "开放时间为 08:30–17:30"),
    ],
)
def test_bookings_outside_the_hours_are_refused(world, station, day, start, end, contains):
    d = next_weekday(day)
    before = snapshot()
    for item in (False, True):
        with pytest.raises(ServiceError) as exc:
            book(world, station, local(d, start), local(d, end), item=item)
        assert contains in exc.value.message and is_chinese(exc.value.message)
        assert "start" in exc.value.fields
    assert snapshot() == before


def test_a_declared_holiday_is_refused_by_name(world, station):
    holiday = next_weekday(0, weeks=1)
    with pytest.raises(ServiceError) as exc:
        book(world, station, local(holiday, "09:00"), local(holiday, "10:00"))
    assert f"该站点{holiday:%Y-%m-%d}（调休）休息" in exc.value.message
    assert not Booking.objects.exists()


def test_a_booking_across_midnight_is_refused(world, station):
    # a centre open round the clock on weekdays still takes no booking into the next day
    services.center_update(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        center=station,
        opening_hours={d: [["00:00", "23:59"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    )
    d = next_weekday(2)
    with pytest.raises(ServiceError, match="开放时间为 00:00–23:59"):
        book(world, station, local(d, "22:00"), local(d + dt.timedelta(days=1), "02:00"))


def test_bookings_inside_the_hours_are_taken(world, station):
    d = next_weekday(2)
    book(world, station, local(d, "08:30"), local(d, "17:30"))
    book(world, station, local(d, "09:00"), local(d, "09:30"), item=True)
    assert Booking.objects.count() == 2


def test_a_lunch_break_splits_the_day(world, station):
    services.center_update(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        center=station,
        opening_hours={"tue": [["08:30", "12:00"], ["13:30", "17:30"]]},
    )
    d = next_weekday(1)
    with pytest.raises(ServiceError) as exc:
        book(world, station, local(d, "11:00"), local(d, "14:00"))
    assert "开放时间为 08:30–12:00、13:30–17:30" in exc.value.message
    book(world, station, local(d, "13:30"), local(d, "15:00"))


def test_the_booking_page_names_the_reason_and_shows_the_hours(world, station, client_for):
    c = client_for(world["bob"])
    page = texts(c.get(f"/centers/{station.pk}/book/"))
    assert "周日" in page and "休息" in page and "调休" in page
    room = station.rooms.get()
    fmt = "%Y-%m-%dT%H:%M"
    sunday = next_weekday(6)
    data = {
        "target": f"room:{room.pk}",
        "purpose": "支部会议",
        "start": local(sunday, "09:00").strftime(fmt),
        "end": local(sunday, "10:00").strftime(fmt),
    }
    r = c.post(f"/centers/{station.pk}/book/", data)
    assert r.status_code == 200 and "该站点周日休息，请选择其他日期。" in texts(r)
    wed = next_weekday(2)
    data.update(start=local(wed, "19:00").strftime(fmt), end=local(wed, "21:00").strftime(fmt))
    r = c.post(f"/centers/{station.pk}/book/", data)
    assert r.status_code == 200 and "开放时间为 08:30–17:30，请重新选择时间。" in texts(r)
    assert not Booking.objects.exists()


def test_the_api_refuses_with_the_message(world, station, client_for):
    c = client_for(world["bob"])
    wed = next_weekday(2)
    r = c.post(
        f"/api/v1/centers/{station.pk}/bookings",
        {
            "room_id": station.rooms.get().pk,
            "purpose": "支部会议",
            "start": local(wed, "19:00").isoformat(),
            "end": local(wed, "21:00").isoformat(),
        },
        content_type=J,
    )
    assert r.status_code == 400 and "08:30–17:30" in r.json()["message"]
    r = c.post(
        f"/api/v1/centers/{station.pk}/bookings",
        {
            "item_id": station.items.get().pk,
            "purpose": "办证",
            "start": local(next_weekday(6), "09:00").isoformat(),
            "end": local(next_weekday(6), "09:30").isoformat(),
        },
        content_type=J,
    )
    assert r.status_code == 400 and "周日休息" in r.json()["message"]
    assert not Booking.objects.exists()


def test_staff_declare_holidays_in_the_edit_form(world, station, client_for):
    c = client_for(world["alice"])
    form = {
        "name": station.name,
        "level": "community",
        "org": world["comm_a_org"].pk,
        "area": world["comm_a"].pk,
        "opening_text": "周一-周五 08:30-17:30",
        "phone": "0574-87005678",
    }
    before = ServiceCenter.objects.get(pk=station.pk).closed_dates
    for bad, contains in [
        ("十月一日 国庆", "格式不正确"),
        ("2026-10-07~2026-10-01 国庆", "起止日期有误"),
    ]:
        r = c.post(f"/centers/{station.pk}/edit/", {**form, "closed_text": bad})
        assert r.status_code == 200 and contains in texts(r)
        assert ServiceCenter.objects.get(pk=station.pk).closed_dates == before
    r = c.post(
        f"/centers/{station.pk}/edit/",
        {**form, "closed_text": "2026-10-01~2026-10-03 国庆节\n2026-12-31 盘点"},
    )
    assert r.status_code == 302
    station.refresh_from_db()
    assert [d["date"] for d in station.closed_dates] == [
        "2026-10-01",
        "2026-10-02",
        "2026-10-03",
        "2026-12-31",
    ]
    assert station.closed_dates[0]["note"] == "国庆节"
    # the stranger can neither edit the holidays nor see the edit form
    s = client_for(world["charlie"])
    assert s.get(f"/centers/{station.pk}/edit/").status_code == 404
    r = s.post(f"/centers/{station.pk}/edit/", {**form, "closed_text": "2026-11-11 x"})
    assert r.status_code == 404
    station.refresh_from_db()
    assert len(station.closed_dates) == 4


def test_the_api_refuses_bad_closed_dates(world, client_for):
    payload = {
        "name": "南门街道党群服务中心",
        "level": "street",
        "org_id": world["street_a"].pk,
        "area_id": world["street_a_area"].pk,
        "closed_dates": [{"date": "2026-13-01", "note": "x"}],
    }
    r = client_for(world["alice"]).post("/api/v1/centers/", payload, content_type=J)
    assert r.status_code == 400 and "closed_dates" in r.json()["fields"]
    assert not ServiceCenter.objects.exists()
    r = client_for(world["charlie"]).post("/api/v1/centers/", payload, content_type=J)
    assert r.status_code == 404


def test_the_public_line_is_shown_in_full_to_a_resident(world, station, client_for):
    from tests import factories
    from tongxin.accounts.models import Resident

    u = factories.user("resident_li")
    Resident.objects.create(user=u, name="李阿姨", home=world["compound_a"])
    c = client_for(u)
    assert "0574-87005678" in texts(c.get(f"/centers/{station.pk}/"))
    assert c.get(f"/api/v1/centers/{station.pk}").json()["phone"] == "0574-87005678"
    assert c.post(f"/centers/{station.pk}/phone/").status_code == 404


def test_the_data_migration_moves_the_centres_line_and_keeps_a_mobile_encrypted(world, station):
    migration = importlib.import_module(
        "tongxin.centers.migrations.0002_center_public_phone_closed_dates"
    )
    ServiceCenter.objects.filter(pk=station.pk).update(
        phone="", contact_phone_enc=pii.encrypt("0574-87005678"), contact_phone_masked="x"
    )
    mobile = services.center_create(
        scope=scope_of(None),
        actor=None,
        name="手机站",
        level="community",
        area=world["comm_a"],
        org=world["comm_a_org"],
        contact_phone="13912345678",
    )
    migration.split_phones(apps, None)
    station.refresh_from_db()
    mobile.refresh_from_db()
    assert station.phone == "0574-87005678" and station.contact_phone_enc == ""
    assert mobile.phone == "" and mobile.reveal_contact_phone() == "13912345678"
    assert mobile.contact_phone_masked == "139****5678"
    # and back: the public line returns to the one encrypted column
    migration.join_phones(apps, None)
    station.refresh_from_db()
    assert station.reveal_contact_phone() == "0574-87005678"


def test_a_bad_contact_mobile_is_refused_by_form_and_api(world, station, client_for):
    c = client_for(world["alice"])
    form = {
        "name": station.name,
        "level": "community",
        "org": world["comm_a_org"].pk,
        "area": world["comm_a"].pk,
        "opening_text": "周一-周五 08:30-17:30",
        "phone": "0574-87005678",
        "contact_phone": "请打前台",
    }
    r = c.post(f"/centers/{station.pk}/edit/", form)
    assert r.status_code == 200 and "联系人手机只能包含数字" in texts(r)
    station.refresh_from_db()
    assert station.contact_phone_enc == "" and station.phone == "0574-87005678"
    payload = {
        "name": "南门街道党群服务中心",
        "level": "street",
        "org_id": world["street_a"].pk,
        "area_id": world["street_a_area"].pk,
        "contact_phone": "abc",
    }
    r = c.post("/api/v1/centers/", payload, content_type=J)
    assert r.status_code == 400 and "contact_phone" in r.json()["fields"]
    assert ServiceCenter.objects.count() == 1
