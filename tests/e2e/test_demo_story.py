"""The demo story's case journey in Chromium, on a freshly loaded demo town, as the demo users
of README's table: jumin reports on a phone, wangge calls the street in (网格呼叫), jiedao
accepts and dispatches to 城管, bumen claims and resolves, jiedao verifies and closes, jumin
rates. A demo change that puts one of them outside the story fails a step here."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, act, login
from tests.factories import restore_data_migration_rows
from tongxin.accounts.models import Resident
from tongxin.cases.models import Case
from tongxin.demo.loader import DEMO_PASSWORD

pytestmark = pytest.mark.e2e


@pytest.fixture
def demo_town(transactional_db, live_server) -> str:
    restore_data_migration_rows()
    call_command("demo", "--scale", "town", stdout=StringIO())
    return live_server.url


def open_as(new_context, url: str, username: str, viewport=DESKTOP) -> Page:
    ctx = new_context(viewport)
    ctx.set_default_timeout(30_000)  # a shared, busy machine
    page = ctx.new_page()
    login(page, url, username, DEMO_PASSWORD)
    return page


def _the_demo_case_journey_in_the_browser(new_context, demo_town):
    url = demo_town
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    home = Resident.objects.select_related("home").get(user__username="jumin").home

    # 1. jumin lands on the compound page (no redirect) and reports from the phone.
    phone = open_as(new_context, url, "jumin", PHONE)
    expect(phone.get_by_test_id("board")).to_be_visible()
    phone.screenshot(path=SCREENSHOTS / "demo-jumin-home-phone.png", full_page=True)
    phone.get_by_role("link", name="报事").click()
    phone.get_by_label("什么问题").select_option(label="环境卫生")
    phone.get_by_label("在哪里").select_option(value=str(home.pk))
    phone.get_by_label("具体位置").fill("北门")
    phone.get_by_label("问题描述").fill("北门垃圾桶满了三天没人清运，气味很大。")
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_test_id("case-state")).to_have_text("待受理")
    code = phone.get_by_test_id("tracking-code").inner_text()
    case = Case.objects.get(tracking_code=code)

    # 2. wangge finds it in the grid's inbox and calls the street in.
    grid = open_as(new_context, url, "wangge")
    grid.goto(f"{url}/cases/?inbox=grid&q={code}")
    expect(grid.get_by_text(code)).to_be_visible()
    act(grid, url, case.pk, "网格呼叫", note="现场核实，垃圾确实未清运。")

    # 3. jiedao accepts and dispatches to 城管.
    street = open_as(new_context, url, "jiedao")
    act(street, url, case.pk, "受理")
    street.get_by_label("处置部门（派遣时）").select_option(label="城管")
    street.get_by_test_id("actions").get_by_role("button", name="派遣").click()
    expect(street.get_by_test_id("case-state")).to_have_text("已派遣")

    # 4. bumen claims (部门报到) and resolves.
    dept = open_as(new_context, url, "bumen")
    dept.goto(f"{url}/cases/?inbox=claim&q={code}")
    dept.get_by_text(code).click()
    act(dept, url, case.pk, "部门报到")
    act(
        dept,
        url,
        case.pk,
        "办结",
        note="城管三中队派车，费用走环卫合同。",
        reply="已安排清运车清理完毕。",
    )

    # 5. jiedao verifies and closes.
    act(street, url, case.pk, "核查通过")
    act(street, url, case.pk, "结案")
    street.screenshot(path=SCREENSHOTS / "demo-case-closed-desktop.png", full_page=True)

    # 6. jumin sees the result and rates it.
    phone.goto(f"{url}/cases/mine/{case.pk}/")
    expect(phone.get_by_test_id("case-state")).to_have_text("已结案")
    expect(phone.locator("main")).to_contain_text("已安排清运车清理完毕")
    expect(phone.locator("main")).not_to_contain_text("环卫合同")
    phone.locator("label[for=star5]").click()
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_text("感谢您的评价。")).to_be_visible()
    case.refresh_from_db()
    assert (case.state, case.rating) == ("closed", 5)


def _each_demo_user_lands_where_they_work(new_context, demo_town):
    """The first screens, at 1280 and 375 px: staff on the 工作台 whose figures name their
    period, the member and the resident on their phone home; none wider than the phone."""
    url = demo_town
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for username in ("jiedao", "dangyuan", "jumin"):
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page = open_as(new_context, url, username, viewport)
            if username == "jiedao":
                expect(page.get_by_test_id("compliance-previous")).to_contain_text("%")
                expect(page.get_by_test_id("compliance-previous-period")).to_contain_text("年")
                expect(page.locator("main")).not_to_contain_text("本月")
            elif username == "dangyuan":
                expect(page.get_by_test_id("member-home")).to_be_visible()
                expect(page.locator("body")).not_to_contain_text("党员名册")
            else:
                expect(page.get_by_test_id("board")).to_be_visible()
            page.screenshot(path=SCREENSHOTS / f"demo-{username}-home-{name}.png", full_page=True)
            if username == "jiedao":
                panel = page.get_by_test_id("meetings-panel")
                panel.screenshot(path=SCREENSHOTS / f"demo-meetings-panel-{name}.png")
            if viewport is PHONE:
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            if username != "jiedao":
                page.goto(f"{url}/me/")
                expect(page.locator(".tx-tabbar")).to_be_visible()
                expect(page.locator("main")).not_to_contain_text("API 令牌")
                page.screenshot(path=SCREENSHOTS / f"demo-{username}-me-{name}.png", full_page=True)


def test_each_demo_user_lands_where_they_work_and_the_case_journey(new_context, demo_town):
    # One test for both walks, the first screens before the journey changes them: loading the
    # town takes longer than either walk.
    _each_demo_user_lands_where_they_work(new_context, demo_town)
    _the_demo_case_journey_in_the_browser(new_context, demo_town)
