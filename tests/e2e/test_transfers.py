"""In Chromium: a branch secretary starts a transfer, the approvers approve along the chain, the
receiving side completes it and the member shows under the new branch; the letter verifies by
its QR link. Then 双报到 and 党费 pages. Every page is saved at 1280 and 375 px wide."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def shoot(page: Page, name: str) -> None:
    """Save the page at desktop width and at 375 px; at 375 px nothing may scroll sideways."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)
        if label == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name} scrolls sideways at 375 px ({width})"
    page.set_viewport_size(DESKTOP)


def logout(page: Page) -> None:
    page.get_by_role("button", name="退出").click()
    page.wait_for_load_state("networkidle")


def test_transfer_along_the_chain_then_dual_report_and_dues(page: Page, e2e_world):
    w = e2e_world
    url, member = w["url"], w["m_a1"]
    page.set_default_timeout(30_000)  # the shared machine is busy; a slow first load is no failure
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))

    # bob (branch A1) starts the transfer from the member page
    login(page, url, "bob", PASSWORD)
    page.goto(f"{url}/members/{member.pk}/")
    page.get_by_role("link", name="组织关系转接").click()
    page.get_by_label("查找转入的党支部（按名称）").fill("第二")
    page.get_by_role("button", name="查找").click()
    page.get_by_label("紫金社区第二党支部").check()
    page.get_by_label("转接原因").fill("迁居")
    shoot(page, "transfer-form")
    page.get_by_role("button", name="提交审批").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("审批中")
    expect(page.get_by_text("等待“紫金社区党委”审批。")).to_be_visible()
    detail_url = page.url
    logout(page)

    # alice (street A) approves for the common ancestor, then receives for the target branch
    login(page, url, "alice", PASSWORD)
    page.goto(f"{url}/")
    panel = page.get_by_test_id("transfers-panel")  # on the 工作台
    expect(panel).to_contain_text("待我办理的转接")
    panel.screenshot(path=SCREENSHOTS / "transfers-panel-desktop.png")
    page.goto(f"{url}/transfers/?tab=todo")
    shoot(page, "transfer-inbox")
    page.get_by_role("link", name="张红").click()
    shoot(page, "transfer-detail")
    page.get_by_role("button", name="同意").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("已批准转出")
    page.get_by_role("link", name="介绍信（打印）").click()
    expect(page.get_by_role("heading", name="中国共产党党员组织关系介绍信")).to_be_visible()
    shoot(page, "transfer-letter")
    page.goto(detail_url)
    page.get_by_role("button", name="同意").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("已接收")
    page.get_by_role("button", name="办结：党员转入本组织").click()
    expect(page.get_by_test_id("transfer-status")).to_have_text("已完成")
    expect(page.get_by_test_id("timeline")).to_contain_text("办结，党员转入")
    shoot(page, "transfer-completed")
    page.goto(f"{url}/members/{member.pk}/")
    expect(page.get_by_role("link", name="紫金社区第二党支部")).to_be_visible()
    expect(
        page.get_by_text(re.compile("组织关系转接：紫金社区第一党支部 → 紫金社区第二党支部"))
    ).to_be_visible()

    # the letter's QR link, opened by anyone (no login)
    from tongxin.transfers import selectors
    from tongxin.transfers.models import Transfer

    token = selectors.letter_token(Transfer.objects.get())
    logout(page)
    page.goto(f"{url}/transfers/verify/{token}/")
    expect(page.get_by_test_id("letter-state")).to_contain_text("已使用")
    expect(page.get_by_text("张*")).to_be_visible()
    shoot(page, "transfer-verify")

    # 双报到: alice files for 李明 in her own community and, as its street, accepts and logs
    login(page, url, "alice", PASSWORD)
    other = w["m_a1b"]
    page.goto(f"{url}/members/{other.pk}/")
    page.get_by_role("link", name="登记双报到").click()
    page.get_by_label("报到社区（村）").select_option(label="紫金社区")
    shoot(page, "dual-form")
    page.get_by_role("button", name="登记", exact=True).click()
    page.get_by_label("安排服务岗位").fill("楼道长")
    page.get_by_role("button", name="接收", exact=True).click()
    page.get_by_label("服务时长（小时）").fill("30")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_text("服务时长请填写0.1至24之间的小时数")).to_be_visible()
    page.get_by_label("服务时长（小时）").fill("1.5")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_test_id("total-hours")).to_have_text("1小时30分钟")
    shoot(page, "dual-detail")
    page.goto(f"{url}/dual-reports/?org={w['branch_a1'].pk}")
    expect(page.get_by_test_id("hours").first).to_have_text("1小时30分钟")
    shoot(page, "dual-list")

    # 党费: a base, a payment, the branch's statement and arrears
    page.goto(f"{url}/dues/members/{other.pk}/")
    page.get_by_label("月工资收入基数（元）").fill("-5")
    page.get_by_role("button", name="保存基数").click()
    expect(page.get_by_text("工资收入基数不能为负数，请核对。")).to_be_visible()
    page.get_by_label("月工资收入基数（元）").fill("5000.01")
    page.get_by_role("button", name="保存基数").click()
    expect(page.get_by_test_id("monthly-due")).to_have_text("75.00")
    page.get_by_label("缴纳金额（元）").fill("75")
    page.get_by_role("button", name="登记缴纳").click()
    expect(page.get_by_text("已登记缴纳。")).to_be_visible()
    shoot(page, "dues-member")
    month = timezone.localdate().strftime("%Y-%m")
    page.goto(f"{url}/dues/?org={w['comm_a_org'].pk}&month={month}")
    expect(page.get_by_test_id("paid-total")).to_have_text("75.00")
    shoot(page, "dues-statement")
    page.get_by_role("link", name="欠缴名单").click()
    shoot(page, "dues-arrears")
    assert errors == []
