"""/api/v1/volunteering: every operation, bad input and the stranger."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tongxin.volunteering.models import SignUp, VolunteerHours, VolunteerTeam

J = "application/json"


def test_teams_and_activities(world, team, client_for):
    c = client_for(world["alice"])
    assert c.get("/api/v1/volunteering/teams/").json()["count"] == 1
    r = c.post(
        "/api/v1/volunteering/teams/",
        {"name": "新队", "org_id": world["comm_a_org"].pk},
        content_type=J,
    )
    assert r.status_code == 201
    now = timezone.now()
    r = c.post(
        "/api/v1/volunteering/activities/",
        {
            "team_id": team.pk,
            "title": "义诊",
            "place": "服务站",
            "slots": 3,
            "start": (now + dt.timedelta(days=1)).isoformat(),
            "end": (now + dt.timedelta(days=1, hours=2)).isoformat(),
        },
        content_type=J,
    )
    assert r.status_code == 201 and len(r.json()["checkin_code"]) == 6
    pub = client_for(world["charlie"]).get("/api/v1/volunteering/activities/").json()
    assert pub["count"] == 1 and "checkin_code" not in pub["results"][0]
    # the stranger
    s = client_for(world["charlie"])
    assert s.get("/api/v1/volunteering/teams/").json()["count"] == 0
    r = s.post(
        "/api/v1/volunteering/teams/",
        {"name": "x", "org_id": world["comm_a_org"].pk},
        content_type=J,
    )
    assert r.status_code == 404
    r = s.post(
        "/api/v1/volunteering/activities/",
        {
            "team_id": team.pk,
            "title": "x",
            "place": "x",
            "slots": 3,
            "start": now.isoformat(),
            "end": (now + dt.timedelta(hours=1)).isoformat(),
        },
        content_type=J,
    )
    assert r.status_code == 404
    assert VolunteerTeam.objects.count() == 2


def test_signup_check_in_out_hours_flow(world, activity, resident, member_user, client_for):
    c = client_for(resident)
    base = f"/api/v1/volunteering/activities/{activity.pk}"
    r = c.post(f"{base}/signup")
    assert r.status_code == 201 and r.json()["status"] == "confirmed"
    r = c.post(f"{base}/signup")
    assert r.status_code == 409 and "不能重复报名" in r.json()["message"]
    r = c.post(f"{base}/check-in", {"code": "000000"}, content_type=J)
    assert r.status_code == 400
    r = c.post(f"{base}/check-in", {"code": activity.checkin_code}, content_type=J)
    assert r.status_code == 200 and r.json()["checked_in_at"]
    sid = r.json()["id"]
    SignUp.objects.filter(pk=sid).update(checked_in_at=timezone.now() - dt.timedelta(minutes=30))
    r = c.post(f"/api/v1/volunteering/signups/{sid}/check-out")
    assert r.status_code == 200 and r.json()["minutes"] >= 29
    assert len(c.get("/api/v1/volunteering/hours/mine").json()) == 1
    assert len(c.get("/api/v1/volunteering/signups/mine").json()) == 1
    # organizer: roster, card check-in, hours, ledger, correction, ranking
    m = client_for(member_user)
    msid = m.post(f"{base}/signup").json()["id"]
    o = client_for(world["alice"])
    assert len(o.get(f"{base}/roster").json()) == 2
    from tongxin.meetings import card

    r = o.post(f"{base}/card-check-in", {"code": card.short_code(world["m_a1"].pk)}, content_type=J)
    assert r.status_code == 200, r.content
    r = o.post(f"/api/v1/volunteering/signups/{msid}/hours", {"minutes": -10}, content_type=J)
    assert r.status_code == 400 and "必须大于0" in r.json()["message"]
    r = o.post(f"/api/v1/volunteering/signups/{msid}/hours", {"minutes": 60}, content_type=J)
    assert r.status_code == 201
    eid = r.json()["id"]
    assert o.get("/api/v1/volunteering/hours/").json()["count"] == 2
    r = o.post(
        f"/api/v1/volunteering/hours/{eid}/correct", {"minutes": 45, "note": "多记"}, content_type=J
    )
    assert r.status_code == 201 and [e["minutes"] for e in r.json()] == [-60, 45]
    rank = o.get("/api/v1/volunteering/ranking").json()
    assert {row["name"] for row in rank["members"]} == {"王阿姨", "张红"}
    # the stranger
    s = client_for(world["charlie"])
    assert s.get(f"{base}/roster").status_code == 404
    assert s.post(f"{base}/card-check-in", {"code": "X"}, content_type=J).status_code == 404
    assert (
        s.post(
            f"/api/v1/volunteering/signups/{msid}/hours", {"minutes": 5}, content_type=J
        ).status_code
        == 404
    )
    assert s.post(f"/api/v1/volunteering/signups/{msid}/cancel").status_code == 404
    assert s.post(f"/api/v1/volunteering/signups/{msid}/check-out").status_code == 404
    assert s.get("/api/v1/volunteering/hours/").json()["count"] == 0
    assert (
        s.post(
            f"/api/v1/volunteering/hours/{eid}/correct", {"minutes": 1, "note": "x"}, content_type=J
        ).status_code
        == 404
    )
    assert s.get("/api/v1/volunteering/ranking").json() == {"members": [], "teams": []}
    assert s.get("/api/v1/volunteering/hours/mine").json() == []
    assert VolunteerHours.objects.count() == 4


def test_cancel_promotes_the_waiting_list(world, team, resident, member_user, client_for):
    from tests.volunteering.conftest import make_activity

    a = make_activity(world, team, slots=1)
    base = f"/api/v1/volunteering/activities/{a.pk}"
    first = client_for(member_user).post(f"{base}/signup").json()
    second = client_for(resident).post(f"{base}/signup").json()
    assert second["status"] == "waiting"
    r = client_for(member_user).post(f"/api/v1/volunteering/signups/{first['id']}/cancel")
    assert r.status_code == 200
    assert SignUp.objects.get(pk=second["id"]).status == "confirmed"


def test_team_area_must_lie_in_the_org_area(world, client_for):
    c = client_for(world["alice"])
    # A community out of alice's reach reads exactly like one that does not exist.
    r = c.post(
        "/api/v1/volunteering/teams/",
        {"name": "越界队", "org_id": world["comm_a_org"].pk, "area_id": world["comm_b"].pk},
        content_type=J,
    )
    unknown = c.post(
        "/api/v1/volunteering/teams/",
        {"name": "越界队", "org_id": world["comm_a_org"].pk, "area_id": 987654},
        content_type=J,
    )
    assert r.status_code == unknown.status_code == 400
    assert r.json() == unknown.json() and "area_id" in r.json()["fields"]
    assert "孝闻" not in r.content.decode()
    r = c.post(
        "/api/v1/volunteering/teams/",
        {"name": "小区队", "org_id": world["comm_a_org"].pk, "area_id": world["compound_a"].pk},
        content_type=J,
    )
    assert r.status_code == 400 and "area_id" in r.json()["fields"]
    r = c.post(
        "/api/v1/volunteering/teams/",
        {"name": "社区队", "org_id": world["comm_a_org"].pk, "area_id": world["comm_a"].pk},
        content_type=J,
    )
    assert r.status_code == 201 and r.json()["area_id"] == world["comm_a"].pk
    assert list(VolunteerTeam.objects.values_list("name", flat=True)) == ["社区队"]
