"""Volunteering pages: the resident's phone flow, the organizer's roster, the stranger."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.helpers import texts
from tests.stranger_setup import scope_of
from tests.volunteering.conftest import make_activity, make_resident
from tongxin.core.models import AuditLog
from tongxin.volunteering import services
from tongxin.volunteering.models import SignUp, VolunteerHours, VolunteerTeam


def test_resident_signs_up_checks_in_and_out(world, activity, resident, client_for):
    c = client_for(resident)
    body = texts(c.get("/volunteering/"))
    assert "楼道清洁志愿服务" in body and "tx-phone" in body
    body = texts(c.get(f"/volunteering/{activity.pk}/"))
    assert activity.checkin_code not in body  # the code is shown at the venue only
    c.post(f"/volunteering/{activity.pk}/signup/")
    body = texts(c.get(f"/volunteering/{activity.pk}/"))
    assert "报名成功" in body and "签到码" in body
    r = c.post(f"/volunteering/{activity.pk}/check-in/", {"code": "ZZZZZZ"}, follow=True)
    assert "签到码不正确" in texts(r)
    r = c.post(
        f"/volunteering/{activity.pk}/check-in/", {"code": activity.checkin_code}, follow=True
    )
    assert "签到成功" in texts(r)
    s = SignUp.objects.get()
    SignUp.objects.filter(pk=s.pk).update(checked_in_at=timezone.now() - dt.timedelta(minutes=40))
    r = c.post(f"/volunteering/signups/{s.pk}/check-out/", follow=True)
    assert "已签退" in texts(r)
    body = texts(c.get("/volunteering/mine/"))
    assert "楼道清洁志愿服务" in body and "分钟" in body


def test_waiting_list_message(world, team, resident, member_user, client_for):
    a = make_activity(world, team, slots=1)
    services.signup_create(scope=scope_of(member_user), actor=member_user, activity=a)
    r = client_for(resident).post(f"/volunteering/{a.pk}/signup/", follow=True)
    assert "候补名单" in texts(r)


def test_sign_up_twice_shows_the_message(world, activity, resident, client_for):
    c = client_for(resident)
    c.post(f"/volunteering/{activity.pk}/signup/")
    r = c.post(f"/volunteering/{activity.pk}/signup/", follow=True)
    assert "不能重复报名" in texts(r)
    assert SignUp.objects.count() == 1


def test_organizer_roster_card_check_in_and_hours(world, activity, member_user, client_for):
    from tongxin.meetings import card

    services.signup_create(scope=scope_of(member_user), actor=member_user, activity=activity)
    c = client_for(world["alice"])
    body = texts(c.get(f"/volunteering/{activity.pk}/manage/"))
    assert activity.checkin_code in body and "张红" in body
    r = c.post(
        f"/volunteering/{activity.pk}/manage/",
        {"card": card.short_code(world["m_a1"].pk)},
        follow=True,
    )
    assert "张红签到成功" in texts(r)
    s = SignUp.objects.get()
    r = c.post(f"/volunteering/roster/{s.pk}/hours/", {"minutes": "-5"}, follow=True)
    assert "必须大于0" in texts(r) and VolunteerHours.objects.count() == 0
    r = c.post(f"/volunteering/roster/{s.pk}/hours/", {"minutes": "2000"}, follow=True)
    assert "不能超过24小时" in texts(r) and VolunteerHours.objects.count() == 0
    c.post(f"/volunteering/roster/{s.pk}/hours/", {"minutes": "90"})
    e = VolunteerHours.objects.get()
    body = texts(c.get("/volunteering/hours/"))
    assert "张红" in body and "1小时30分钟" in body
    c.post(f"/volunteering/hours/{e.pk}/correct/", {"minutes": "60", "note": "多记"})
    assert sorted(VolunteerHours.objects.values_list("minutes", flat=True)) == [-90, 60, 90]
    body = texts(c.get("/volunteering/ranking/?period=all"))
    assert "张红" in body and "1小时" in body and "紫金社区党员志愿服务队" in body
    assert "张红" in texts(client_for(world["bob"]).get("/volunteering/branch/"))


def test_organizer_creates_team_and_activity(world, client_for):
    c = client_for(world["alice"])
    assert c.get("/volunteering/teams/new/").status_code == 200
    r = c.post(
        "/volunteering/teams/new/",
        {"name": "南门红马甲", "org": world["street_a"].pk, "is_party_member_team": "on"},
    )
    assert r.status_code == 302, texts(r)
    team = VolunteerTeam.objects.get(name="南门红马甲")
    start = timezone.localtime() + dt.timedelta(days=2)
    fmt = "%Y-%m-%dT%H:%M"
    r = c.post(
        "/volunteering/new/",
        {
            "team": team.pk,
            "title": "敬老院慰问",
            "place": "南门敬老院",
            "slots": "0",
            "start": start.strftime(fmt),
            "end": (start - dt.timedelta(hours=1)).strftime(fmt),
        },
    )
    assert r.status_code == 200 and "名额应在1至10000之间" in texts(r)
    r = c.post(
        "/volunteering/new/",
        {
            "team": team.pk,
            "title": "敬老院慰问",
            "place": "南门敬老院",
            "slots": "5",
            "start": start.strftime(fmt),
            "end": (start + dt.timedelta(hours=2)).strftime(fmt),
            "waitlist": "on",
            "open_to_residents": "on",
        },
    )
    assert r.status_code == 302
    assert "敬老院慰问" in texts(c.get("/volunteering/teams/"))


def test_stranger_sees_no_roster_code_hours_or_teams(world, activity, member_user, client_for):
    s = services.signup_create(scope=scope_of(member_user), actor=member_user, activity=activity)
    e = services.hours_record(scope=scope_of(None), actor=None, signup=s, minutes=30)
    c = client_for(world["charlie"])
    before = (SignUp.objects.count(), VolunteerHours.objects.count(), AuditLog.objects.count())
    # the public call for volunteers is visible, its code and roster are not
    body = texts(c.get(f"/volunteering/{activity.pk}/"))
    assert activity.checkin_code not in body and "签到管理" not in body
    assert c.get(f"/volunteering/{activity.pk}/manage/").status_code == 404
    assert c.post(f"/volunteering/{activity.pk}/manage/", {"card": "X"}).status_code == 404
    assert c.post(f"/volunteering/roster/{s.pk}/check-out/").status_code == 404
    assert c.post(f"/volunteering/roster/{s.pk}/hours/", {"minutes": 5}).status_code == 404
    assert c.post(f"/volunteering/signups/{s.pk}/cancel/").status_code == 404
    assert c.post(f"/volunteering/signups/{s.pk}/check-out/").status_code == 404
    assert (
        c.post(f"/volunteering/hours/{e.pk}/correct/", {"minutes": 1, "note": "x"}).status_code
        == 404
    )
    for url in ("/volunteering/teams/", "/volunteering/hours/", "/volunteering/ranking/"):
        r = c.get(url)
        assert (
            r.status_code == 200
            and "张红" not in texts(r)
            and "紫金社区党员志愿服务队" not in texts(r)
        )
    assert "张红" not in texts(c.get("/volunteering/branch/"))
    assert "张红" not in texts(c.get("/volunteering/mine/"))
    assert c.get(f"/volunteering/ranking/?org={world['comm_a_org'].pk}").status_code == 404
    assert before == (
        SignUp.objects.count(),
        VolunteerHours.objects.count(),
        AuditLog.objects.count(),
    )


def test_resident_without_perm_gets_404_on_staff_pages(world, resident, client_for):
    c = client_for(resident)
    for url in (
        "/volunteering/teams/",
        "/volunteering/hours/",
        "/volunteering/ranking/",
        "/volunteering/teams/new/",
        "/volunteering/new/",
        "/volunteering/branch/",
    ):
        assert c.get(url).status_code == 404, url


def test_dashboard_shows_the_panels(world, activity, client_for):
    body = texts(client_for(world["alice"]).get("/"))
    assert 'data-testid="panel-volunteering"' in body and 'data-testid="panel-centers"' in body


@pytest.mark.parametrize("n", [3, 30])
def test_activity_list_query_count_is_constant(
    world, team, resident, client_for, django_assert_num_queries, n
):
    for i in range(n):
        make_activity(world, team, title=f"活动{i}")
    c = client_for(resident)
    # 1 session, 2 user, 3 role assignments (Scope), 4 COUNT, 5 the page's rows with the
    # team joined and confirmed sign-ups counted, 6-8 session save
    with django_assert_num_queries(8):
        assert c.get("/volunteering/").status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_staff_lists_query_count_is_constant(
    world, team, member_user, client_for, django_assert_num_queries, n
):
    for i in range(n):
        u = make_resident(world, f"r{i}", f"居民{i}")
        a = make_activity(world, team, title=f"活动{i}", slots=2)
        s = services.signup_create(scope=scope_of(u), actor=u, activity=a)
        services.hours_record(scope=scope_of(None), actor=None, signup=s, minutes=30)
        s = services.signup_create(scope=scope_of(member_user), actor=member_user, activity=a)
        services.hours_record(scope=scope_of(None), actor=None, signup=s, minutes=20)
        services.team_create(
            scope=scope_of(None), actor=None, name=f"队{i}", org=world["comm_a_org"]
        )
    c = client_for(world["alice"])
    # 1 session, 2 user, 3 role assignments, 4 COUNT, 5 the ledger rows with team and
    # activity joined, 6-8 session save
    with django_assert_num_queries(8):
        assert c.get("/volunteering/hours/").status_code == 200
    # 1-3 as above, 4 COUNT, 5 teams with org and area, 6 the ten latest activities (the
    # session is not saved again within the minute)
    with django_assert_num_queries(6):
        assert c.get("/volunteering/teams/").status_code == 200
    # 1-3, 4 people ranking, 5 team ranking
    with django_assert_num_queries(5):
        assert c.get("/volunteering/ranking/").status_code == 200
    # 1-3, 4 COUNT, 5 rows
    with django_assert_num_queries(5):
        assert c.get("/volunteering/branch/").status_code == 200


def test_stranger_cannot_create_under_another_street(world, team, client_for):
    c = client_for(world["charlie"])
    r = c.post("/volunteering/teams/new/", {"name": "越权队", "org": world["comm_a_org"].pk})
    assert r.status_code == 200 and not VolunteerTeam.objects.filter(name="越权队").exists()
    start = timezone.localtime() + dt.timedelta(days=2)
    fmt = "%Y-%m-%dT%H:%M"
    r = c.post(
        "/volunteering/new/",
        {
            "team": team.pk,
            "title": "越权活动",
            "place": "x",
            "slots": "5",
            "start": start.strftime(fmt),
            "end": (start + dt.timedelta(hours=1)).strftime(fmt),
        },
    )
    assert r.status_code == 200
    from tongxin.volunteering.models import Activity

    assert not Activity.objects.filter(title="越权活动").exists()
    assert "紫金社区党员志愿服务队" not in texts(c.get("/volunteering/new/"))
