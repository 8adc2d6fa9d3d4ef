"""数据驾驶舱 in a real browser on a freshly loaded demo town: the city's 组织部 user drills
down city → district → street → community → branch by clicking table rows and map regions,
and climbs back by the breadcrumbs; the 大屏 at 1920×1080. Screenshots at 1920, 1280 and 375
px are saved for a person to look at; no page may scroll sideways on a phone."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tongxin.demo.loader import DEMO_PASSWORD

pytestmark = pytest.mark.e2e
WIDE = {"width": 1920, "height": 1080}


@pytest.fixture
def town(transactional_db, live_server) -> str:
    from tongxin.accounts.models import Role
    from tongxin.core.permissions import DEFAULT_ROLES

    for code, (name, perms) in DEFAULT_ROLES.items():
        Role.objects.update_or_create(code=code, defaults={"name": name, "permissions": perms})
    call_command("demo", "--scale", "town", stdout=StringIO())
    return live_server.url


def _errors(page: Page) -> list[str]:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    return errors


def _no_sideways_scroll(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def _a_city_user_drills_down_to_a_branch_and_back(new_context, town):
    page = new_context(DESKTOP).new_page()
    errors = _errors(page)
    login(page, town, "zuzhibu", DEMO_PASSWORD)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.goto(f"{town}/insights/")
    expect(page.get_by_test_id("node-name")).to_have_text("中共宁波市委")
    expect(page.get_by_test_id("as-of")).to_contain_text("数据截至")
    expect(page.locator("#tx-bars canvas")).to_have_count(1)
    page.screenshot(path=SCREENSHOTS / "insights-city-1280.png", full_page=True)
    # city → district: click the row
    page.locator("table.tx-drill tbody tr").first.click()
    expect(page.get_by_test_id("node-name")).to_have_text("中共海曙区委")
    # district → street: click a region of the map (the streets' outlines)
    expect(page.locator("#tx-map path.leaflet-interactive")).to_have_count(3)
    page.screenshot(path=SCREENSHOTS / "insights-district-1280.png", full_page=True)
    page.locator("#tx-map path.leaflet-interactive").first.click(force=True)
    expect(page.get_by_test_id("crumbs").locator("li")).to_have_count(4)
    street = page.get_by_test_id("node-name").inner_text()
    assert street.endswith(("党工委", "镇委"))
    # street → community → branch: the rows whose names say so
    page.locator("table.tx-drill tbody tr", has_text="社区").first.locator("a").click()
    expect(page.get_by_test_id("crumbs").locator("li")).to_have_count(5)
    while "支部" not in page.get_by_test_id("node-name").inner_text():
        page.locator("table.tx-drill tbody tr").first.locator("a").click()
    branch = page.get_by_test_id("node-name").inner_text()
    assert "支部" in branch
    page.screenshot(path=SCREENSHOTS / "insights-branch-1280.png", full_page=True)
    # and back up by the breadcrumbs
    page.get_by_test_id("crumbs").get_by_role("link", name=street).click()
    expect(page.get_by_test_id("node-name")).to_have_text(street)
    page.get_by_test_id("crumbs").get_by_role("link", name="中共宁波市委").click()
    expect(page.get_by_test_id("node-name")).to_have_text("中共宁波市委")
    assert not errors, errors


def _the_cockpit_on_a_phone_and_the_big_screen(new_context, town):
    phone = new_context(PHONE).new_page()
    errors = _errors(phone)
    login(phone, town, "jiedao", DEMO_PASSWORD)
    phone.goto(f"{town}/insights/")
    expect(phone.locator("#tx-trend canvas")).to_have_count(1)
    _no_sideways_scroll(phone)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=SCREENSHOTS / "insights-street-375.png", full_page=True)
    wide = new_context(WIDE).new_page()
    login(wide, town, "zuzhibu", DEMO_PASSWORD)
    wide.goto(f"{town}/insights/")
    wide.locator("table.tx-drill tbody tr").first.click()
    expect(wide.get_by_test_id("node-name")).to_have_text("中共海曙区委")
    wide.screenshot(path=SCREENSHOTS / "insights-district-1920.png", full_page=True)
    wide.get_by_role("link", name="大屏").click()
    expect(wide.get_by_test_id("as-of")).to_contain_text("每5分钟自动刷新")
    expect(wide.locator("#tx-map path.leaflet-interactive")).to_have_count(3)
    wide.screenshot(path=SCREENSHOTS / "insights-screen-1920.png")
    assert wide.evaluate("document.documentElement.scrollHeight") <= 1080 + 40
    assert not errors, errors


def test_the_cockpit_from_the_city_down_and_on_a_phone_and_the_big_screen(new_context, town):
    # One test for both walks: loading the town takes longer than either.
    _a_city_user_drills_down_to_a_branch_and_back(new_context, town)
    _the_cockpit_on_a_phone_and_the_big_screen(new_context, town)
