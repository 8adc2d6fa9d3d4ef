"""In Chromium: a member attends a meeting and volunteers; the hourly collection puts the points
in the ledger and the member sees them with their sources on the phone; the branch secretary
proposes an award with a photo, the street secretary approves it (the proposer may not); the
branch closes the month; the member sees their rank and tier. Pages are saved at 1280 and
375 px (test-artifacts/screenshots/points-*)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests import factories
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tests.points.conftest import PNG, attend, held_meeting
from tongxin.core.scope import Scope
from tongxin.points.models import ScoreSnapshot
from tongxin.points.rules import seed_default_rule_sets
from tongxin.points.services import points_collect
from tongxin.volunteering import services as volunteering
from tongxin.volunteering.models import SignUp, SignUpStatus

pytestmark = pytest.mark.e2e


def shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for label, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(viewport)
        page.screenshot(path=SCREENSHOTS / f"points-{name}-{label}.png", full_page=True)
        if label == "phone":
            width = page.evaluate("document.documentElement.scrollWidth")
            assert width <= PHONE["width"], f"{name} scrolls sideways at 375 px ({width})"
    page.set_viewport_size(DESKTOP)


def _volunteer(w: dict, member) -> None:
    system = {"scope": Scope.everything(), "actor": None}
    team = volunteering.team_create(
        **system, name="紫金社区党员志愿服务队", org=w["comm_a_org"], area=w["comm_a"]
    )
    now = timezone.now()
    activity = volunteering.activity_create(
        **system,
        team=team,
        title="楼道清洁志愿服务",
        place="紫金花园3幢",
        start=now - dt.timedelta(hours=3),
        end=now - dt.timedelta(hours=1),
        slots=5,
        open_to_residents=False,
    )
    signup = SignUp.objects.create(
        activity=activity, name=member.name, member=member, status=SignUpStatus.CONFIRMED
    )
    volunteering.hours_record(**system, signup=signup, minutes=120)


def test_points_from_what_the_member_did_to_rank_and_tier(new_context, e2e_world, tmp_path):
    w = e2e_world
    url, zhang = w["url"], w["m_a1"]
    seed_default_rule_sets()
    factories.user("zhanghong", "member", org=w["branch_a1"], member=zhang)
    today = timezone.localdate()
    attend(held_meeting(w["branch_a1"], today, title="十二月支部党员大会"), zhang)
    _volunteer(w, zhang)
    # The hourly task's work: every source into the ledger.
    points_collect(
        actor=None,
        scope=Scope.everything(),
        start=today - dt.timedelta(days=5),
        end=today + dt.timedelta(days=1),
    )

    # The member, on the phone: the points and where each came from.
    member_page = new_context(PHONE).new_page()
    member_page.set_default_timeout(30_000)
    login(member_page, url, "zhanghong", PASSWORD)
    member_page.goto(f"{url}/points/mine/")
    ledger = member_page.get_by_test_id("ledger")
    expect(ledger).to_contain_text("十二月支部党员大会")
    expect(ledger).to_contain_text("楼道清洁志愿服务")
    expect(member_page.get_by_test_id("score")).to_have_text("65")
    shoot(member_page, "mine")

    # bob (branch committee) proposes an award with a photo.
    staff = new_context(DESKTOP).new_page()
    staff.set_default_timeout(30_000)
    login(staff, url, "bob", PASSWORD)
    staff.goto(f"{url}/points/members/{zhang.pk}/")
    staff.get_by_test_id("propose-link").click()
    staff.get_by_label("积分项").select_option(label="获得表彰、先进事迹（+5.0）")
    staff.get_by_label("事由").fill("获评街道“最美志愿者”")
    photo = tmp_path / "表彰.png"
    photo.write_bytes(PNG)
    staff.get_by_label("证明材料（照片或PDF）").set_input_files(str(photo))
    shoot(staff, "propose")
    staff.get_by_role("button", name="提交").click()
    expect(staff.get_by_role("heading", name="张红 的锋领指数")).to_be_visible()

    # bob may not approve his own proposal.
    staff.goto(f"{url}/points/awards/")
    staff.get_by_role("button", name="批准", exact=True).click()
    expect(staff.locator(".alert")).to_contain_text("不能审批自己提出的申报")

    # alice (the street's secretary) approves.
    approver = new_context(DESKTOP).new_page()
    approver.set_default_timeout(30_000)
    login(approver, url, "alice", PASSWORD)
    approver.goto(f"{url}/points/awards/")
    expect(approver.get_by_test_id("award-row")).to_contain_text("张红")
    shoot(approver, "awards")
    approver.get_by_role("button", name="批准", exact=True).click()
    expect(approver.locator(".alert")).to_contain_text("已批准，计入5分")

    # bob closes the month for the branch.
    staff.goto(f"{url}/points/?org={w['branch_a1'].pk}")
    expect(staff.get_by_test_id("branch-ranking")).to_contain_text("张红")
    staff.get_by_test_id("close-month").click()
    expect(staff.get_by_test_id("closed")).to_be_visible()
    shoot(staff, "ranking")
    assert ScoreSnapshot.objects.filter(member=zhang).count() == 1

    # The member sees their rank and tier.
    member_page.goto(f"{url}/points/mine/")
    expect(member_page.get_by_test_id("score")).to_have_text("70")
    expect(member_page.get_by_test_id("rank")).to_have_text("1/2")
    expect(member_page.get_by_test_id("tier")).to_have_text("合格")
    expect(member_page.locator("body")).to_contain_text("已结账：支部第1名（共2人），合格")
    shoot(member_page, "mine-closed")
