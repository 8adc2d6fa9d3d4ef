"""Keyboard, screen-reader and timeout behaviour of every page (issue 19, WCAG 2.1 AA): the skip
link, the focus ring on the current nav item, form errors read with their field, the
session-timeout warning that extends the session, and the report map's Chinese zoom buttons."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import DESKTOP, PHONE, axe_violations, login
from tests.e2e.test_cases_map import _world as report_world
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e

RING = "rgb(163, 18, 24)"  # --tx-focus, the theme's dark red


def test_the_skip_link_comes_first_and_the_current_nav_item_shows_its_focus(page: Page, e2e_world):
    login(page, e2e_world["url"], "alice", PASSWORD)
    page.goto(f"{e2e_world['url']}/members/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="跳到主要内容")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"

    page.goto(f"{e2e_world['url']}/members/")
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('aria-current')") == "page":
            break
    current = page.locator(".tx-nav [aria-current=page]")
    expect(current).to_be_focused()
    style = current.evaluate(
        "e => { const s = getComputedStyle(e); return [s.outlineStyle, s.outlineColor, s.outlineWidth]; }"
    )
    assert style == ["solid", RING, "2px"]


def test_a_field_error_is_read_with_its_field(page: Page, e2e_world):
    login(page, e2e_world["url"], "alice", PASSWORD)
    page.goto(f"{e2e_world['url']}/meetings/new/")
    page.get_by_role("button", name="保存").click()
    title = page.get_by_label("主题")
    expect(title).to_have_attribute("aria-invalid", "true")
    # The ids in aria-describedby exist and hold the message a screen reader reads.
    described = title.get_attribute("aria-describedby") or ""
    assert described.endswith("id_title_error")
    expect(page.locator("#id_title_error")).to_contain_text("必填")
    for viewport in (DESKTOP, PHONE):
        page.set_viewport_size(viewport)
        assert axe_violations(page) == []


def test_the_session_timeout_warning_offers_to_extend(page: Page, e2e_world):
    login(page, e2e_world["url"], "alice", PASSWORD)
    page.clock.install()
    page.goto(f"{e2e_world['url']}/members/")
    warning = page.get_by_role("alertdialog", name="即将自动退出登录")
    expect(warning).to_be_hidden()
    page.clock.fast_forward("28:30")  # 30 idle minutes end the session; 2 minutes before
    expect(warning).to_be_visible()
    extend = warning.get_by_role("button", name="继续使用")
    expect(extend).to_be_focused()
    with page.expect_response("**/accounts/keepalive/") as response:
        extend.click()
    assert response.value.status == 204
    expect(warning).to_be_hidden()
    page.clock.fast_forward("28:30")
    expect(warning).to_be_visible()
    page.clock.fast_forward("02:00")
    expect(warning).to_contain_text("登录已超时")
    expect(warning.get_by_role("link", name="重新登录")).to_be_visible()
    expect(extend).to_be_hidden()


def test_the_report_map_keeps_its_place_and_names_its_zoom_buttons_in_chinese(
    new_context, e2e_world
):
    report_world(e2e_world)
    phone = new_context(PHONE).new_page()
    login(phone, e2e_world["url"], "rita", PASSWORD)
    phone.goto(f"{e2e_world['url']}/cases/report/")
    expect(phone.get_by_role("heading", name="报事", level=1)).to_be_attached()
    expect(phone.get_by_role("button", name="放大地图")).to_be_visible()
    expect(phone.get_by_role("button", name="缩小地图")).to_be_visible()
    box = phone.locator("#tx-report-map").bounding_box()
    assert box is not None and round(box["height"]) == 260
