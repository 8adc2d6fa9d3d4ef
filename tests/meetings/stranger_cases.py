"""Stranger cases of tongxin.meetings.services (tests/stranger.py): charlie, secretary of branch
B1 in street B, plans, records, checks in and reviews street A's meetings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.stranger import case, not_acting
from tests.stranger_setup import scope_of, staged
from tongxin.meetings import card, checks, services
from tongxin.meetings.models import Meeting, MeetingStatus

W = dict[str, Any]
S = "tongxin.meetings.services."

not_acting(
    S + "meeting_counts_refresh",
    "a system job after bulk roster changes (an import): it recounts stored figures and "
    "changes nothing a user chose",
)


def _charlie(w: W) -> dict[str, Any]:
    return {"scope": scope_of(w["charlie"]), "actor": w["charlie"]}


def _plan(w: W, org_key: str = "branch_a1") -> services.PlanInput:
    return services.PlanInput(
        org=w[org_key],
        kind="lecture",
        title="学习党章",
        date=timezone.localdate(),
        start_time=dt.time(0, 0),
        end_time=dt.time(23, 59),
    )


def _meeting(w: W, status: str = MeetingStatus.PLANNED) -> Meeting:
    m = services.meeting_plan(scope=scope_of(None), actor=None, data=_plan(w))
    if status != m.status:
        Meeting.objects.filter(pk=m.pk).update(status=status)
        m.refresh_from_db()
    return m


@case(S + "meeting_plan")
def _(w: W) -> None:
    services.meeting_plan(**_charlie(w), data=_plan(w))


@case(S + "meeting_update")
def _(w: W) -> None:
    staged(
        lambda: _meeting(w),
        lambda m: services.meeting_update(**_charlie(w), meeting=m, data=_plan(w)),
    )


@case(S + "meeting_cancel")
def _(w: W) -> None:
    staged(lambda: _meeting(w), lambda m: services.meeting_cancel(**_charlie(w), meeting=m))


@case(S + "meeting_record")
def _(w: W) -> None:
    data = services.RecordInput(title="学习党章", presenter="张红", recorder="李明", content="学习")
    staged(
        lambda: _meeting(w), lambda m: services.meeting_record(**_charlie(w), meeting=m, data=data)
    )


@case(S + "meeting_check_in")
def _(w: W) -> None:
    staged(
        lambda: _meeting(w),
        lambda m: services.meeting_check_in(
            **_charlie(w), meeting=m, text=card.issue_token(w["m_a1"].pk, checks.context_of(m))
        ),
    )


@case(S + "meeting_roll_call")
def _(w: W) -> None:
    staged(
        lambda: _meeting(w),
        lambda m: services.meeting_roll_call(
            **_charlie(w), meeting=m, member_id=w["m_a1"].pk, present=True
        ),
    )


@case(S + "meeting_guest_add")
def _(w: W) -> None:
    # charlie's own member, added to street A's meeting
    staged(
        lambda: _meeting(w),
        lambda m: services.meeting_guest_add(**_charlie(w), meeting=m, member=w["m_b1"]),
    )


@case(S + "meeting_attach")
def _(w: W) -> None:
    pdf = SimpleUploadedFile("纪要.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    staged(lambda: _meeting(w), lambda m: services.meeting_attach(**_charlie(w), meeting=m, f=pdf))


@case(S + "meeting_review")
def _(w: W) -> None:
    staged(
        lambda: _meeting(w, MeetingStatus.HELD),
        lambda m: services.meeting_review(**_charlie(w), meeting=m, approve=True),
    )


@case(S + "series_create")
def _(w: W) -> None:
    today = timezone.localdate()
    services.series_create(
        **_charlie(w),
        data=services.SeriesInput(
            org=w["branch_a1"],
            kind="lecture",
            title="周二夜学",
            recurrence="weekly",
            weekday=1,
            start_time=dt.time(19),
            end_time=dt.time(20, 30),
            starts_on=today,
            ends_on=today + dt.timedelta(days=30),
        ),
    )


@case(S + "feed_rotate")
def _(w: W) -> None:
    services.feed_rotate(**_charlie(w), org=w["branch_a1"])


@case(S + "meeting_hold_on_site")
def _(w: W) -> None:
    staged(
        lambda: _meeting(w),
        lambda m: services.meeting_hold_on_site(
            **_charlie(w), meeting=m, member_ids=[w["m_a1"].pk], place="张人亚党章学堂"
        ),
    )
