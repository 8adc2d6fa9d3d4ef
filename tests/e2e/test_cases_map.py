"""A resident pins a problem on the map of the phone report page (375 px, Chromium, no tile
server: a plain background with the compounds' markers), the case keeps the point and goes
to the nearest compound, and the street sees the point on the case page. Without JavaScript
the same page still reports by the compound list."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.cases.conftest import ensure_defaults
from tests.e2e.browser import PHONE, SCREENSHOTS, login
from tests.e2e.test_cases import open_page
from tests.factories import PASSWORD
from tongxin.accounts.models import Resident
from tongxin.cases.models import Case
from tongxin.geo.models import Area, AreaLevel

pytestmark = pytest.mark.e2e

PLACES = {
    "紫金花园": (Decimal("29.870000"), Decimal("121.550000")),
    "紫金花园二期": (Decimal("29.876000"), Decimal("121.556000")),
}


def _world(w):
    ensure_defaults()
    factories.area("紫金花园二期", AreaLevel.COMPOUND, w["comm_a"])
    for name, (lat, lng) in PLACES.items():
        Area.objects.filter(name=name).update(latitude=lat, longitude=lng)
    rita = factories.user("rita")
    Resident.objects.create(user=rita, name="居民丽塔", home=Area.objects.get(name="紫金花园"))


def _nearest(lat: float, lng: float) -> str:
    def d(p: tuple[Decimal, Decimal]) -> float:
        return (float(p[0]) - lat) ** 2 + ((float(p[1]) - lng) * math.cos(math.radians(lat))) ** 2

    return min(PLACES, key=lambda name: d(PLACES[name]))


def test_resident_pins_a_problem_on_the_map(new_context, e2e_world):
    w = e2e_world
    url = w["url"]
    _world(w)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    phone = open_page(new_context, PHONE)
    login(phone, url, "rita", PASSWORD)
    phone.goto(f"{url}/cases/report/")
    picker = phone.locator("#tx-report-map")
    expect(picker).to_have_attribute("data-ready", "1")
    expect(picker).to_be_visible()
    expect(picker.get_by_text("紫金花园二期")).to_be_visible()  # the compound markers' labels
    phone.get_by_label("什么问题").select_option(label="环境卫生")
    phone.get_by_label("在哪里").select_option(value="")
    box = picker.bounding_box()
    assert box is not None and box["width"] <= 375
    picker.click(position={"x": box["width"] * 0.3, "y": box["height"] * 0.7})
    expect(phone.locator("#tx-map-clear")).to_be_visible()
    lat = float(phone.get_by_label("纬度").input_value())
    lng = float(phone.get_by_label("经度").input_value())
    nearest = _nearest(lat, lng)
    expect(phone.locator("#tx-map-hint")).to_contain_text(nearest)
    # The script picked the nearest compound in the list as well.
    chosen = phone.get_by_label("在哪里").evaluate("s => s.options[s.selectedIndex].text")
    assert chosen == nearest
    phone.get_by_label("在哪里").select_option(value="")  # a point alone: the server decides
    phone.get_by_label("问题描述").fill("这里的垃圾桶满了三天没人清运。")
    phone.screenshot(path=SCREENSHOTS / "cases-report-map-phone.png", full_page=True)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_test_id("case-state")).to_have_text("待受理")
    case = Case.objects.select_related("area").get()
    assert case.area.name == nearest
    assert (float(case.latitude), float(case.longitude)) == (lat, lng)

    # The street sees the point on the case page.
    street = open_page(new_context)
    login(street, url, "alice", PASSWORD)
    street.goto(f"{url}/cases/{case.pk}/")
    expect(street.get_by_test_id("case-point")).to_contain_text(f"{case.latitude}")
    expect(street.get_by_test_id("case-map")).to_have_attribute("data-ready", "1")
    expect(street.get_by_test_id("case-map").get_by_text("上报位置")).to_be_visible()
    street.screenshot(path=SCREENSHOTS / "cases-detail-point-desktop.png", full_page=True)

    # A point far from the community is refused with a message; nothing is written.
    phone.goto(f"{url}/cases/report/")
    expect(picker).to_have_attribute("data-ready", "1")
    phone.get_by_label("什么问题").select_option(label="环境卫生")
    phone.get_by_label("纬度").fill("30.500000")
    phone.get_by_label("经度").fill("121.550000")
    phone.get_by_label("问题描述").fill("远处的问题。")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_test_id("point-error")).to_contain_text("离您所在社区太远")
    assert Case.objects.count() == 1


def test_the_report_page_works_without_javascript(new_context, e2e_world, browser):
    w = e2e_world
    url = w["url"]
    _world(w)
    ctx = browser.new_context(viewport=PHONE, locale="zh-CN", java_script_enabled=False)
    try:
        ctx.set_default_timeout(30_000)
        page = ctx.new_page()
        login(page, url, "rita", PASSWORD)
        page.goto(f"{url}/cases/report/")
        expect(page.locator("#tx-report-map")).to_be_hidden()
        page.get_by_label("什么问题").select_option(label="环境卫生")
        page.get_by_label("在哪里").select_option(label="紫金花园二期")
        page.get_by_label("问题描述").fill("楼下路灯不亮。")
        page.get_by_role("button", name="提交").click()
        expect(page.get_by_test_id("case-state")).to_have_text("待受理")
        case = Case.objects.select_related("area").get()
        assert case.area.name == "紫金花园二期" and case.latitude is None
    finally:
        ctx.close()
