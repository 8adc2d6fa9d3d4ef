"""A resident on a phone signs up for a volunteer activity, is checked in with the code shown at
the venue, checks out, and the hours appear in their ledger and in the organizer's ranking."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from tests import factories
from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tests.stranger_setup import scope_of
from tongxin.accounts.models import Resident
from tongxin.volunteering import services
from tongxin.volunteering.models import SignUp, VolunteerHours

pytestmark = pytest.mark.e2e


def test_resident_signs_up_checks_in_by_code_and_hours_appear(new_context, e2e_world):
    w = e2e_world
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    team = services.team_create(
        scope=scope_of(None),
        actor=None,
        name="紫金社区党员志愿服务队",
        org=w["comm_a_org"],
        area=w["comm_a"],
    )
    now = timezone.now()
    activity = services.activity_create(
        scope=scope_of(None),
        actor=None,
        team=team,
        title="楼道清洁志愿服务",
        place="紫金花园3幢",
        start=now - dt.timedelta(minutes=50),
        end=now + dt.timedelta(hours=2),
        slots=5,
    )
    u = factories.user("wangayi")
    Resident.objects.create(user=u, name="王阿姨", home=w["compound_a"])

    phone = new_context(PHONE).new_page()
    login(phone, w["url"], "wangayi", PASSWORD)
    phone.goto(f"{w['url']}/centers/")
    phone.get_by_role("link", name="活动报名").click()
    phone.get_by_role("link", name="楼道清洁志愿服务").click()
    phone.get_by_role("button", name="我要报名").click()
    expect(phone.get_by_text("报名成功")).to_be_visible()
    phone.screenshot(path=str(SCREENSHOTS / "volunteering-signup-375.png"), full_page=True)

    # the organizer shows the code at the venue
    desk = new_context(DESKTOP).new_page()
    login(desk, w["url"], "alice", PASSWORD)
    desk.goto(f"{w['url']}/volunteering/{activity.pk}/manage/")
    code = desk.get_by_test_id("checkin-code").inner_text().strip()
    expect(desk.get_by_role("cell", name="王阿姨")).to_be_visible()

    # a wrong code first, then the right one
    phone.get_by_label("签到码").fill("ZZZZZZ")
    phone.get_by_role("button", name="签到").click()
    expect(phone.get_by_text("签到码不正确")).to_be_visible()
    phone.get_by_label("签到码").fill(code.lower())
    phone.get_by_role("button", name="签到").click()
    expect(phone.get_by_text("签到成功")).to_be_visible()
    # forty minutes of work later
    SignUp.objects.filter(user=u).update(checked_in_at=timezone.now() - dt.timedelta(minutes=40))
    phone.reload()
    phone.get_by_role("button", name="签退").click()
    expect(phone.get_by_role("alert")).to_contain_text("已签退，本次服务40分钟已计入")
    assert VolunteerHours.objects.get(user=u).minutes in (40, 41)

    # the same attendance cannot be credited twice: the roster shows it credited, offers no
    # 补记, and a replayed 补记 is refused with the way to correct it
    desk.reload()
    expect(desk.get_by_test_id("credited")).to_contain_text("已计入 40分钟")
    desk.screenshot(path=str(SCREENSHOTS / "volunteering-manage-1280.png"), full_page=True)
    organizer_phone = new_context(PHONE).new_page()
    login(organizer_phone, w["url"], "alice", PASSWORD)
    organizer_phone.goto(f"{w['url']}/volunteering/{activity.pk}/manage/")
    expect(organizer_phone.get_by_test_id("credited")).to_be_visible()
    organizer_phone.screenshot(
        path=str(SCREENSHOTS / "volunteering-manage-375.png"), full_page=True
    )
    signup = SignUp.objects.get(user=u)
    desk.evaluate(
        """([url, token]) => { const f = document.createElement("form"); f.method = "post";
        f.action = url; for (const [k, v] of [["minutes", "90"], ["csrfmiddlewaretoken", token]]) {
        const i = document.createElement("input"); i.name = k; i.value = v; f.appendChild(i); }
        document.body.appendChild(f); f.submit(); }""",
        [
            f"/volunteering/roster/{signup.pk}/hours/",
            desk.locator("input[name=csrfmiddlewaretoken]").first.input_value(),
        ],
    )
    expect(desk.get_by_role("alert")).to_contain_text("同一次服务只计一次时长")
    assert VolunteerHours.objects.filter(user=u).count() == 1
    phone.reload()
    expect(phone.get_by_test_id("credited")).to_contain_text("本次服务已计入")
    phone.screenshot(path=str(SCREENSHOTS / "volunteering-credited-375.png"), full_page=True)

    phone.goto(f"{w['url']}/volunteering/mine/")
    expect(phone.get_by_test_id("my-total")).to_contain_text("40分钟")
    expect(phone.get_by_test_id("my-hours")).to_contain_text("楼道清洁志愿服务")
    phone.screenshot(path=str(SCREENSHOTS / "volunteering-mine-375.png"), full_page=True)

    desk.goto(f"{w['url']}/volunteering/ranking/?period=all")
    expect(desk.get_by_test_id("rank-people")).to_contain_text("王阿姨")
    expect(desk.get_by_test_id("rank-teams")).to_contain_text("紫金社区党员志愿服务队")
    desk.screenshot(path=str(SCREENSHOTS / "volunteering-ranking-1280.png"), full_page=True)

    # the stranger sees no roster
    other = new_context(DESKTOP).new_page()
    login(other, w["url"], "charlie", PASSWORD)
    r = other.goto(f"{w['url']}/volunteering/{activity.pk}/manage/")
    assert r is not None and r.status == 404
