"""Issue 13 item 3: a sign-up belongs to the person wherever it was made, and one attendance
credits one duration however it was recorded (补记, 签到/签退 by code or card)."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from tests.helpers import texts
from tests.stranger_setup import scope_of
from tests.volunteering.conftest import make_activity
from tongxin.core.errors import ServiceError
from tongxin.demo.loader import DemoContext
from tongxin.meetings import card
from tongxin.volunteering import demo as volunteering_demo
from tongxin.volunteering import selectors, services
from tongxin.volunteering.models import SignUp, SignUpStatus, VolunteerHours

J = "application/json"


@pytest.fixture
def enrolled(world, activity):
    """A place kept for 张红 (the member) by the organizer: no account on the row, as the
    demo and an organizer's enrolment write it."""
    return SignUp.objects.create(
        activity=activity,
        user=None,
        name="张红",
        member=world["m_a1"],
        status=SignUpStatus.CONFIRMED,
    )


def test_the_members_account_sees_the_sign_up_made_for_the_member(
    world, activity, enrolled, member_user, client_for
):
    c = client_for(member_user)
    # the button and 我的活动 agree: the account is signed up
    assert selectors.live_signup(member_user, activity) == enrolled
    assert "楼道清洁志愿服务" in texts(c.get("/volunteering/mine/"))
    assert "取消报名" in texts(c.get(f"/volunteering/{activity.pk}/"))
    r = c.post(f"/volunteering/{activity.pk}/signup/", follow=True)
    assert "您已报名该活动，不能重复报名" in texts(r)
    r = c.post(f"/api/v1/volunteering/activities/{activity.pk}/signup")
    assert r.status_code == 409 and "不能重复报名" in r.json()["message"]
    assert [s["id"] for s in c.get("/api/v1/volunteering/signups/mine").json()] == [enrolled.pk]
    assert SignUp.objects.filter(activity=activity).count() == 1
    # and may check in with the venue's code and check out as the person
    services.check_in_by_code(
        scope=scope_of(member_user),
        actor=member_user,
        activity=activity,
        code=activity.checkin_code,
    )
    SignUp.objects.filter(pk=enrolled.pk).update(
        checked_in_at=timezone.now() - dt.timedelta(minutes=40)
    )
    r = c.post(f"/volunteering/signups/{enrolled.pk}/check-out/", follow=True)
    assert "已签退" in texts(r)
    # credited from the activity's start (30 minutes ago): the later of start and check-in
    assert selectors.total_minutes(selectors.my_hours(member_user)) >= 29


def test_a_stranger_cannot_take_the_members_sign_up(world, activity, enrolled, client_for):
    c = client_for(world["charlie"])
    assert c.post(f"/volunteering/signups/{enrolled.pk}/cancel/").status_code == 404
    assert c.post(f"/volunteering/signups/{enrolled.pk}/check-out/").status_code == 404
    assert c.post(f"/api/v1/volunteering/signups/{enrolled.pk}/cancel").status_code == 404
    assert c.get("/api/v1/volunteering/signups/mine").json() == []
    assert "楼道清洁志愿服务" not in texts(c.get("/volunteering/mine/"))
    assert SignUp.objects.get(pk=enrolled.pk).status == SignUpStatus.CONFIRMED


def _checked_in(world, activity, resident, minutes_ago=91):
    s = services.signup_create(scope=scope_of(resident), actor=resident, activity=activity)
    services.check_in_by_code(
        scope=scope_of(resident), actor=resident, activity=activity, code=activity.checkin_code
    )
    SignUp.objects.filter(pk=s.pk).update(
        checked_in_at=timezone.now() - dt.timedelta(minutes=minutes_ago)
    )
    s.refresh_from_db()
    return s


def test_check_out_after_a_recorded_duration_is_refused(world, team, resident):
    a = make_activity(world, team, start=timezone.now() - dt.timedelta(hours=2))
    s = _checked_in(world, a, resident)
    services.hours_record(
        scope=scope_of(world["alice"]), actor=world["alice"], signup=s, minutes=90
    )
    with pytest.raises(ServiceError) as exc:
        services.check_out(scope=scope_of(resident), actor=resident, signup=s)
    assert "已记录1小时30分钟" in exc.value.message and "更正" in exc.value.message
    s.refresh_from_db()
    assert s.checked_out_at is None
    assert list(VolunteerHours.objects.values_list("minutes", flat=True)) == [90]


