"""考评 in a real browser: a 述职评议 session where six phones vote through the session's QR
address, staff enter the upper level's paper ballots, the weighted result and the 整改 items
appear; and a 千分制 quarter walked self-score (with evidence) → assessor → final."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.appraisal.conftest import SYS, make_session, reporter
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tongxin.appraisal.models import Assessment, Ballot, Metric, RectificationItem
from tongxin.appraisal.services import assessment as asvc
from tongxin.appraisal.services import review as rsvc

pytestmark = pytest.mark.e2e


def test_six_phones_vote_and_the_weighted_result_and_items_appear(new_context, e2e_world):
    w = e2e_world
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    session = make_session(w, n=6)
    rep = reporter(session)
    rsvc.report_save(**SYS, reporter=rep, text="一年来，紫金社区党委坚持党建引领……")
    desk = new_context(DESKTOP).new_page()
    login(desk, w["url"], "alice", PASSWORD)
    desk.goto(f"{w['url']}/appraisal/reviews/{session.pk}/")
    desk.get_by_role("button", name="开始投票").click()
    expect(desk.get_by_test_id("review-status")).to_have_text("评议中")
    vote_url = desk.get_by_test_id("vote-url").inner_text().strip()

    grades = ["好", "好", "好", "较好", "好", "一般"]
    for i, grade in enumerate(grades):
        phone = new_context(PHONE).new_page()
        login(phone, w["url"], f"voter{i}", PASSWORD)
        phone.goto(vote_url)
        card = phone.get_by_test_id(f"vote-{rep.pk}")
        card.get_by_text(grade, exact=True).click()
        card.get_by_role("button", name="提交评价").click()
        expect(phone.get_by_role("alert")).to_contain_text("已提交对“紫金社区党委”的评价")
        expect(phone.get_by_test_id("voted")).to_be_visible()
        if i == 0:
            phone.screenshot(path=str(SCREENSHOTS / "appraisal-vote-375.png"), full_page=True)
    assert Ballot.objects.filter(origin="phone").count() == 6

    # the upper level voted on paper: staff enter the five ballots
    for rater in w["upper_raters"]:
        desk.get_by_label("评议人").select_option(str(rater.pk))
        desk.get_by_label("评价").select_option(label="较好")
        desk.get_by_role("button", name="录入").click()
    # members: (4×100 + 80 + 60) / 6 = 90; upper: 80 → 0.6×90 + 0.4×80 = 86 → 较好
    expect(desk.get_by_test_id(f"weighted-{rep.pk}")).to_have_text("86.0")
    expect(desk.get_by_test_id(f"grade-{rep.pk}")).to_have_text("较好")
    expect(desk.get_by_test_id("results")).to_contain_text("纸质5")
    desk.get_by_role("button", name="截止投票").click()
    desk.get_by_role("button", name="公布结果").click()
    expect(desk.get_by_test_id("review-status")).to_have_text("已公布")
    desk.screenshot(path=str(SCREENSHOTS / "appraisal-review-1280.png"), full_page=True)

    desk.get_by_role("link", name="紫金社区党委").first.click()
    desk.get_by_label("整改事项").fill("议事协商每月至少开展1次")
    desk.get_by_label("责任人").fill("张红")
    desk.get_by_label("完成时限").fill("2026-06-30")
    desk.get_by_role("button", name="添加整改事项").click()
    items = desk.get_by_test_id("items")
    expect(items).to_contain_text("议事协商每月至少开展1次")
    expect(items).to_contain_text("整改中 0%")
    items.get_by_label("进度（%）").fill("100")
    items.get_by_role("button", name="更新").click()
    expect(items).to_contain_text("已销号 100%")
    assert RectificationItem.objects.get().status == "closed"


def _three_part_set(w):
    s = asvc.indicator_set_create(
        **SYS,
        org=w["street_a"],
        year=2026,
        level="community",
        name="2026年社区千分制",
        appeal_days=0,
    )
    for top, leaf, points, metric in (
        ("基础工作", "三会一课", 400, Metric.MEETING_COMPLIANCE),
        ("服务实绩", "事件办理", 350, Metric.CASE_ON_TIME),
        ("阵地保障", "服务中心运行", 250, ""),
    ):
        parent = asvc.indicator_add(**SYS, indicator_set=s, data=asvc.IndicatorInput(name=top))
        asvc.indicator_add(
            **SYS,
            indicator_set=s,
            data=asvc.IndicatorInput(name=leaf, weight=points, parent=parent, metric=metric),
        )
    asvc.indicator_set_publish(**SYS, indicator_set=s)
    return s


def test_a_quarter_walked_self_score_assessor_final(new_context, e2e_world, tmp_path):
    w = e2e_world
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    factories.user("shequ", "street_secretary", org=w["comm_a_org"])  # the community itself
    s = _three_part_set(w)
    desk = new_context(DESKTOP).new_page()
    login(desk, w["url"], "alice", PASSWORD)
    desk.goto(f"{w['url']}/appraisal/sets/{s.pk}/")
    expect(desk.get_by_test_id("leaf-total")).to_contain_text("1000")
    desk.get_by_label("被考评党组织").select_option(label="紫金社区党委")
    desk.get_by_role("button", name="开始考评").click()
    a = Assessment.objects.get()
    ids = {sc.indicator.name: sc.indicator_id for sc in a.scores.select_related("indicator")}

    community = new_context(PHONE).new_page()
    login(community, w["url"], "shequ", PASSWORD)
    community.goto(f"{w['url']}/appraisal/assessments/{a.pk}/")
    community.get_by_label("三会一课自评分").fill("420")
    community.get_by_label("事件办理自评分").fill("340")
    community.get_by_label("服务中心运行自评分").fill("250")
    community.get_by_role("button", name="提交自评").click()
    expect(community.get_by_test_id("self-error")).to_contain_text("不能超过该项分值400分")
    evidence = tmp_path / "minutes.pdf"
    evidence.write_bytes(b"%PDF-1.4 minutes")
    community.get_by_label("三会一课自评分").fill("390")
    community.locator(f"#evidence_{ids['三会一课']}").set_input_files(str(evidence))
    community.get_by_role("button", name="提交自评").click()
    expect(community.get_by_test_id("assessment-status")).to_have_text("待上级考评")
    expect(community.get_by_test_id("self-total")).to_have_text("980.0")
    community.screenshot(path=str(SCREENSHOTS / "appraisal-assessment-375.png"), full_page=True)

    desk.goto(f"{w['url']}/appraisal/assessments/{a.pk}/")
    expect(desk.get_by_role("link", name="查看佐证")).to_be_visible()
    expect(desk.get_by_test_id(f"metric-{ids['三会一课']}")).to_contain_text("组织生活达标率")
    # The assessor's score inputs scroll inside the table on a phone, not the whole page.
    desk.set_viewport_size(PHONE)
    assert desk.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    desk.set_viewport_size(DESKTOP)
    desk.get_by_label("三会一课考评分").fill("380")
    desk.get_by_label("事件办理考评分").fill("320")
    desk.get_by_label("服务中心运行考评分").fill("240")
    desk.get_by_role("button", name="确认评分并进入申诉期").click()
    expect(desk.get_by_test_id("assessment-status")).to_have_text("申诉期")
    desk.get_by_role("button", name="申诉期满，确定最终得分").click()
    expect(desk.get_by_test_id("assessment-status")).to_have_text("已定分")
    expect(desk.get_by_test_id("final-total")).to_have_text("940.0")
    expect(desk.get_by_test_id("radar")).to_be_visible()
    desk.screenshot(path=str(SCREENSHOTS / "appraisal-assessment-1280.png"), full_page=True)
    desk.goto(f"{w['url']}/appraisal/sets/{s.pk}/")
    expect(desk.get_by_test_id("ranking-1")).to_contain_text("紫金社区党委")
