"""A resident on a phone finds a 党群服务中心 (its own telephone in full, the contact person's
mobile masked), books a room, and a booking on a closed day, after hours or overlapping another
is refused with a clear message; the map plots the centres without a tile server."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tests.stranger_setup import scope_of
from tongxin.accounts.models import Resident
from tongxin.centers import services
from tongxin.centers.models import Booking

pytestmark = pytest.mark.e2e


def test_resident_books_a_room_and_an_overlap_is_refused(new_context, e2e_world):
    w = e2e_world
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    center = services.center_create(
        scope=scope_of(None),
        actor=None,
        name="紫金社区党群服务站",
        level="community",
        area=w["comm_a"],
        org=w["comm_a_org"],
        latitude="29.870000",
        longitude="121.550000",
        opening_hours={d: [["08:30", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        phone="0574-87001234",
        contact_name="周敏",
        contact_phone="13912345678",
    )
    services.center_create(
        scope=scope_of(None),
        actor=None,
        name="南门街道党群服务中心",
        level="street",
        area=w["street_a_area"],
        org=w["street_a"],
        latitude="29.860000",
        longitude="121.540000",
    )
    services.room_create(
        scope=scope_of(None), actor=None, center=center, name="多功能室", capacity=40
    )
    u = factories.user("liudaye")
    Resident.objects.create(user=u, name="刘大爷", home=w["compound_a"])

    phone = new_context(PHONE).new_page()
    login(phone, w["url"], "liudaye", PASSWORD)
    phone.goto(f"{w['url']}/centers/list/")
    phone.get_by_role("link", name="紫金社区党群服务站").click()
    expect(phone.get_by_text("139****5678")).to_be_visible()
    expect(phone.get_by_test_id("center-phone")).to_have_text("0574-87001234")
    phone.screenshot(path=str(SCREENSHOTS / "centers-detail-375.png"), full_page=True)
    phone.get_by_role("link", name="预约").click()
    fmt = "%Y-%m-%dT%H:%M"
    today = timezone.localtime()
    sunday = (today + dt.timedelta(days=(6 - today.weekday() - 1) % 7 + 1)).replace(
        hour=9, minute=0
    )
    for s, e, message in [
        (sunday, sunday + dt.timedelta(hours=1), "该站点周日休息，请选择其他日期。"),
        (
            sunday + dt.timedelta(days=2, hours=10),
            sunday + dt.timedelta(days=2, hours=12),
            "开放时间为 08:30–17:30，请重新选择时间。",
        ),
    ]:
        phone.get_by_label("预约场地或服务").select_option(label="场地 · 多功能室")
        phone.get_by_label("用途").fill("老年合唱排练")
        phone.get_by_label("开始时间").fill(s.strftime(fmt))
        phone.get_by_label("结束时间").fill(e.strftime(fmt))
        phone.get_by_role("button", name="提交预约").click()
        expect(phone.get_by_text(message).first).to_be_visible()
    phone.screenshot(path=str(SCREENSHOTS / "centers-book-closed-375.png"), full_page=True)
    assert not Booking.objects.exists()
    start = sunday + dt.timedelta(days=1)  # Monday 09:00
    for i in range(2):
        s = start + dt.timedelta(minutes=30 * i)
        phone.get_by_label("预约场地或服务").select_option(label="场地 · 多功能室")
        phone.get_by_label("用途").fill("老年合唱排练")
        phone.get_by_label("开始时间").fill(s.strftime(fmt))
        phone.get_by_label("结束时间").fill((s + dt.timedelta(hours=1)).strftime(fmt))
        phone.get_by_role("button", name="提交预约").click()
        if i == 0:
            expect(phone.get_by_text("预约成功")).to_be_visible()
            phone.screenshot(path=str(SCREENSHOTS / "centers-bookings-375.png"), full_page=True)
            phone.goto(f"{w['url']}/centers/{center.pk}/book/")
    expect(phone.get_by_text("该时段已被预约")).to_be_visible()
    phone.screenshot(path=str(SCREENSHOTS / "centers-book-overlap-375.png"), full_page=True)
    assert Booking.objects.count() == 1

    desk = new_context(DESKTOP).new_page()
    login(desk, w["url"], "alice", PASSWORD)
    desk.goto(f"{w['url']}/centers/map/")
    expect(desk.locator("#tx-map-count")).to_contain_text("2")
    expect(desk.locator("#tx-center-map")).to_have_attribute("data-loaded", "2")
    expect(desk.locator("#tx-center-map canvas")).to_have_count(1)  # markers drawn on a canvas
    desk.screenshot(path=str(SCREENSHOTS / "centers-map-1280.png"), full_page=True)
    desk.goto(f"{w['url']}/centers/{center.pk}/")
    expect(desk.get_by_test_id("center-bookings")).to_contain_text("老年合唱排练")
    desk.screenshot(path=str(SCREENSHOTS / "centers-detail-1280.png"), full_page=True)
    desk.goto(f"{w['url']}/centers/{center.pk}/book/")
    expect(desk.get_by_test_id("opening-hours")).to_contain_text("休息")
    desk.screenshot(path=str(SCREENSHOTS / "centers-book-1280.png"), full_page=True)
