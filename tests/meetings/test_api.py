"""/api/v1/meetings: list, create, record, check-in, compliance; and the stranger."""

from __future__ import annotations

import datetime as dt

from tests.meetings.conftest import counts, plan
from tongxin.meetings import card, selectors
from tongxin.meetings.models import Attendance, Meeting

API = "/api/v1/meetings"


def test_list_create_record_check_in_and_compliance(world, client_for):
    c = client_for(world["bob"])
    today = selectors.local_today()
    r = c.post(
        f"{API}/",
        {
            "org_id": world["branch_a1"].pk,
            "kind": "theme_day",
            "title": "主题党日",
            "date": today.isoformat(),
            "start_time": "00:00",
            "end_time": "00:30",
        },
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    pk = r.json()["id"]
    r = c.get(f"{API}/")
    assert [m["id"] for m in r.json()["results"]] == [pk]
    r = c.post(
        f"{API}/{pk}/checkin",
        {"code": card.issue_token(world["m_a1"].pk)},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["member_name"] == "张红"
    r = c.post(
        f"{API}/{pk}/record",
        {
            "title": "主题党日",
            "presenter": "张红",
            "recorder": "李明",
            "content": "学习。",
            "attendance": [{"member_id": world["m_a1b"].pk, "state": "absent", "reason": "出差"}],
        },
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "held"
    assert r.json()["present_count"] == 1
    r = c.get(f"{API}/compliance")
    row = r.json()["results"][0]
    assert row["id"] == world["branch_a1"].pk
    assert {k["kind"]: k["state"] for k in row["kinds"]}["theme_day"] == "met"


def test_api_bad_inputs_are_chinese_and_write_nothing(world, client_for):
    c = client_for(world["bob"])
    m = plan(world["branch_a1"])
    future = plan(world["branch_a1"], day=selectors.local_today() + dt.timedelta(days=2))
    before = counts()
    for code in ["TX1:bad", card.issue_token(world["m_b1"].pk), "", "QQQQQQ"]:
        r = c.post(f"{API}/{m.pk}/checkin", {"code": code}, content_type="application/json")
        assert r.status_code == 400 and r.json()["message"], (code, r.content)
    r = c.post(
        f"{API}/{future.pk}/record",
        {"title": "t", "presenter": "p", "recorder": "r", "content": "c"},
        content_type="application/json",
    )
    assert r.status_code == 400 and "还未到" in r.json()["message"]
    r = c.post(
        f"{API}/",
        {
            "org_id": world["branch_a1"].pk,
            "kind": "lecture",
            "title": "x",
            "date": "2026-01-01",
            "start_time": "10:00",
            "end_time": "09:00",
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and "end_time" in r.json()["fields"]
    assert counts() == before


def test_api_stranger_sees_nothing(world, client_for):
    m = plan(world["branch_a1"])
    c = client_for(world["charlie"])
    before = counts()
    assert c.get(f"{API}/{m.pk}").status_code == 404
    assert c.get(f"{API}/", {"org_id": world["branch_a1"].pk}).status_code == 404
    assert c.get(f"{API}/").json()["count"] == 0
    assert c.get(f"{API}/compliance", {"org_id": world["branch_a1"].pk}).status_code == 404
    assert [r["id"] for r in c.get(f"{API}/compliance").json()["results"]] == [
        world["branch_b1"].pk
    ]
    r = c.post(
        f"{API}/{m.pk}/checkin",
        {"code": card.issue_token(world["m_a1"].pk)},
        content_type="application/json",
    )
    assert r.status_code == 404
    r = c.post(
        f"{API}/{m.pk}/record",
        {"title": "t", "presenter": "p", "recorder": "r", "content": "c"},
        content_type="application/json",
    )
    assert r.status_code == 404
    r = c.post(
        f"{API}/",
        {
            "org_id": world["branch_a1"].pk,
            "kind": "lecture",
            "title": "x",
            "date": "2026-01-01",
            "start_time": "09:00",
            "end_time": "10:00",
        },
        content_type="application/json",
    )
    assert r.status_code == 404
    assert counts() == before and not Attendance.objects.exists()
    assert Meeting.objects.get(pk=m.pk).status == "planned"


def test_api_needs_authentication(world, client):
    assert client.get(f"{API}/").status_code == 401
