"""In Chromium: the city's organization department opens the warning rules, tries a yellow
threshold above the red one (refused, with the field marked in Chinese), fixes it and saves a
new version. Pages are saved at 1280 and 375 px (test-artifacts/screenshots/alert-rules-*) and
checked with axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, axe_violations, login
from tests.factories import PASSWORD
from tongxin.alerts import services
from tongxin.alerts.models import AlertRule

pytestmark = pytest.mark.e2e


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=SCREENSHOTS / f"alert-rules-{name}-{label}.png", full_page=True)
        if label == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name} scrolls sideways at 375 px ({width})"
        assert axe_violations(page) == [], name
    page.set_viewport_size(DESKTOP)


def test_the_department_edits_a_rule(page: Page, e2e_world):
    w = e2e_world
    url = w["url"]
    page.set_default_timeout(30_000)
    services.rules_ensure_defaults()
    factories.user("zuzhibu", "org_dept", org=w["city"])
    login(page, url, "zuzhibu", PASSWORD)
    page.goto(f"{url}/alerts/")
    page.get_by_test_id("rules-link").click()
    expect(page.get_by_test_id("rules-table")).to_contain_text("议事事项逾期")
    shoot(page, "list")
    page.get_by_role("link", name="党员失联").click()
    page.get_by_label("黄色阈值").fill("9")
    page.get_by_label("红色阈值").fill("3")
    page.get_by_test_id("rule-save").click()
    expect(page.get_by_test_id("error-yellow_at")).to_contain_text("黄色阈值不能高于红色阈值")
    shoot(page, "error")
    page.get_by_label("黄色阈值").fill("2")
    page.get_by_test_id("rule-save").click()
    expect(page.get_by_test_id("rules-table")).to_contain_text("v2")
    rule = AlertRule.objects.get(key="lost-contact", active=True)
    assert (rule.version, rule.yellow_at, rule.red_at) == (2, 2, 3)
