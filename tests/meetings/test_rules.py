"""Issue 13 item 2: the minutes follow the rules. Every member of the branch on the meeting's
date is marked; a 支部党员大会 decides only with more than half of its voting members present
(预备党员 have no vote); every page counts the roster of the meeting's date."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests import factories
from tests.helpers import texts
from tests.meetings.conftest import counts, plan, refused
from tests.stranger_setup import scope_of
from tongxin.meetings import selectors, services
from tongxin.meetings.models import Attendance, Meeting, MeetingStatus
from tongxin.members.models import MemberStatus, OrgRelationChange, RelationChangeKind

API = "/api/v1/meetings"


def minutes(**over):
    data = dict(
        title="支部党员大会",
        presenter="张红",
        recorder="李明",
        content="讨论发展对象。",
        decisions="",
        attendance={},
    )
    data.update(over)
    return services.RecordInput(**data)


@pytest.fixture
def general(world):
    """A 支部党员大会 of branch A1: 张红, 李明 and two more full members (4 votes) and one
    预备党员 (no vote)."""
    b = world["branch_a1"]
    world["m_3"] = factories.member(b, name="王三")
    world["m_4"] = factories.member(b, name="赵四")
    world["m_p"] = factories.member(
        b,
        name="钱预备",
        status=MemberStatus.PROBATIONARY,
        confirmed_on=None,
        joined_on=selectors.local_today() - dt.timedelta(days=100),
    )
    return plan(b, kind="general", title="支部党员大会")


def marks(world, present: list[str], absent: list[str] = ()) -> dict[int, tuple[str, str]]:
    out = {world[k].pk: ("present", "") for k in present}
    out.update({world[k].pk: ("absent", "出差") for k in absent})
    return out


def test_a_decision_needs_more_than_half_of_the_voting_members(world, general):
    # 2 of 4 voting members present (the 预备党员 present too, without a vote): no decision
    att = marks(world, ["m_a1", "m_a1b", "m_p"], ["m_3", "m_4"])
    with refused("实到2人、应到4人", field="decisions") as exc:
        services.meeting_record(
            scope=scope_of(None),
            actor=None,
            meeting=general,
            data=minutes(decisions="同意列为发展对象", attendance=att),
        )
    assert "预备党员没有表决权" in exc.value.message
    # the same meeting may be recorded without decisions
    services.meeting_record(
        scope=scope_of(None), actor=None, meeting=general, data=minutes(attendance=att)
    )
    general.refresh_from_db()
    assert general.status == MeetingStatus.HELD and general.decisions == ""
    assert (general.present_count, general.expected_count) == (3, 5)


def test_three_of_four_voting_members_may_decide(world, general):
    att = marks(world, ["m_a1", "m_a1b", "m_3"], ["m_4"])
    att[world["m_p"].pk] = ("excused", "")  # 请假 needs no reason
    services.meeting_record(
        scope=scope_of(None),
        actor=None,
        meeting=general,
        data=minutes(decisions="同意列为发展对象", attendance=att),
    )
    general.refresh_from_db()
    assert general.decisions == "同意列为发展对象"
    assert Attendance.objects.get(member=world["m_p"]).state == "excused"


def test_a_member_confirmed_after_the_meeting_had_no_vote_that_day(world):
    b = world["branch_a1"]
    factories.member(b, name="孙转正", confirmed_on=selectors.local_today())
    m = plan(b, kind="general", day=selectors.local_today() - dt.timedelta(days=1))
    rows = {r.name: r.votes for r in selectors.roll(m)}
    assert rows == {"张红": True, "李明": True, "孙转正": False}


def test_other_kinds_record_decisions_without_a_quorum(world, general):
    m = plan(world["branch_a1"], kind="committee")
    att = dict.fromkeys((r.member_id for r in selectors.roll(m)), ("absent", "出差"))
    att[world["m_a1"].pk] = ("present", "")
    services.meeting_record(
        scope=scope_of(None), actor=None, meeting=m, data=minutes(decisions="分工", attendance=att)
    )
    assert Meeting.objects.get(pk=m.pk).decisions == "分工"


def test_every_member_unmarked_is_named(world, general):
    with refused("以下党员尚未标记出勤") as exc:
        services.meeting_record(
            scope=scope_of(None),
            actor=None,
            meeting=general,
            data=minutes(attendance=marks(world, ["m_a1", "m_a1b"])),
        )
    for name in ("王三", "赵四", "钱预备"):
        assert name in exc.value.message
    assert "张红" not in exc.value.message


def test_each_absence_without_reason_is_named(world, general):
    att = marks(world, ["m_a1", "m_a1b", "m_3"])
    att[world["m_4"].pk] = ("absent", " ")
    att[world["m_p"].pk] = ("absent", "")
    with refused("缺席原因") as exc:
        services.meeting_record(
            scope=scope_of(None), actor=None, meeting=general, data=minutes(attendance=att)
        )
    assert "赵四" in exc.value.message and "钱预备" in exc.value.message


def test_the_roster_is_the_branch_on_the_meetings_date(world):
    b, a2 = world["branch_a1"], world["branch_a2"]
    today = selectors.local_today()
    m = plan(b, day=today - dt.timedelta(days=1))
    # joined the Party after the meeting (an import of this year's new members): not expected
    factories.member(
        b, name="新党员", status=MemberStatus.PROBATIONARY, confirmed_on=None, joined_on=today
    )
    # transferred in after the meeting: not expected
    arrived = factories.member(a2, name="转入者")
    arrived.org, arrived.org_path = b, b.path
    arrived.save()
    OrgRelationChange.objects.create(
        member=arrived, kind=RelationChangeKind.TRANSFERRED, from_org=a2, to_org=b, on=today
    )
    # transferred out after the meeting: still expected
    left = factories.member(a2, name="转出者")
    OrgRelationChange.objects.create(
        member=left, kind=RelationChangeKind.TRANSFERRED, from_org=b, to_org=a2, on=today
    )
    assert {r.name for r in selectors.roll(m)} == {"张红", "李明", "转出者"}
    # a meeting of today sees the branch as it is now
    now = plan(b)
    assert {r.name for r in selectors.roll(now)} == {"张红", "李明", "新党员", "转入者"}


def _count(pattern: str, body: str) -> tuple[int, int]:
    found = re.search(pattern, body)
    assert found, pattern
    return int(found.group(1)), int(found.group(2))


def test_every_page_counts_the_same_roster_after_an_import(world, client_for, meeting):
    c = client_for(world["bob"])
    c.post(f"/meetings/{meeting.pk}/roll/{world['m_a1'].pk}/", {"present": "1"})
    # members registered afterwards who had been in the branch all along (an import)
    factories.member(world["branch_a1"], name="补录一")
    factories.member(world["branch_a1"], name="补录二")
    checkin = _count(r"已到 (\d+) / (\d+)", texts(c.get(f"/meetings/{meeting.pk}/checkin/")))
    detail = _count(r"实到 (\d+) / 应到 (\d+)", texts(c.get(f"/meetings/{meeting.pk}/")))
    api = c.get(f"{API}/{meeting.pk}").json()
    assert checkin == detail == (api["present_count"], api["expected_count"]) == (1, 4)


def test_the_minutes_page_names_the_unmarked_and_the_quorum(world, general, client_for):
    c = client_for(world["bob"])
    form = {
        "title": "支部党员大会",
        "presenter": "张红",
        "recorder": "李明",
        "content": "讨论。",
        "decisions": "同意",
    }
    before = counts()
    r = c.post(f"/meetings/{general.pk}/record/", {**form, f"att_{world['m_a1'].pk}": "present"})
    body = texts(r)
    assert r.status_code == 200 and "以下党员尚未标记出勤" in body and "赵四" in body
    att = {f"att_{world[k].pk}": "present" for k in ("m_a1", "m_p")}
    att.update({f"att_{world[k].pk}": "absent" for k in ("m_a1b", "m_3", "m_4")})
    att.update({f"reason_{world[k].pk}": "出差" for k in ("m_a1b", "m_3", "m_4")})
    r = c.post(f"/meetings/{general.pk}/record/", {**form, **att})
    body = texts(r)
    assert r.status_code == 200 and "实到1人、应到4人" in body
    assert counts() == before
    assert Meeting.objects.get(pk=general.pk).status == MeetingStatus.PLANNED
    r = c.post(f"/meetings/{general.pk}/record/", {**form, **att, "decisions": ""})
    assert r.status_code == 302
    assert Meeting.objects.get(pk=general.pk).status == MeetingStatus.HELD


def test_the_api_refuses_missing_marks_and_a_decision_without_quorum(world, general, client_for):
    c = client_for(world["bob"])
    body = {"title": "支部党员大会", "presenter": "张红", "recorder": "李明", "content": "讨论。"}
    before = counts()
    r = c.post(
        f"{API}/{general.pk}/record",
        {**body, "attendance": [{"member_id": world["m_a1"].pk, "state": "present"}]},
        content_type="application/json",
    )
    assert r.status_code == 400 and "王三" in r.json()["message"]
    att = [{"member_id": world[k].pk, "state": "present"} for k in ("m_a1", "m_p")] + [
        {"member_id": world[k].pk, "state": "excused"} for k in ("m_a1b", "m_3", "m_4")
    ]
    r = c.post(
        f"{API}/{general.pk}/record",
        {**body, "decisions": "同意", "attendance": att},
        content_type="application/json",
    )
    assert r.status_code == 400 and "decisions" in r.json()["fields"]
    assert counts() == before
    # the stranger cannot read the counts either
    assert client_for(world["charlie"]).get(f"{API}/{general.pk}").status_code == 404


def test_stored_counts_are_refreshed_after_an_import(world, meeting, client_for):
    services.meeting_record(
        scope=scope_of(None),
        actor=None,
        meeting=meeting,
        data=minutes(
            attendance={world["m_a1"].pk: ("present", ""), world["m_a1b"].pk: ("excused", "")}
        ),
    )
    factories.member(world["branch_a1"], name="补录一")  # in the branch since 2010
    other = plan(world["branch_b1"])
    assert services.meeting_counts_refresh(actor=None, org_paths=[world["branch_a1"].path]) == 1
    meeting.refresh_from_db()
    assert (meeting.present_count, meeting.expected_count) == (1, 3)
    assert Meeting.objects.get(pk=other.pk).expected_count == other.expected_count
    body = texts(client_for(world["bob"]).get("/meetings/"))
    assert "1/3" in body
    assert services.meeting_counts_refresh(actor=None, org_paths=[world["branch_a1"].path]) == 0
