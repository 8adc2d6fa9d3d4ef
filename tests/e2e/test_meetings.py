"""Organizational life in a real browser: the branch secretary plans a meeting, checks a member
in with the QR token and the short code read from the member's own card page (a second browser
context, on a phone), records the meeting, and sees the branch's compliance change."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tongxin.meetings import selectors

pytestmark = pytest.mark.e2e


def test_plan_check_in_with_the_card_and_see_compliance_change(page: Page, new_context, e2e_world):
    w = e2e_world
    url = w["url"]
    page.set_default_timeout(30_000)  # a shared, busy machine
    hong = factories.user("hong", "member", org=w["branch_a1"], reach="node")
    hong.member = w["m_a1"]
    hong.save()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    a1 = w["branch_a1"].pk

    login(page, url, "bob", PASSWORD)
    # Before: 主题党日 is missing this month for branch A1.
    page.goto(f"{url}/meetings/compliance/")
    row = page.get_by_test_id("compliance-rows").locator("li", has_text="紫金社区第一党支部")
    expect(row).to_contain_text("主题党日")

    # Plan today's 主题党日 (early this morning, so it can be recorded as held afterwards).
    page.goto(f"{url}/meetings/")
    page.get_by_role("link", name="安排会议").first.click()
    page.select_option("#id_org", str(a1))
    page.select_option("#id_kind", "theme_day")
    page.fill("#id_title", "主题党日：重温入党誓词")
    page.fill("#id_date", selectors.local_today().isoformat())
    page.fill("#id_start_time", "00:00")
    page.fill("#id_end_time", "00:30")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="主题党日：重温入党誓词")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("计划")

    # The member opens their card on the phone, in a browser context of their own.
    phone = new_context(PHONE).new_page()
    phone.set_default_timeout(30_000)
    login(phone, url, "hong", PASSWORD)
    phone.goto(f"{url}/meetings/card/")
    expect(phone.get_by_test_id("card-name")).to_have_text("张红")
    token = phone.get_by_test_id("card-qr").get_attribute("data-token")
    assert token and token.startswith("TX1:")
    phone.screenshot(path=SCREENSHOTS / "meetings-card-phone.png", full_page=True)

    # Staff check-in page: the scanned QR content goes into the same field as a typed code.
    page.get_by_role("link", name="签到", exact=True).click()
    # htmx (a deferred script) answers in place; on a busy machine wait until it has loaded,
    # or the form posts as a whole page and the answer comes as a page message instead.
    page.wait_for_function("() => window.htmx !== undefined")
    page.fill("#id_code", token)
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.get_by_test_id("checkin-result")).to_contain_text("张红 签到成功")
    expect(page.get_by_test_id("present-count")).to_contain_text("已到 1 / 2")
    # The same QR again is refused, in Chinese, and nothing changes.
    page.fill("#id_code", token)
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.get_by_test_id("checkin-result")).to_contain_text("已经使用过")
    expect(page.get_by_test_id("present-count")).to_contain_text("已到 1 / 2")
    # The short code from the card: 张红 is already in, so it is refused as a repeat.
    code = phone.get_by_test_id("card-code").inner_text().strip()
    page.fill("#id_code", code)
    page.get_by_role("button", name="签到", exact=True).click()
    expect(page.get_by_test_id("checkin-result")).to_contain_text("已签到")
    # Roll call for 李明.
    page.locator("li[data-member]", has_text="李明").get_by_role("button", name="到").click()
    expect(page.get_by_test_id("present-count")).to_contain_text("已到 2 / 2")
    page.screenshot(path=SCREENSHOTS / "meetings-checkin-desktop.png", full_page=True)

    # Minutes: the meeting is held.
    page.get_by_role("link", name="签到结束，记录会议").click()
    page.fill("#id_recorder", "李明")
    page.fill("#id_presenter", "张红")
    page.fill("#id_content", "全体党员重温入党誓词。")
    page.get_by_role("button", name="保存并记为已召开").click()
    expect(page.get_by_test_id("status")).to_have_text("已召开")
    expect(page.get_by_test_id("attendance")).to_contain_text("实到 2 / 应到 2")

    # After: 主题党日 is no longer missing for branch A1.
    page.goto(f"{url}/meetings/compliance/")
    row = page.get_by_test_id("compliance-rows").locator("li", has_text="紫金社区第一党支部")
    expect(row).not_to_contain_text("主题党日")
    page.screenshot(path=SCREENSHOTS / "meetings-compliance-desktop.png", full_page=True)


def test_a_stranger_cannot_open_the_meeting(page: Page, e2e_world):
    from tests.meetings.conftest import plan

    w = e2e_world
    m = plan(w["branch_a1"])
    page.set_default_timeout(30_000)
    login(page, w["url"], "charlie", PASSWORD)
    for path in (f"/meetings/{m.pk}/", f"/meetings/{m.pk}/checkin/"):
        response = page.goto(w["url"] + path)
        assert response is not None and response.status == 404
    page.goto(w["url"] + "/meetings/")
    expect(page.get_by_test_id("meeting-list")).not_to_contain_text("学习党章")
    assert DESKTOP["width"] == 1280


def test_a_general_meeting_without_quorum_is_recorded_without_decisions(new_context, e2e_world):
    from tests.meetings.conftest import plan

    w = e2e_world
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name in ("王三", "赵四"):
        factories.member(w["branch_a1"], name=name)
    m = plan(w["branch_a1"], kind="general", title="支部党员大会")
    for size, label in ((DESKTOP, "1280"), (PHONE, "375")):
        page = new_context(size).new_page()
        page.set_default_timeout(30_000)
        login(page, w["url"], "bob", PASSWORD)
        page.goto(f"{w['url']}/meetings/{m.pk}/checkin/")
        expect(page.get_by_test_id("present-count")).to_contain_text("已到 0 / 4")
        page.screenshot(path=SCREENSHOTS / f"meetings-checkin-{label}.png", full_page=True)
        page.goto(f"{w['url']}/meetings/{m.pk}/record/")
        page.fill("#id_presenter", "张红")
        page.fill("#id_recorder", "李明")
        page.fill("#id_content", "讨论发展对象。")
        page.fill("#id_decisions", "同意列为发展对象")
        page.locator("label[for^=att_]", has_text="出席").first.click()
        page.get_by_role("button", name="保存并记为已召开").click()
        expect(page.get_by_text("以下党员尚未标记出勤").first).to_be_visible()
        expect(page.get_by_text("李明").first).to_be_visible()
        rows = page.locator("tbody tr")
        for i in range(1, rows.count()):
            rows.nth(i).locator("label", has_text="缺席").click()
            rows.nth(i).locator("input[name^=reason_]").fill("出差")
        page.get_by_role("button", name="保存并记为已召开").click()
        expect(page.get_by_text("有表决权的党员实到1人、应到4人").first).to_be_visible()
        page.screenshot(path=SCREENSHOTS / f"meetings-record-quorum-{label}.png", full_page=True)
        if label == "375":  # recorded without decisions, the meeting page shows the counts
            page.fill("#id_decisions", "")
            page.get_by_role("button", name="保存并记为已召开").click()
            expect(page.get_by_test_id("status")).to_have_text("已召开")
            expect(page.get_by_test_id("attendance")).to_contain_text("实到 1 / 应到 4")
            expect(page.get_by_test_id("attendance")).to_contain_text("有表决权 1 / 4")
            page.screenshot(path=SCREENSHOTS / "meetings-general-detail-375.png", full_page=True)
        page.context.close()
