"""What members did at organizational life, for the points ledger (锋领指数): attendance at a
held meeting (``meeting_attended``; ``meeting_theme_day`` for 主题党日) and absence without a
reason (``meeting_absent``). Excused absences and guests count for nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from tongxin.core.registry import Activity
from tongxin.meetings.models import Attendance, AttendanceState, MeetingKind, MeetingStatus

KINDS = ("meeting_attended", "meeting_theme_day", "meeting_absent")


def meeting_activities(start: dt.date, end: dt.date) -> Iterator[Activity]:
    """One query over the attendance of the meetings held in [start, end)."""
    rows = (
        Attendance.objects.filter(
            meeting__status=MeetingStatus.HELD,
            meeting__date__gte=start,
            meeting__date__lt=end,
            is_guest=False,
            state__in=[AttendanceState.PRESENT, AttendanceState.ABSENT],
        )
        .values_list(
            "id", "member_id", "state", "reason", "meeting__kind", "meeting__date", "meeting__title"
        )
        .order_by()
    )
    for pk, member_id, state, reason, kind, on, title in rows.iterator(chunk_size=5000):
        if state == AttendanceState.PRESENT:
            what = "meeting_theme_day" if kind == MeetingKind.THEME_DAY else "meeting_attended"
        elif not reason.strip():
            what = "meeting_absent"
        else:
            continue
        yield Activity(f"meetings.attendance:{pk}", member_id, what, on, 1.0, title[:200])
