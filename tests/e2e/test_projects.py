"""微项目 in a real browser: a resident suggests on the phone, the street secretary packages the
suggestion into a project (立项), a budget line over the budget is refused, an activity is
recorded and the project closed; the resident rates it on the phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tests.projects.conftest import ensure_taxonomy
from tests.sharing.conftest import make_resident
from tongxin.centers.models import SocialOrganization
from tongxin.projects.models import BudgetLine, MicroProject

pytestmark = pytest.mark.e2e


def test_a_suggestion_becomes_a_rated_project(new_context, e2e_world):
    w = e2e_world
    ensure_taxonomy()  # transactional_db flushed the data migration's rows
    make_resident("ann", "林安", w["compound_a"], "13900001111")
    SocialOrganization.objects.create(
        name="乐趣社工服务中心",
        kind="service_agency",
        area=w["comm_a"],
        guiding_org=w["comm_a_org"],
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    phone: Page = new_context(PHONE).new_page()
    login(phone, w["url"], "ann", PASSWORD)
    phone.goto(f"{w['url']}/projects/mine/")
    phone.get_by_role("link", name="提建议").click()
    phone.get_by_label("您的建议").fill("独居老人吃饭难，希望有助餐点")
    phone.get_by_label("需求类别").select_option(label="一老一小 · 居家养老")
    phone.get_by_role("button", name="提交").click()
    expect(phone.locator("body")).to_contain_text("独居老人吃饭难，希望有助餐点")

    staff: Page = new_context(DESKTOP).new_page()
    login(staff, w["url"], "alice", PASSWORD)
    staff.goto(f"{w['url']}/projects/new/")
    staff.get_by_label("项目名称").fill("紫金长者食堂")
    staff.get_by_label("回应需求类别").select_option(label="一老一小 · 居家养老")
    staff.get_by_label("牵头党组织（大掌柜）").select_option(label="紫金社区党委")
    staff.get_by_label("运营社会组织（店小二）").select_option(label="乐趣社工服务中心")
    staff.get_by_label("服务区域").select_option(label="紫金社区")
    staff.get_by_label("预算（元）").fill("2000")
    staff.get_by_label("纳入的居民建议").select_option(label="独居老人吃饭难，希望有助餐点")
    staff.get_by_role("button", name="立项").click()
    expect(staff.get_by_role("heading", name="紫金长者食堂")).to_be_visible()
    staff.get_by_label("支出事项").fill("厨具")
    staff.get_by_label("金额（元）").fill("2500")
    staff.get_by_role("button", name="添加明细").click()
    expect(staff.locator("#budget")).to_contain_text("超过项目预算2,000.00元")
    assert not BudgetLine.objects.exists()
    staff.get_by_label("支出事项").fill("厨具")
    staff.get_by_label("金额（元）").fill("1500")
    staff.get_by_role("button", name="添加明细").click()
    expect(staff.get_by_test_id("lines-total")).to_have_text("1,500.00")
    staff.get_by_label("活动名称").fill("长者食堂开张")
    staff.get_by_label("日期").fill("2026-05-01")
    staff.get_by_label("参与人次").fill("120")
    staff.get_by_role("button", name="登记活动").click()
    staff.get_by_label("项目成效").fill("每周助餐300人次")
    staff.get_by_role("button", name="结项").last.click()
    expect(staff.get_by_test_id("project-status")).to_have_text("已完成")
    staff.screenshot(path=SCREENSHOTS / "projects-detail-desktop.png", full_page=True)

    project = MicroProject.objects.get()
    phone.goto(f"{w['url']}/projects/mine/{project.pk}/")
    phone.get_by_label("评分").select_option("5")
    phone.get_by_role("button", name="评价这个项目").click()
    expect(phone.locator("body")).to_contain_text("我的评价：5 ★")
    phone.screenshot(path=SCREENSHOTS / "projects-rated-phone.png", full_page=True)
    assert project.ratings.get().score == 5
