"""党员申请转接, in Chromium: 张红 (hong, a member with an account) opens 我的组织关系 from 我的,
is told what to fix when she submits without a target, finds 孝闻社区党支部 by name and files
her request; her branch secretary (bob) sees it in his inbox as 党员申请 and approves the first
step; hong sees who approved and whose turn it is, at 1280 and at 375 px."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tongxin.transfers.models import Transfer

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


def test_a_member_files_her_transfer_and_her_branch_approves_it(page: Page, e2e_world, new_context):
    # The machine running these may be busy: allow slow pages rather than fail on timing.
    page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    try:
        _flow(page, e2e_world, new_context)
    finally:
        expect.set_options(timeout=5_000)


def _flow(page: Page, w: dict, new_context) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    factories.user("hong", "member", org=w["branch_a1"], member=w["m_a1"], display_name="张红")
    w["bob"].display_name = "支部书记 王建"
    w["bob"].save(update_fields=["display_name"])

    login(page, w["url"], "hong", PASSWORD)
    page.goto(f"{w['url']}/me/")
    page.get_by_role("link", name="我的组织关系").click()
    expect(page.get_by_role("heading", name="我的组织关系")).to_be_visible()
    expect(page.get_by_test_id("my-org")).to_have_text("紫金社区第一党支部")
    # submitting without a target says what to fix and files nothing
    page.get_by_label("转接事由").select_option(label="工作调动")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("请从查找结果中选择转入的党支部。")).to_be_visible()
    expect(page.get_by_text("请填写迁移日期")).to_be_visible()
    assert not Transfer.objects.exists()
    # find the branch by name: her choices are kept while she searches
    page.get_by_label("按名称查找转入的党支部").fill("孝闻")
    page.get_by_role("button", name="查找").click()
    expect(page.get_by_test_id("candidates")).to_contain_text("鼓楼街道党工委")
    expect(page.get_by_label("转接事由")).to_have_value("job")
    page.get_by_label("孝闻社区党支部").check()
    page.get_by_label("说明").fill("调往鼓楼街道工作")
    page.get_by_label("迁移日期").fill(timezone.localdate().isoformat())
    shoot(page, "transfer-mine-form")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_role("alert")).to_contain_text("已提交转接申请")
    expect(page.get_by_test_id("my-status")).to_have_text("审批中")
    waiting = page.locator('[data-testid="my-chain"] [aria-current="step"]')
    expect(waiting).to_contain_text("紫金社区第一党支部")
    expect(waiting).to_contain_text("等待审批")
    expect(page.get_by_test_id("open-notice")).to_contain_text("同一时间只能办理一条")
    expect(page.get_by_role("button", name="撤回申请")).to_be_visible()
    shoot(page, "transfer-mine-submitted")
    t = Transfer.objects.get()

    # bob, her branch secretary: 党员申请 in his inbox, approved as the first step
    staff = new_context().new_page()
    staff.set_default_timeout(60_000)
    staff.on("pageerror", lambda e: errors.append(str(e)))
    login(staff, w["url"], "bob", PASSWORD)
    staff.goto(f"{w['url']}/transfers/?tab=todo")
    expect(staff.get_by_test_id("member-request")).to_have_text("党员申请")
    shoot(staff, "transfer-inbox-member-request")
    staff.get_by_role("link", name="张红").click()
    expect(staff.get_by_test_id("member-request-note")).to_be_visible()
    shoot(staff, "transfer-detail-member-request")
    staff.get_by_label("以“紫金社区第一党支部”名义审批").fill("情况属实，同意转出")
    staff.get_by_role("button", name="同意").click()
    expect(staff.get_by_text("等待“紫金社区党委”审批。")).to_be_visible()

    # hong sees the approval, who gave it, and whose turn it is now; no withdrawing any more
    page.reload()
    chain = page.get_by_test_id("my-chain")
    expect(chain.locator("li").first).to_contain_text("审批人：支部书记 王建")
    expect(chain.locator("li").first).to_contain_text("同意")
    expect(page.locator('[data-testid="my-chain"] [aria-current="step"]')).to_contain_text(
        "紫金社区党委"
    )
    expect(page.get_by_role("button", name="撤回申请")).to_have_count(0)
    shoot(page, "transfer-mine-progress")
    # the staff page of her transfer is not hers: only 我的组织关系 is
    r = page.goto(f"{w['url']}/transfers/{t.pk}/")
    assert r is not None and r.status == 404
    assert errors == []
