"""共享小区 in a real browser on a phone-sized screen: a resident posts a need, a neighbour's
offer is suggested, both confirm, the contacts appear, feedback closes the match."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.browser import PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tests.sharing.conftest import make_resident, post
from tongxin.core.models import AuditLog
from tongxin.geo.models import AreaLevel
from tongxin.sharing.models import Match

pytestmark = pytest.mark.e2e


def test_a_need_meets_a_neighbours_offer(new_context, e2e_world):
    w = e2e_world
    building = factories.area("紫金花园1幢", AreaLevel.BUILDING, w["compound_a"])
    ann = make_resident("ann", "林安", building, "13900001111")
    ben = make_resident("ben", "周斌", w["compound_a"], "13900002222")
    post(ben, "offer", "下午有空，可以帮忙接孩子放学", body="退休教师，每天下午都在家")
    post(ben, "offer", "闲置婴儿推车免费送", kind="idle_goods")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    page: Page = new_context(PHONE).new_page()
    login(page, w["url"], "ann", PASSWORD)
    page.goto(f"{w['url']}/sharing/")
    expect(page.get_by_role("heading", name="紫金花园 · 共享小区")).to_be_visible()
    expect(page.get_by_test_id("board")).to_contain_text("下午有空，可以帮忙接孩子放学")
    page.screenshot(path=SCREENSHOTS / "sharing-home-phone.png", full_page=True)

    page.get_by_role("link", name="发布需求").click()
    page.get_by_label("类别").select_option(label="儿童助托")
    page.get_by_label("标题").fill("工作日下午需要有人帮忙接孩子放学")
    page.get_by_label("说明").fill("二年级，4点放学。电话 139-0000-1111")
    page.get_by_role("button", name="发布").click()
    expect(page.get_by_role("alert").first).to_contain_text("联系方式已被隐藏")
    expect(page.locator("body")).not_to_contain_text("139-0000-1111")
    suggestions = page.get_by_test_id("suggestions")
    expect(suggestions).to_contain_text("下午有空，可以帮忙接孩子放学")
    expect(suggestions).to_contain_text("同小区")
    expect(suggestions).not_to_contain_text("婴儿推车")
    page.screenshot(path=SCREENSHOTS / "sharing-suggestions-phone.png", full_page=True)
    suggestions.get_by_role("button", name="发起对接").first.click()
    expect(page.get_by_test_id("match-status")).to_have_text("待确认")
    expect(page.get_by_test_id("contact")).to_have_count(0)

    neighbour: Page = new_context(PHONE).new_page()
    login(neighbour, w["url"], "ben", PASSWORD)
    neighbour.goto(f"{w['url']}/sharing/mine/")
    neighbour.get_by_test_id("my-matches").get_by_role("link").first.click()
    neighbour.get_by_role("button", name="确认对接").click()
    expect(neighbour.get_by_test_id("match-status")).to_have_text("双方已确认")
    neighbour.get_by_role("button", name="查看联系方式").click()
    expect(neighbour.get_by_test_id("contact-phone")).to_have_text(re.compile("林安 13900001111"))
    neighbour.screenshot(path=SCREENSHOTS / "sharing-match-contact-phone.png", full_page=True)

    page.reload()
    page.get_by_role("button", name="查看联系方式").click()
    expect(page.get_by_test_id("contact-phone")).to_have_text(re.compile("周斌 13900002222"))
    page.get_by_role("button", name="已经完成了").click()
    page.get_by_label("给对方评分").select_option("5")
    page.get_by_label("评价（选填）").fill("很准时，谢谢周老师")
    page.get_by_role("button", name="提交评价").click()
    expect(page.get_by_test_id("match-status")).to_have_text("已评价")
    page.screenshot(path=SCREENSHOTS / "sharing-match-closed-phone.png", full_page=True)

    m = Match.objects.get()
    assert m.status == "closed" and m.need_rating == 5
    assert AuditLog.objects.filter(action="sharing.reveal_contact").count() == 2
    assert ann.pk != ben.pk
