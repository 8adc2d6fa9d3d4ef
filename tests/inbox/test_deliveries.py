"""The modules deliver to the people who must act: a transfer's next approver, the department
a case is handed to, the resident who gets a reply, a meeting's members 24 h before, a
centre's staff on a booking, the lead organization on 立项."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tests.cases.conftest import cw  # noqa: F401 (a fixture used by the case tests below)
from tests.centers.conftest import center, next_weekday  # noqa: F401 (the centre fixture)
from tests.stranger_setup import scope_of
from tongxin.cases import services as case_services
from tongxin.centers import services as center_services
from tongxin.core.scope import scope_for_user
from tongxin.inbox.models import Message
from tongxin.meetings.models import Meeting, MeetingKind, MeetingStatus
from tongxin.meetings.reminders import remind_upcoming
from tongxin.transfers import services as transfer_services

pytestmark = pytest.mark.django_db


def inbox_of(user, kind: str) -> list[str]:
    return list(Message.objects.filter(recipient=user, kind=kind).values_list("title", flat=True))


def test_each_approver_hears_when_it_is_their_turn(world):
    carol = factories.user("carol", "street_secretary", org=world["comm_a_org"])
    dora = factories.user("dora", "branch_secretary", org=world["branch_a2"])
    bob = world["bob"]
    t = transfer_services.transfer_create(
        actor=bob,
        scope=scope_for_user(bob),
        member=world["m_a1"],
        target=world["branch_a2"],
        reason="工作调动",
        submit=True,
    )
    assert inbox_of(carol, "transfer") == ["组织关系转接待审批：张红"]
    assert inbox_of(dora, "transfer") == []
    transfer_services.transfer_approve(
        actor=carol, scope=scope_for_user(carol), transfer=t, position=1
    )
    assert inbox_of(dora, "transfer") == ["组织关系转接待审批：张红"]
    assert inbox_of(world["charlie"], "transfer") == []


def test_the_department_hears_of_a_dispatch_and_the_resident_of_the_reply(cw):  # noqa: F811
    case = case_services.case_report_resident(
        actor=cw["rita"],
        resident=cw["rita_res"],
        category=cw["sanitation"],
        area=cw["compound_a"],
        address="北门3号楼",
        description="北门垃圾桶满了三天没人清运。",
    )
    alice = cw["alice"]
    case_services.case_transition(actor=alice, case=case, action="accept", note="已核实")
    case_services.case_transition(actor=alice, case=case, action="dispatch", note="内部说明")
    assert len(inbox_of(cw["dan"], "case")) == 1
    assert inbox_of(cw["erin"], "case") == []  # 住建 is not handed this one
    case_services.case_transition(
        actor=cw["dan"], case=case, action="claim", note="内部", reply="已派城管处理，请耐心等待。"
    )
    msg = Message.objects.get(recipient=cw["rita"], kind="reply")
    assert msg.body == "已派城管处理，请耐心等待。" and "内部" not in msg.body
    assert msg.link == f"/cases/mine/{case.pk}/"


def test_members_are_reminded_a_day_before_a_meeting_once(world):
    now = timezone.make_aware(dt.datetime(2026, 12, 7, 20, 0))  # noqa: DTZ001 (a local time)
    eve = factories.user("eve")
    eve.member = world["m_a1b"]
    eve.save()
    meeting = Meeting.objects.create(
        org=world["branch_a1"],
        org_path=world["branch_a1"].path,
        branch=world["branch_a1"],
        kind=MeetingKind.THEME_DAY,
        title="主题党日",
        status=MeetingStatus.PLANNED,
        date=dt.date(2026, 12, 8),
        start_time=dt.time(19, 30),
        end_time=dt.time(21),
    )
    assert remind_upcoming(now=now - dt.timedelta(hours=1)) == 0  # 24.5 h ahead: not yet
    assert remind_upcoming(now=now) == 1  # 23.5 h ahead
    assert remind_upcoming(now=now + dt.timedelta(hours=1)) == 0  # once only
    assert inbox_of(eve, "meeting") == ["会议提醒：12-08 19:30 主题党日"]
    assert Message.objects.get(recipient=eve).link == f"/meetings/{meeting.pk}/"
    assert inbox_of(world["charlie"], "meeting") == []


def test_the_centre_staff_hear_of_a_booking(world, center):  # noqa: F811
    carol = factories.user("carol", "street_secretary", org=world["comm_a_org"])
    start = timezone.make_aware(dt.datetime.combine(next_weekday(2, 1), dt.time(9)))
    center_services.booking_create(
        scope=scope_of(world["bob"]),
        actor=world["bob"],
        center=center,
        room=center.rooms.get(),
        purpose="支部主题党日",
        start=start,
        end=start + dt.timedelta(hours=1),
    )
    assert len(inbox_of(carol, "booking")) == 1
    assert inbox_of(world["charlie"], "booking") == []
