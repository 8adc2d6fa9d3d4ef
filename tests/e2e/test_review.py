"""In Chromium: the annual 民主评议党员 of a branch of six. The secretary opens it; three members,
each on a phone (375 px), write their self-assessment and cast the anonymous mutual ballot;
the secretary sees only the tally, is refused three 优秀 with the numbers, proposes two with
each member's 锋领指数 beside the grade, and records the 党员大会's decision. Pages are saved at
1280 and 375 px (test-artifacts/screenshots/review-*) and checked with axe."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tests.points.conftest import attend, held_meeting
from tongxin.core.scope import Scope
from tongxin.points.models import BallotCast, MemberReview, ReviewGrade, ReviewState
from tongxin.points.rules import seed_default_rule_sets
from tongxin.points.services import points_collect

pytestmark = pytest.mark.e2e


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=SCREENSHOTS / f"review-{name}-{label}.png", full_page=True)
        if label == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name} scrolls sideways at 375 px ({width})"
    page.set_viewport_size(DESKTOP)


def test_the_annual_review_from_self_assessment_to_the_general_meeting(new_context, e2e_world):
    w = e2e_world
    url = w["url"]
    seed_default_rule_sets()
    more = [factories.member(w["branch_a1"], name=n) for n in ("陈亮", "刘洋", "周敏", "吴静")]
    branch = [w["m_a1"], w["m_a1b"], *more]
    voters = [("zhanghong", w["m_a1"]), ("liming", w["m_a1b"]), ("chenliang", more[0])]
    for username, member in voters:
        factories.user(username, "member", org=w["branch_a1"], member=member)
    # 张红 attended this month's 党员大会: her points stand above the base of 60.
    today = timezone.localdate()
    attend(held_meeting(w["branch_a1"], today, title="十二月支部党员大会"), w["m_a1"])
    points_collect(
        actor=None, scope=Scope.everything(), start=today, end=today + dt.timedelta(days=1)
    )

    # bob, the branch secretary, opens this year's review.
    staff = new_context(DESKTOP).new_page()
    staff.set_default_timeout(30_000)
    login(staff, url, "bob", PASSWORD)
    staff.goto(f"{url}/points/reviews/?org={w['branch_a1'].pk}")
    staff.get_by_test_id("open-review").click()
    expect(staff.get_by_test_id("review-state")).to_contain_text("自评互评中")
    review = MemberReview.objects.get()

    # Three members on their phones: the self-assessment, then the ballot.
    for i, (username, member) in enumerate(voters):
        phone = new_context(PHONE).new_page()
        phone.set_default_timeout(30_000)
        login(phone, url, username, PASSWORD)
        phone.goto(f"{url}/points/reviews/mine/")
        expect(phone.get_by_label(member.name, exact=True)).to_have_count(0)  # never oneself
        if i == 0:
            shoot(phone, "mine")
        phone.get_by_label("对照党员标准，写一写自己一年来的表现和不足").fill(
            f"{member.name}：按时参加三会一课，带头参加志愿服务；理论学习还不够深入。"
        )
        phone.get_by_role("button", name="提交自评").click()
        expect(phone.get_by_test_id("assessed")).to_be_visible()
        # Everyone gives 陈亮 优秀 (陈亮 grades 张红 优秀 instead).
        target = "张红" if member.name == "陈亮" else "陈亮"
        phone.get_by_label(target, exact=True).select_option(label="优秀")
        phone.get_by_test_id("cast").click()
        expect(phone.locator(".alert")).to_contain_text("任何人都看不到单张选票")
        expect(phone.get_by_test_id("voted")).to_be_visible()
        if i == 0:
            shoot(phone, "voted")
    assert BallotCast.objects.filter(review=review).count() == 3

    # The secretary sees the self-assessments and the tally, never a ballot.
    staff.reload()
    expect(staff.get_by_test_id("review-state")).to_contain_text("已有 3 人投票")
    rows = staff.get_by_test_id("review-row")
    chen_row = rows.filter(has_text="陈亮")
    expect(chen_row).to_contain_text("优秀 2")
    expect(chen_row).to_contain_text("理论学习还不够深入")
    # The points year is in front of the committee before it proposes.
    expect(rows.filter(has_text="张红").get_by_test_id("points")).to_have_text("63")
    expect(chen_row.get_by_test_id("points")).to_have_text("60")
    shoot(staff, "tally")

    # Three 优秀 of six is more than one third: refused with the numbers, nothing saved.
    for m in (w["m_a1"], more[0], more[1]):
        staff.get_by_label(f"{m.name} 的等次").select_option(label="优秀")
    staff.get_by_test_id("propose-grades").click()
    expect(staff.locator(".alert")).to_contain_text("参评6人，最多2人评为优秀，现提出3人")
    shoot(staff, "too-many")
    assert not ReviewGrade.objects.exists()

    # Two 优秀: the proposal is kept with each member's points of the year beside it.
    staff.goto(f"{url}/points/reviews/{review.pk}/")
    for m in (w["m_a1"], more[0]):
        staff.get_by_label(f"{m.name} 的等次").select_option(label="优秀")
    staff.get_by_test_id("propose-grades").click()
    expect(staff.locator(".alert")).to_contain_text("已保存支委会的等次意见")
    expect(staff.get_by_test_id("review-state")).to_contain_text("支委会已提出意见")
    expect(rows.filter(has_text="张红").get_by_test_id("points")).to_have_text("63")
    assert ReviewGrade.objects.get(member=w["m_a1"]).points_score == 63
    assert ReviewGrade.objects.filter(review=review).count() == len(branch)
    shoot(staff, "proposed")

    # The 党员大会 decides.
    staff.get_by_label("党员大会日期").fill(timezone.localdate().isoformat())
    staff.get_by_test_id("decide").click()
    expect(staff.locator(".alert")).to_contain_text("已记录党员大会的决定")
    expect(staff.get_by_test_id("review-state")).to_contain_text("党员大会已决定")
    expect(rows.filter(has_text="陈亮").get_by_test_id("final")).to_have_text("优秀")
    expect(rows.filter(has_text="李明").get_by_test_id("final")).to_have_text("合格")
    shoot(staff, "decided")
    assert MemberReview.objects.get().state == ReviewState.DECIDED
    assert ReviewGrade.objects.filter(final="excellent").count() == 2

    # The review is over: a member's page says there is none open.
    late = new_context(PHONE).new_page()
    login(late, url, "liming", PASSWORD)
    late.goto(f"{url}/points/reviews/mine/")
    expect(late.get_by_test_id("no-review")).to_be_visible()
