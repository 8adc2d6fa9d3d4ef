"""In Chromium, the 党员互助金 from money in to money out: the accountant records a finance
allocation and a member's donation (and prints the 捐助证); 张红 applies on her phone; her
branch secretary passes it, two committee members approve; the 公示 runs (back-dated in the
database, no sleeping) and its public page masks her name; the cashier pays; 张红 sees the
money and the state on her phone and the fund's balance has dropped. Every page is saved at
1280 and 375 px (test-artifacts/screenshots/aid-*)."""

from __future__ import annotations

import pytest
from django.apps import apps
from playwright.sync_api import Page, expect

from tests.aid.world import aid_world, end_publicity
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tongxin.aid.models import AidApplication
from tongxin.aid.roles import load_roles

pytestmark = pytest.mark.e2e


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=SCREENSHOTS / f"aid-{name}-{label}.png", full_page=True)
        if label == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name} scrolls sideways at 375 px ({width})"
    page.set_viewport_size(DESKTOP)


def as_user(page: Page, url: str, username: str) -> None:
    page.context.clear_cookies()
    login(page, url, username, PASSWORD)


def test_donations_application_two_approvals_publicity_payment(page: Page, e2e_world):
    load_roles(apps, None)
    w = aid_world(e2e_world)
    url, fund = w["url"], w["fund"]
    page.set_default_timeout(30_000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # Money comes in: a finance allocation and a donation with its certificate.
    as_user(page, url, "alice")
    page.goto(f"{url}/aid/funds/{fund.pk}/")
    page.locator("#id_in-amount").fill("10000")
    page.get_by_test_id("income-submit").click()
    expect(page.get_by_test_id("fund-balance")).to_have_text("10,000.00")
    page.locator("#id_don-id_number").fill(w["m_a2"].reveal_id_number())
    page.locator("#id_don-amount").fill("5000")
    page.get_by_test_id("donation-submit").click()
    expect(page.get_by_test_id("certificate")).to_contain_text("5,000.00")
    shoot(page, "certificate")
    page.goto(f"{url}/aid/funds/{fund.pk}/")
    expect(page.get_by_test_id("fund-balance")).to_have_text("15,000.00")
    shoot(page, "fund")

    # 张红 applies on her phone.
    as_user(page, url, "hong")
    page.set_viewport_size(PHONE)
    page.goto(f"{url}/aid/mine/")
    page.get_by_test_id("apply-link").click()
    page.get_by_label("补助类别").select_option(label="重大病补助")
    page.get_by_label("申请金额（元）").fill("3000")
    page.get_by_label("申请理由").fill("住院手术，家中困难，申请重大病补助。")
    page.get_by_test_id("apply-submit").click()
    expect(page.get_by_test_id("my-status")).to_have_text("待支部审核")
    a = AidApplication.objects.get()

    # The branch passes it; two committee members approve.
    for username in ("bob", "wei", "xu"):
        as_user(page, url, username)
        page.goto(f"{url}/aid/applications/{a.pk}/")
        page.get_by_test_id("approve").click()
        expect(page.get_by_test_id("approve")).to_have_count(0)
    expect(page.get_by_test_id("status")).to_have_text("公示中")
    shoot(page, "application")

    # The public 公示 masks her name; then it ends (back-dated).
    page.context.clear_cookies()
    page.goto(f"{url}/aid/public/{fund.pk}/")
    expect(page.get_by_test_id("masked-name")).to_have_text("张*")
    shoot(page, "publicity")
    end_publicity(a)

    # The cashier pays.
    as_user(page, url, "qian")
    page.goto(f"{url}/aid/applications/{a.pk}/")
    page.get_by_test_id("pay").click()
    expect(page.get_by_test_id("status")).to_have_text("已发放")

    # 张红 sees the money; the balance has dropped.
    as_user(page, url, "hong")
    page.goto(f"{url}/aid/mine/{a.pk}/")
    expect(page.get_by_test_id("my-status")).to_have_text("已发放")
    expect(page.get_by_test_id("my-amount")).to_have_text("3,000.00")
    shoot(page, "mine")
    as_user(page, url, "alice")
    page.goto(f"{url}/aid/funds/{fund.pk}/")
    expect(page.get_by_test_id("fund-balance")).to_have_text("12,000.00")
    page.goto(f"{url}/aid/funds/{fund.pk}/report/")
    expect(page.get_by_test_id("people")).to_have_text("1")
    shoot(page, "report")
    assert not errors, errors
