"""The inputs of the meeting services and the checks and computations behind them: plan and
record validation, the 应到/实到 rules of the minutes, the check-in window, the card-token context
and the dates of a recurring series. Nothing here writes; services.py acts on the results."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.core.errors import ConflictError, ServiceError
from tongxin.meetings import selectors
from tongxin.meetings.models import (
    AttendanceState,
    Meeting,
    MeetingKind,
    MeetingStatus,
    Recurrence,
)
from tongxin.orgs.models import Organization, OrgKind


def starts_at(meeting_date: dt.date, start: dt.time) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(meeting_date, start))


@dataclass
class PlanInput:
    org: Organization
    kind: str
    title: str
    date: dt.date
    start_time: dt.time
    end_time: dt.time
    location: str = ""
    presenter: str = ""
    recorder: str = ""


def validate_plan(data: PlanInput) -> None:
    errors: dict[str, str] = {}
    if data.kind not in MeetingKind.values:
        errors["kind"] = _("请选择会议类型。")
    if not data.title.strip():
        errors["title"] = _("请填写会议主题。")
    if data.end_time <= data.start_time:
        errors["end_time"] = _("结束时间应晚于开始时间。")
    if data.org.kind not in selectors.MEETING_ORG_KINDS:
        errors["org"] = _("请选择召开会议的党组织。")
    elif data.kind == MeetingKind.GROUP and data.org.kind != OrgKind.GROUP:
        errors["kind"] = _("党小组会应由党小组召开，请选择党小组。")
    elif data.org.kind == OrgKind.GROUP and data.kind != MeetingKind.GROUP:
        errors["kind"] = _("党小组只召开党小组会，其他会议请以党支部名义安排。")
    if errors:
        raise ServiceError(_("请按提示修改后再提交。"), fields=errors)


def branch_of(org: Organization) -> int | None:
    if org.kind == OrgKind.BRANCH:
        return org.pk
    if org.kind == OrgKind.GROUP:
        parent = Organization.objects.filter(path=org.path[: -Organization.steplen]).first()
        return parent.pk if parent is not None and parent.kind == OrgKind.BRANCH else None
    return None


@dataclass
class RecordInput:
    title: str
    presenter: str
    recorder: str
    content: str
    decisions: str = ""
    # member id -> (state, reason); members left out keep what check-in recorded
    attendance: dict[int, tuple[str, str]] = field(default_factory=dict)


def _names(names: list[str]) -> str:
    return "、".join(names)


def attendance_errors(meeting: Meeting, data: RecordInput) -> dict[str, str]:
    """Every member of the branch on the meeting's date marked (present, absent with a reason,
    or excused), each error naming the members; a 支部党员大会 records decisions only with
    more than half of the members with a vote present."""
    rows = selectors.roll(meeting)
    by_id = {r.member_id: r for r in rows}
    strangers, bad_state, no_reason = False, [], []
    for member_id, (state, reason) in data.attendance.items():
        row = by_id.get(member_id)
        if row is None:
            strangers = True
        elif state not in AttendanceState.values:
            bad_state.append(row.name)
        elif state == AttendanceState.ABSENT and not reason.strip():
            no_reason.append(row.name)
        else:
            row.state = state
    if strangers:
        return {"attendance": _("出勤名单中有不属于本支部的党员，请先将其添加为列席人员。")}
    if bad_state:
        return {
            "attendance": _("请为以下党员选择出席、缺席或请假：%(names)s。")
            % {"names": _names(bad_state)}
        }
    if no_reason:
        return {
            "attendance": _("以下党员缺席，请填写缺席原因（或改为请假）：%(names)s。")
            % {"names": _names(no_reason)}
        }
    counts = selectors.roll_counts(rows)
    if counts.unmarked:
        return {
            "attendance": _(
                "以下党员尚未标记出勤，请逐一标记为出席、缺席（注明原因）或请假：%(names)s。"
            )
            % {"names": _names(counts.unmarked)}
        }
    if meeting.kind == MeetingKind.GENERAL and data.decisions.strip() and not counts.quorum:
        return {
            "decisions": _(
                "有表决权的党员实到%(x)s人、应到%(y)s人（预备党员没有表决权），需超过半数才能作出"
                "决议；请清空“决议事项”，作为不作决议的会议记录保存。"
            )
            % {"x": counts.voting_present, "y": counts.voting}
        }
    return {}


def check_in_open(meeting: Meeting) -> None:
    if meeting.status == MeetingStatus.CANCELLED:
        raise ConflictError(_("会议已取消，不能签到。"))
    today = selectors.local_today()
    if meeting.date != today:
        raise ServiceError(
            _("签到只能在会议当天（%(date)s）进行；补记出勤请在会议记录中填写。")
            % {"date": f"{meeting.date:%Y-%m-%d}"}
        )


def context_of(meeting: Meeting) -> str:
    return f"meeting:{meeting.pk}"


@dataclass
class SeriesInput:
    org: Organization
    kind: str
    title: str
    recurrence: str
    start_time: dt.time
    end_time: dt.time
    starts_on: dt.date
    ends_on: dt.date
    weekday: int | None = None  # 0 = Monday (周二夜学: 1)
    day_of_month: int | None = None
    location: str = ""


def series_dates(data: SeriesInput) -> list[dt.date]:
    out = []
    if data.recurrence == Recurrence.WEEKLY:
        assert data.weekday is not None
        d = data.starts_on + dt.timedelta(days=(data.weekday - data.starts_on.weekday()) % 7)
        while d <= data.ends_on:
            out.append(d)
            d += dt.timedelta(days=7)
        return out
    assert data.day_of_month is not None
    y, m = data.starts_on.year, data.starts_on.month
    while True:
        day = min(data.day_of_month, calendar.monthrange(y, m)[1])
        d = dt.date(y, m, day)
        if d > data.ends_on:
            return out
        if d >= data.starts_on:
            out.append(d)
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
