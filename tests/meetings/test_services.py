"""Planning, minutes, check-in and the bad inputs of issue 4, through the services."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.meetings.conftest import all_present, plan, refused
from tests.stranger_setup import scope_of
from tongxin.core.models import AuditLog
from tongxin.meetings import card, checks, member_selectors, selectors, services
from tongxin.meetings.models import (
    Attendance,
    Meeting,
    MeetingAttachment,
    MeetingStatus,
    ReviewStatus,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n" + b"0" * 64


def record_input(**over):
    data = dict(
        title="学习二十大精神",
        presenter="张红",
        recorder="李明",
        content="传达学习。",
        decisions="",
        attendance={},
    )
    data.update(over)
    return services.RecordInput(**data)


def test_plan_counts_the_branch_roster_and_is_audited(world, meeting):
    assert meeting.status == MeetingStatus.PLANNED
    assert meeting.branch_id == world["branch_a1"].pk and meeting.expected_count == 2
    assert AuditLog.objects.filter(action="meetings.plan", object_id=str(meeting.pk)).exists()


def test_plan_refuses_bad_input(world):
    with refused("结束时间", field="end_time"):
        plan(world["branch_a1"], start="10:00", end="09:00")
    with refused("党小组", field="kind"):
        plan(world["branch_a1"], kind="group")
    with refused("党小组", field="kind"):
        plan(world["group_a1"], kind="lecture")


def test_a_group_meeting_counts_for_its_branch_and_uses_its_roster(world):
    m = plan(world["group_a1"], kind="group")
    assert m.branch_id == world["branch_a1"].pk
    assert {r.name for r in selectors.roll(m)} == {"张红", "李明"}


def test_record_marks_held_with_attendance_and_reasons(world, meeting):
    a, b = world["m_a1"], world["m_a1b"]
    services.meeting_record(
        scope=scope_of(world["bob"]),
        actor=world["bob"],
        meeting=meeting,
        data=record_input(attendance={a.pk: ("present", ""), b.pk: ("absent", "出差")}),
    )
    meeting.refresh_from_db()
    assert meeting.status == MeetingStatus.HELD
    assert (meeting.present_count, meeting.expected_count) == (1, 2)
    assert Attendance.objects.get(member=b).reason == "出差"


def test_a_future_meeting_cannot_be_recorded_as_held(world):
    m = plan(world["branch_a1"], day=selectors.local_today() + dt.timedelta(days=3))
    with refused("还未到"):
        services.meeting_record(scope=scope_of(None), actor=None, meeting=m, data=record_input())
    m.refresh_from_db()
    assert m.status == MeetingStatus.PLANNED


def test_record_refuses_absence_without_reason_and_strangers(world, meeting):
    with refused("李明"):
        services.meeting_record(
            scope=scope_of(None),
            actor=None,
            meeting=meeting,
            data=record_input(
                attendance={world["m_a1"].pk: ("present", ""), world["m_a1b"].pk: ("absent", "")}
            ),
        )
    with refused("缺席原因"):
        services.meeting_record(
            scope=scope_of(None),
            actor=None,
            meeting=meeting,
            data=record_input(attendance={world["m_a1"].pk: ("absent", " ")}),
        )
    with refused("列席"):
        services.meeting_record(
            scope=scope_of(None),
            actor=None,
            meeting=meeting,
            data=record_input(attendance={world["m_b1"].pk: ("present", "")}),
        )
    with refused("会议内容", field="content"):
        services.meeting_record(
            scope=scope_of(None), actor=None, meeting=meeting, data=record_input(content="")
        )


def test_check_in_with_the_card_qr_token_and_the_short_code(world, meeting):
    a, b = world["m_a1"], world["m_a1b"]
    att = services.meeting_check_in(
        scope=scope_of(world["bob"]),
        actor=world["bob"],
        meeting=meeting,
        text=card.issue_token(a.pk),
    )
    assert (att.member_id, att.method) == (a.pk, "qr")
    att = services.meeting_check_in(
        scope=scope_of(world["bob"]),
        actor=world["bob"],
        meeting=meeting,
        text=card.short_code(b.pk),
    )
    assert (att.member_id, att.method) == (b.pk, "code")
    meeting.refresh_from_db()
    assert meeting.present_count == 2
    assert AuditLog.objects.filter(action="meetings.check_in").count() == 2


def test_check_in_bad_tokens_leave_no_attendance(world, meeting, monkeypatch):
    a = world["m_a1"]
    other = plan(world["branch_a1"], title="另一场")
    token = card.issue_token(a.pk)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 90)
    with refused("过期"):
        services.meeting_check_in(scope=scope_of(None), actor=None, meeting=meeting, text=token)
    monkeypatch.setattr(time, "time", real)
    with refused("校验失败"):
        services.meeting_check_in(
            scope=scope_of(None), actor=None, meeting=meeting, text=token[:-2] + "xx"
        )
    with refused("另一场"):
        services.meeting_check_in(
            scope=scope_of(None),
            actor=None,
            meeting=meeting,
            text=card.issue_token(a.pk, checks.context_of(other)),
        )
    services.meeting_check_in(scope=scope_of(None), actor=None, meeting=meeting, text=token)
    Attendance.objects.all().delete()  # even with the attendance gone, the token stays used
    with refused("已经使用过"):
        services.meeting_check_in(scope=scope_of(None), actor=None, meeting=meeting, text=token)
    assert not Attendance.objects.exists()


def test_a_member_of_another_branch_is_refused_unless_a_guest(world, meeting):
    stranger = world["m_b1"]
    token = card.issue_token(stranger.pk)
    with refused("不是本支部党员"):
        services.meeting_check_in(scope=scope_of(None), actor=None, meeting=meeting, text=token)
    with refused("无效或已过期"):  # a code is only looked for among the expected members
        services.meeting_check_in(
            scope=scope_of(None), actor=None, meeting=meeting, text=card.short_code(stranger.pk)
        )
    # (a guest is picked among the members in the user's reach: street B's is in no branch
    # secretary's of street A, so the system adds him here)
    services.meeting_guest_add(scope=scope_of(None), actor=None, meeting=meeting, member=stranger)
    # the refused attempt above recorded nothing, so the same token now works
    att = services.meeting_check_in(scope=scope_of(None), actor=None, meeting=meeting, text=token)
    assert att.is_guest
    meeting.refresh_from_db()
    assert (meeting.present_count, meeting.expected_count) == (1, 3)


def test_checking_in_twice_or_on_another_day_is_refused(world, meeting):
    a = world["m_a1"]
    services.meeting_check_in(
        scope=scope_of(None), actor=None, meeting=meeting, text=card.issue_token(a.pk)
    )
    with refused("已签到"):
        services.meeting_check_in(
            scope=scope_of(None), actor=None, meeting=meeting, text=card.issue_token(a.pk)
        )
    later = plan(world["branch_a1"], day=selectors.local_today() + dt.timedelta(days=1))
    with refused("会议当天"):
        services.meeting_check_in(
            scope=scope_of(None), actor=None, meeting=later, text=card.issue_token(a.pk)
        )


def test_roll_call_ticks_and_unticks(world, meeting):
    a = world["m_a1"]
    services.meeting_roll_call(
        scope=scope_of(None), actor=None, meeting=meeting, member_id=a.pk, present=True
    )
    assert Attendance.objects.get(member=a).method == "roll_call"
    services.meeting_roll_call(
        scope=scope_of(None), actor=None, meeting=meeting, member_id=a.pk, present=False
    )
    assert not Attendance.objects.exists()
    with refused("不是本支部党员"):
        services.meeting_roll_call(
            scope=scope_of(None),
            actor=None,
            meeting=meeting,
            member_id=world["m_b1"].pk,
            present=True,
        )


def test_attachments_are_checked_by_content_and_size(world, meeting, monkeypatch):
    att = services.meeting_attach(
        scope=scope_of(None), actor=None, meeting=meeting, f=SimpleUploadedFile("记录.png", PNG)
    )
    assert att.content_type == "image/png"
    services.meeting_attach(
        scope=scope_of(None), actor=None, meeting=meeting, f=SimpleUploadedFile("a.pdf", PDF)
    )
    with refused("不是可接受的格式"):
        services.meeting_attach(
            scope=scope_of(None),
            actor=None,
            meeting=meeting,
            f=SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf"),
        )
    monkeypatch.setattr(services, "ATTACHMENT_MAX_BYTES", 1024 * 1024)
    with refused("超过"):
        services.meeting_attach(
            scope=scope_of(None),
            actor=None,
            meeting=meeting,
            f=SimpleUploadedFile("big.png", PNG + b"0" * 1024 * 1024),
        )
    assert MeetingAttachment.objects.count() == 2


def test_review_needs_a_held_meeting_and_a_note_to_return(world, meeting):
    with refused("尚未记录"):
        services.meeting_review(
            scope=scope_of(world["alice"]), actor=world["alice"], meeting=meeting, approve=True
        )
    services.meeting_record(
        scope=scope_of(None),
        actor=None,
        meeting=meeting,
        data=record_input(attendance=all_present(meeting)),
    )
    with refused("退回"):
        services.meeting_review(
            scope=scope_of(world["alice"]), actor=world["alice"], meeting=meeting, approve=False
        )
    services.meeting_review(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        meeting=meeting,
        approve=False,
        note="补充签到表",
    )
    assert meeting.review_status == ReviewStatus.RETURNED
    services.meeting_record(
        scope=scope_of(None), actor=None, meeting=meeting, data=record_input()
    )  # marks kept
    assert meeting.review_status == ReviewStatus.NONE


def test_cancelled_meetings_take_no_record_or_check_in(world, meeting):
    services.meeting_cancel(scope=scope_of(None), actor=None, meeting=meeting)
    with refused("已取消"):
        services.meeting_record(
            scope=scope_of(None), actor=None, meeting=meeting, data=record_input()
        )
    with refused("已取消"):
        services.meeting_check_in(
            scope=scope_of(None),
            actor=None,
            meeting=meeting,
            text=card.issue_token(world["m_a1"].pk),
        )


def test_a_weekly_tuesday_series_plans_every_tuesday(world):
    today = selectors.local_today()
    series, n = services.series_create(
        scope=scope_of(None),
        actor=None,
        data=services.SeriesInput(
            org=world["branch_a1"],
            kind="lecture",
            title="周二夜学",
            recurrence="weekly",
            weekday=1,
            start_time=dt.time(19),
            end_time=dt.time(20, 30),
            starts_on=today,
            ends_on=today + dt.timedelta(days=69),
        ),
    )
    dates = list(Meeting.objects.filter(series=series).values_list("date", flat=True))
    assert n == len(dates) == 10 and all(d.weekday() == 1 for d in dates)
    assert all(m.status == "planned" for m in Meeting.objects.filter(series=series))


def test_a_monthly_series_keeps_to_short_months(world):
    data = services.SeriesInput(
        org=world["branch_a1"],
        kind="theme_day",
        title="主题党日",
        recurrence="monthly",
        day_of_month=31,
        start_time=dt.time(9),
        end_time=dt.time(11),
        starts_on=dt.date(2027, 1, 1),
        ends_on=dt.date(2027, 4, 30),
    )
    assert checks.series_dates(data) == [
        dt.date(2027, 1, 31),
        dt.date(2027, 2, 28),
        dt.date(2027, 3, 31),
        dt.date(2027, 4, 30),
    ]


def test_series_refuses_bad_ranges(world):
    today = selectors.local_today()
    base = dict(
        org=world["branch_a1"],
        kind="lecture",
        title="周二夜学",
        recurrence="weekly",
        weekday=1,
        start_time=dt.time(19),
        end_time=dt.time(20),
    )
    with refused("一年", field="ends_on"):
        services.series_create(
            scope=scope_of(None),
            actor=None,
            data=services.SeriesInput(
                **base, starts_on=today, ends_on=today + dt.timedelta(days=400)
            ),
        )
    with refused("早于", field="ends_on"):
        services.series_create(
            scope=scope_of(None),
            actor=None,
            data=services.SeriesInput(
                **base, starts_on=today, ends_on=today - dt.timedelta(days=1)
            ),
        )


@pytest.mark.parametrize("target", ["org", "member"])
def test_feed_rotation_replaces_the_token(world, target):
    kwargs = {"org": world["branch_a1"]} if target == "org" else {"member": world["m_a1"]}
    first = services.feed_rotate(scope=scope_of(None), actor=None, **kwargs).token
    second = services.feed_rotate(scope=scope_of(None), actor=None, **kwargs).token
    assert first != second
    kind = "branch" if target == "org" else "member"
    assert member_selectors.feed_for_token(kind, first) is None
    assert member_selectors.feed_for_token(kind, second) is not None