def test_a_record_after_check_out_is_refused_until_corrected(world, team, resident):
    a = make_activity(world, team, start=timezone.now() - dt.timedelta(hours=2))
    s = _checked_in(world, a, resident, minutes_ago=60)
    entry = services.check_out(scope=scope_of(resident), actor=resident, signup=s)
    with pytest.raises(ServiceError) as exc:
        services.hours_record(
            scope=scope_of(world["alice"]), actor=world["alice"], signup=s, minutes=90
        )
    assert "同一次服务只计一次时长" in exc.value.message
    assert VolunteerHours.objects.count() == 1
    # a correction to 0 reverses it; then a new record for the attendance is taken
    services.hours_correct(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        entry=entry,
        minutes=0,
        note="改为补记",
    )
    services.hours_record(
        scope=scope_of(world["alice"]), actor=world["alice"], signup=s, minutes=90
    )
    assert selectors.credited_minutes(s) == 90


def test_card_check_in_then_a_second_record_is_refused(world, activity, member_user):
    s = services.signup_create(scope=scope_of(member_user), actor=member_user, activity=activity)
    services.check_in_by_card(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        activity=activity,
        text=card.short_code(world["m_a1"].pk),
    )
    SignUp.objects.filter(pk=s.pk).update(checked_in_at=timezone.now() - dt.timedelta(minutes=20))
    services.check_out(scope=scope_of(world["alice"]), actor=world["alice"], signup=s)
    with pytest.raises(ServiceError):
        services.hours_record(
            scope=scope_of(world["alice"]), actor=world["alice"], signup=s, minutes=30
        )
    assert VolunteerHours.objects.filter(signup=s).count() == 1


def test_the_roster_page_and_the_api_refuse_a_second_record(world, team, resident, client_for):
    a = make_activity(world, team, start=timezone.now() - dt.timedelta(hours=2))
    s = _checked_in(world, a, resident)
    o = client_for(world["alice"])
    o.post(f"/volunteering/roster/{s.pk}/hours/", {"minutes": "90"})
    body = texts(o.get(f"/volunteering/{a.pk}/manage/"))
    assert "已计入 1小时30分钟" in body
    r = o.post(f"/volunteering/roster/{s.pk}/check-out/", follow=True)
    assert "同一次服务只计一次时长" in texts(r)
    r = o.post(f"/api/v1/volunteering/signups/{s.pk}/hours", {"minutes": 30}, content_type=J)
    assert r.status_code == 409 and "更正" in r.json()["message"]
    v = client_for(resident)
    r = v.post(f"/api/v1/volunteering/signups/{s.pk}/check-out")
    assert r.status_code == 409 and "同一次服务只计一次时长" in r.json()["message"]
    page = texts(v.get(f"/volunteering/{a.pk}/"))
    assert "本次服务已计入 1小时30分钟" in page and "签退</button>" not in page
    assert list(VolunteerHours.objects.values_list("minutes", flat=True)) == [90]
    # the stranger can neither record nor check out
    c = client_for(world["charlie"])
    assert c.post(f"/volunteering/roster/{s.pk}/hours/", {"minutes": "5"}).status_code == 404
    assert c.post(f"/api/v1/volunteering/signups/{s.pk}/check-out").status_code == 404


def test_the_demos_sign_ups_belong_to_the_demo_members_account(world, member_user, client_for):
    ctx = DemoContext(
        scale="town", seed=1, today=timezone.localdate(), rng=random.Random(1), say=lambda _m: None
    )
    volunteering_demo.load(ctx)
    mine = SignUp.objects.filter(member=world["m_a1"])
    assert mine.exists() and set(mine.values_list("user_id", flat=True)) == {member_user.pk}
    assert not SignUp.objects.filter(
        member__isnull=False, user__isnull=True, member__in=[world["m_a1"]]
    ).exists()
    c = client_for(member_user)
    coming = mine.filter(activity__start__gt=timezone.now()).select_related("activity").first()
    assert coming is not None
    assert coming.activity.title in texts(c.get("/volunteering/mine/"))
    r = c.post(f"/volunteering/{coming.activity_id}/signup/", follow=True)
    assert "不能重复报名" in texts(r)
    # the demo's past hours are the member's own
    demo_hours = VolunteerHours.objects.filter(member=world["m_a1"])
    assert set(demo_hours.values_list("user_id", flat=True)) <= {member_user.pk}
    assert selectors.total_minutes(selectors.my_hours(member_user)) == selectors.total_minutes(
        demo_hours
    )
    volunteering_demo.wipe()
