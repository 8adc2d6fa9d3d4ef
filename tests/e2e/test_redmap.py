"""A branch books a red site, its members check in on their phones with the door code (one
with the phone's position), and the visit appears as the branch's 主题党日, held."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tests.redmap.conftest import LAT, LNG, make_site
from tongxin.meetings.models import Meeting
from tongxin.redmap.models import CheckIn, GroupVisit

pytestmark = pytest.mark.e2e


def test_branch_books_members_check_in_and_the_theme_day_is_held(new_context, e2e_world):
    w = e2e_world
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    site = make_site(w)
    make_site(w, name="紫金初心学堂", kind="school", latitude=LAT + 0.004, longitude=LNG + 0.006)
    factories.user("zhanghong", member=w["m_a1"])
    factories.user("liming", member=w["m_a1b"])

    # bob, secretary of branch A1, finds the site on the map and books a visit for today
    desk = new_context(DESKTOP).new_page()
    login(desk, w["url"], "bob", PASSWORD)
    desk.goto(f"{w['url']}/redmap/")
    expect(desk.locator("#tx-redmap")).to_have_attribute("data-loaded", "2")
    desk.screenshot(path=str(SCREENSHOTS / "redmap-map-1280.png"), full_page=True)
    desk.get_by_test_id("site-list").get_by_role("link", name="张人亚党章学堂").click()
    desk.get_by_role("link", name="预约集体参观").click()
    desk.get_by_label("党支部").select_option(label="紫金社区第一党支部")
    desk.get_by_label("参观日期").fill(timezone.localdate().isoformat())
    desk.get_by_label("开始时间").fill("09:00")
    desk.get_by_label("结束时间").fill("11:00")
    desk.get_by_label("参观人数").fill("40")
    desk.get_by_role("button", name="预约").click()
    expect(desk.get_by_text("还可预约30人")).to_be_visible()
    desk.get_by_label("参观人数").fill("2")
    desk.get_by_role("button", name="预约").click()
    expect(desk.get_by_test_id("visit-status")).to_have_text("已预约")

    # alice, who manages the site, shows today's code at the door
    door = new_context(DESKTOP).new_page()
    login(door, w["url"], "alice", PASSWORD)
    door.goto(f"{w['url']}/redmap/sites/{site.pk}/door/")
    code = door.get_by_test_id("door-code").inner_text().strip()
    door.screenshot(path=str(SCREENSHOTS / "redmap-door-1280.png"), full_page=True)

    # 张红 on her phone, with its position: a wrong code first, then the door's
    ctx = new_context(PHONE)
    ctx.grant_permissions(["geolocation"])
    ctx.set_geolocation({"latitude": LAT + 0.0005, "longitude": LNG, "accuracy": 15})
    phone = ctx.new_page()
    login(phone, w["url"], "zhanghong", PASSWORD)
    phone.goto(f"{w['url']}/redmap/")
    expect(phone.locator("#tx-redmap")).to_have_attribute("data-loaded", "2")
    phone.screenshot(path=str(SCREENSHOTS / "redmap-map-375.png"), full_page=True)
    phone.get_by_test_id("site-list").get_by_role("link", name="张人亚党章学堂").click()
    phone.get_by_role("link", name="打卡").click()
    expect(phone.locator("#tx-checkin-where")).to_contain_text("已获取位置")
    phone.get_by_label("打卡码").fill("QQQQQQ")
    phone.get_by_role("button", name="打卡").click()
    expect(phone.get_by_text("打卡码不正确")).to_be_visible()
    phone.screenshot(path=str(SCREENSHOTS / "redmap-checkin-error-375.png"), full_page=True)
    expect(phone.locator("#tx-checkin-where")).to_contain_text("已获取位置")
    phone.get_by_label("打卡码").fill(code.lower())
    phone.get_by_role("button", name="打卡").click()
    expect(phone.get_by_role("alert")).to_contain_text("打卡成功")
    expect(phone.get_by_test_id("my-checkins")).to_contain_text("张人亚党章学堂")
    phone.screenshot(path=str(SCREENSHOTS / "redmap-mine-375.png"), full_page=True)
    assert 40 < CheckIn.objects.get(member=w["m_a1"]).distance_m < 70

    # 李明 scans the door QR (its address carries the code) without sharing a position
    phone2 = new_context(PHONE).new_page()
    login(phone2, w["url"], "liming", PASSWORD)
    phone2.goto(
        f"{w['url']}/redmap/sites/{site.pk}/check-in/?code={site.pk}-"
        f"{timezone.localdate():%Y%m%d}-{code}"
    )
    expect(phone2.get_by_label("打卡码")).to_have_value(
        f"{site.pk}-{timezone.localdate():%Y%m%d}-{code}"
    )
    phone2.get_by_role("button", name="打卡").click()
    expect(phone2.get_by_role("alert")).to_contain_text("已计入本支部的集体参观")

    # both members of the branch came: the visit is its 主题党日, held
    desk.reload()
    expect(desk.get_by_test_id("visit-status")).to_have_text("已计入主题党日")
    desk.screenshot(path=str(SCREENSHOTS / "redmap-visit-1280.png"), full_page=True)
    desk.get_by_test_id("visit-meeting").click()
    expect(desk.get_by_text("已召开").first).to_be_visible()
    visit = GroupVisit.objects.get()
    meeting = Meeting.objects.get(pk=visit.meeting_id)
    assert meeting.kind == "theme_day" and meeting.status == "held" and meeting.present_count == 2
