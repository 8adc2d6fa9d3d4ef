"""双报到 filed by the member herself, in a browser: 张红 (hong) opens 我的双报到 from her 工作台,
reports to the community where she lives, is told why she cannot report twice; the street
secretary (alice) accepts her and logs hours; hong sees the post and the hours on her phone."""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.browser import PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tongxin.dual_reports.models import DualReport

pytestmark = pytest.mark.e2e


def test_a_member_files_her_own_dual_report(page: Page, e2e_world, new_context):
    w = e2e_world
    # The machine running these may be busy: allow slow pages rather than fail on timing.
    page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    try:
        _flow(page, w, new_context)
    finally:
        expect.set_options(timeout=5_000)


def _flow(page: Page, w: dict, new_context) -> None:
    factories.user("hong", "member", org=w["branch_a1"], member=w["m_a1"], display_name="张红")
    login(page, w["url"], "hong", PASSWORD)
    panel = page.get_by_test_id("my-dual-panel")
    expect(panel).to_contain_text("尚未向居住地社区报到")
    panel.get_by_role("link", name="去报到").click()
    expect(page.get_by_role("heading", name="我的双报到")).to_be_visible()
    # her residence's community is chosen already
    expect(page.get_by_label("报到社区（村）")).to_have_value(str(w["comm_a"].pk))
    page.get_by_label("说明").fill("周末上午有空")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "dual-mine-form-desktop.png", full_page=True)
    page.get_by_role("button", name="报到").click()
    expect(page.get_by_role("alert")).to_contain_text("已提交双报到")
    expect(page.get_by_test_id("my-open")).to_contain_text("紫金社区")
    expect(page.get_by_test_id("my-open")).to_contain_text("待社区接收")
    # a second report: the page says why there is no form
    expect(page.get_by_test_id("open-notice")).to_contain_text("一名党员同时只能向一个社区报到")
    expect(page.get_by_role("button", name="报到")).to_have_count(0)
    report = DualReport.objects.get(member=w["m_a1"])

    # the community: alice (street A) accepts and logs 2 hours
    staff = new_context().new_page()
    staff.set_default_timeout(60_000)
    login(staff, w["url"], "alice", PASSWORD)
    staff.goto(f"{w['url']}/dual-reports/?tab=community")
    staff.get_by_role("link", name="张红").click()
    staff.get_by_label("安排服务岗位").fill("楼道长")
    staff.get_by_role("button", name="接收", exact=True).click()
    expect(staff.locator(".badge", has_text="已接收")).to_be_visible()
    staff.get_by_label("服务日期").fill(timezone.localdate().isoformat())
    staff.get_by_label("服务时长（小时）").fill("2")
    staff.get_by_label("服务内容").fill("楼道清理")
    staff.get_by_role("button", name="登记", exact=True).click()
    expect(staff.get_by_test_id("total-hours")).to_have_text("2小时")

    # hong, on her phone: the post and the hours
    phone = new_context(PHONE).new_page()
    phone.set_default_timeout(60_000)
    login(phone, w["url"], "hong", PASSWORD)
    phone.goto(f"{w['url']}/dual-reports/mine/")
    expect(phone.get_by_test_id("my-post")).to_have_text("楼道长")
    expect(phone.get_by_test_id("my-total-hours")).to_have_text("2小时")
    expect(phone.get_by_test_id("my-hours")).to_contain_text("楼道清理")
    phone.screenshot(path=SCREENSHOTS / "dual-mine-phone.png", full_page=True)
    # another member's report is not hers to see
    from tongxin.core.scope import Scope
    from tongxin.dual_reports import services

    theirs = services.dual_report_create(
        actor=None, scope=Scope.everything(), member=w["m_a1b"], community=w["comm_a"]
    )
    r = phone.goto(f"{w['url']}/dual-reports/mine/?report={theirs.pk}")
    assert r is not None and r.status == 404
    assert report.pk != theirs.pk
