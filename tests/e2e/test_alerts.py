"""In Chromium: bob, secretary of branch A1, finds a 三会一课 warning in his inbox (the badge
in the top bar counts it), acknowledges it with a note on the warning's page, and sees it
cleared once the missing meeting is held and the sweep runs. Pages are saved at 1280 and
375 px (test-artifacts/screenshots/alerts-*)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.alerts.conftest import hold_committee
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tongxin.alerts import services
from tongxin.alerts.models import Alert, AlertState

pytestmark = pytest.mark.e2e


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=SCREENSHOTS / f"alerts-{name}-{label}.png", full_page=True)
        if label == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name} scrolls sideways at 375 px ({width})"
    page.set_viewport_size(DESKTOP)


def test_a_secretary_receives_acknowledges_and_sees_a_warning_clear(page: Page, e2e_world):
    w = e2e_world
    url = w["url"]
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    services.sweep()
    alert = Alert.objects.get(rule_key="meetings-overdue", org=w["branch_a1"])

    login(page, url, "bob", PASSWORD)
    badge = page.get_by_test_id("inbox-badge")
    expect(badge.get_by_test_id("unread-count")).to_be_visible()
    badge.click()
    expect(page.get_by_role("heading", name="消息中心")).to_be_visible()
    item = page.get_by_test_id("message").filter(has_text="三会一课逾期")
    expect(item).to_contain_text("紫金社区第一党支部")
    shoot(page, "inbox")
    item.get_by_role("button", name="标为已读").click()
    expect(page.get_by_test_id("message").filter(has_text="三会一课逾期")).not_to_contain_text(
        "标为已读"
    )

    page.goto(f"{url}/alerts/")
    expect(page.get_by_test_id("alerts-table")).to_contain_text("三会一课逾期")
    expect(page.get_by_test_id("unread-count")).to_have_text("2")  # one read: the badge follows
    shoot(page, "list")
    page.get_by_role("link", name="紫金社区第一党支部：三会一课逾期").click()
    page.get_by_role("button", name="签收").click()  # without a note: refused, said why
    expect(page.get_by_text("请填写签收说明")).to_be_visible()
    page.get_by_label("签收说明").fill("本周五晚召开支部委员会")
    page.get_by_role("button", name="签收").click()
    expect(page.get_by_test_id("alert-state")).to_have_text("已签收")
    shoot(page, "acknowledged")

    # the meeting is held; the next sweep clears the warning
    hold_committee(w["branch_a1"], timezone.localdate() - dt.timedelta(days=1))
    services.sweep()
    page.reload()
    expect(page.get_by_test_id("alert-state")).to_have_text("已解除")
    alert.refresh_from_db()
    assert alert.state == AlertState.RESOLVED and alert.note == "本周五晚召开支部委员会"
    shoot(page, "resolved")
    page.goto(f"{url}/")
    expect(page.get_by_test_id("alerts-panel")).to_be_visible()
    shoot(page, "dashboard")
    assert errors == []
