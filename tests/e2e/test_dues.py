"""In Chromium: a branch secretary imports a sheet of dues bases with one bad row, reads the
error, fixes the sheet, commits; records a payment, reverses it with a reason and finds the
month in arrears again; the member then sees it on 我的党费. Every page is saved at 1280 and
375 px wide (test-artifacts/screenshots/dues-*)."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tests.rosters import sheets
from tongxin.dues.models import DuesBase, DuesReversal

pytestmark = pytest.mark.e2e

HEADER = ["姓名", "身份证号码", "起始月份", "人员类别", "月工资收入基数（元）"]


def shoot(page: Page, name: str) -> None:
    """Save the page at desktop width and at 375 px; at 375 px nothing may scroll sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=SCREENSHOTS / f"dues-{name}-{label}.png", full_page=True)
        if label == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name} scrolls sideways at 375 px ({width})"
    page.set_viewport_size(DESKTOP)


def test_import_fix_commit_pay_reverse_and_see_arrears(page: Page, e2e_world, tmp_path):
    w = e2e_world
    url, zhang, li = w["url"], w["m_a1"], w["m_a1b"]
    month = timezone.localdate().strftime("%Y-%m")
    page.set_default_timeout(30_000)  # the shared machine is busy; a slow first load is no failure
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    rows = [
        {
            "姓名": zhang.name,
            "身份证号码": zhang.reveal_id_number(),
            "起始月份": month,
            "人员类别": "在职",
            "月工资收入基数（元）": "4,000.00",
        },
        {
            "姓名": li.name,
            "身份证号码": li.reveal_id_number(),
            "起始月份": month,
            "人员类别": "离退休",
            "月工资收入基数（元）": "-3500",
        },
    ]
    bad = tmp_path / "党费基数.xlsx"
    bad.write_bytes(sheets.xlsx(rows, HEADER))

    # bob (branch A1) opens the import from the dues statement
    login(page, url, "bob", PASSWORD)
    page.goto(f"{url}/dues/?org={w['branch_a1'].pk}")
    page.get_by_role("link", name="导入党费基数").click()
    expect(page.get_by_role("heading", name="导入党费基数")).to_be_visible()
    shoot(page, "import")
    page.get_by_label("党费基数文件").set_input_files(str(bad))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_test_id("error-rows")).to_have_text("1")
    errors_table = page.get_by_test_id("row-errors")
    expect(errors_table).to_contain_text("第3行")
    expect(errors_table).to_contain_text("工资收入基数不能为负数，请核对。")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    shoot(page, "import-errors")
    assert DuesBase.objects.count() == 0

    # the sheet fixed: checked clean, then confirmed
    rows[1]["月工资收入基数（元）"] = "3500"
    good = tmp_path / "党费基数-改.xlsx"
    good.write_bytes(sheets.xlsx(rows, HEADER))
    page.get_by_label("党费基数文件").set_input_files(str(good))
    page.get_by_role("button", name="重新上传并检查").click()
    expect(page.get_by_test_id("check-status")).to_contain_text("全部 2 行检查通过")
    expect(page.get_by_test_id("to-create")).to_have_text("2")
    expect(page.get_by_test_id("plan")).to_contain_text("40.00")  # 4000 × 1%
    shoot(page, "import-ready")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_text("新增 2 条")).to_be_visible()
    assert DuesBase.objects.count() == 2

    # a payment for 张红, recorded then reversed
    page.goto(f"{url}/dues/?org={w['branch_a1'].pk}&month={month}")
    expect(page.get_by_test_id("due-total")).to_have_text("57.50")  # 40.00 + 3500 × 0.5%
    page.get_by_role("link", name=zhang.name).click()
    expect(page.get_by_test_id("monthly-due")).to_have_text("40.00")
    page.get_by_label("缴纳金额（元）").fill("40")
    page.get_by_role("button", name="登记缴纳").click()
    expect(page.get_by_text("已登记缴纳。")).to_be_visible()
    page.get_by_role("link", name=f"冲正 {month} 的缴纳 40.00 元").click()
    expect(page.get_by_test_id("reverse-amount")).to_have_text("40.00")
    page.get_by_role("button", name="确认冲正").click()
    expect(page.get_by_text("请填写冲正原因")).to_be_visible()
    shoot(page, "reverse")
    page.get_by_label("冲正原因").fill("重复登记")
    page.get_by_role("button", name="确认冲正").click()
    expect(page.get_by_text("已冲正这笔缴纳，该月份重新计为未缴。")).to_be_visible()
    reversed_row = page.get_by_test_id("reversed-payment")
    expect(reversed_row).to_contain_text("由 bob 冲正：重复登记")
    expect(page.get_by_role("link", name=f"冲正 {month} 的缴纳 40.00 元")).to_have_count(0)
    shoot(page, "member-reversed")
    assert DuesReversal.objects.count() == 1

    # the statement counts nothing paid; the arrears list has 张红 again
    page.get_by_role("link", name="本支部月报").click()
    expect(page.get_by_test_id("paid-total")).to_have_text("0.00")
    expect(page.get_by_test_id("reversed-note")).to_be_visible()
    shoot(page, "statement-reversed")
    page.get_by_role("link", name="欠缴名单").click()
    expect(page.locator("table")).to_contain_text(zhang.name)
    expect(page.locator("table")).to_contain_text("40.00")
    shoot(page, "arrears-reversed")
    page.get_by_role("button", name="退出").click()

    # 张红 signs in and opens 我的党费 from 我的
    factories.user("zhanghong", "member", org=w["branch_a1"], member=zhang)
    login(page, url, "zhanghong", PASSWORD)
    page.goto(f"{url}/me/")
    page.get_by_role("link", name="我的党费").click()
    expect(page.get_by_test_id("my-name")).to_have_text(zhang.name)
    expect(page.get_by_test_id("my-monthly-due")).to_have_text("40.00")
    expect(page.get_by_test_id("my-owed")).to_have_text("40.00")
    expect(page.get_by_test_id("reversed-payment")).to_contain_text("重复登记")
    expect(page.get_by_text(li.name)).to_have_count(0)
    shoot(page, "mine")
    assert errors == []
