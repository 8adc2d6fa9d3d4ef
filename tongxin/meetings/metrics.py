"""The 组织生活 figures of the 数据驾驶舱 (core.metrics): branches meeting the 三会一课 rules in
the last closed period (the headline) and in the open one (progress), and attendance."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, shared, sum_rows
from tongxin.core.scope import Scope
from tongxin.meetings.models import Meeting, MeetingStatus
from tongxin.meetings.selectors import MET, OVERDUE, compliance

GROUP = _("组织生活")


@shared
def _compliance(end: dt.date) -> list[tuple[str, str, bool]]:
    """(branch path, its state this period, met every rule's last closed period) on ``end``'s
    eve: the compliance page's own reading (three queries)."""
    rows = compliance(Scope.everything(), today=end - dt.timedelta(days=1))
    return [(r.path, r.state, all(k.previous >= k.required for k in r.kinds)) for r in rows]


def branches(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows((p, 1) for p, _s, _p in _compliance(end))


def met_open(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows((p, 1) for p, state, _p in _compliance(end) if state == MET)


def overdue(start: dt.date, end: dt.date) -> dict[str, float]:
    """Branches that missed a rule's last closed period and have not made it up in this one."""
    return sum_rows((p, 1) for p, state, _p in _compliance(end) if state == OVERDUE)


def met_closed(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows((p, 1) for p, _s, previous in _compliance(end) if previous)


@shared
def _held(start: dt.date, end: dt.date) -> dict[str, dict[str, float]]:
    """Meetings held in [start, end) and their expected and present attendance, per org path:
    one grouped read, shared within a recomputation."""
    aggregates = {
        "held": Count("id"),
        "expected": Sum("expected_count"),
        "present": Sum("present_count"),
    }
    rows: list[Any] = list(
        Meeting.objects.filter(status=MeetingStatus.HELD, date__gte=start, date__lt=end)
        .order_by()
        .values("org_path")
        .annotate(**aggregates)
    )
    return {k: sum_rows((row["org_path"], row[k]) for row in rows) for k in aggregates}


def _attendance(column: str):
    figure = column.removesuffix("_count")
    return lambda start, end: _held(start, end)[figure]


def held(start: dt.date, end: dt.date) -> dict[str, float]:
    return _held(start, end)["held"]


register(
    Metric(
        "meetings.branches",
        _("参评支部"),
        unit=_("个"),
        group=GROUP,
        compute=branches,
        order=30,
    ),
    Metric(
        "meetings.met_closed",
        _("上期达标支部"),
        unit=_("个"),
        group=GROUP,
        compute=met_closed,
        order=31,
    ),
    Metric(
        "meetings.met_open",
        _("本期已达标支部"),
        unit=_("个"),
        group=GROUP,
        compute=met_open,
        order=31,
    ),
    Metric(
        "meetings.overdue",
        _("逾期支部"),
        unit=_("个"),
        group=GROUP,
        compute=overdue,
        order=31,
    ),
    Metric(
        "meetings.closed_pct",
        _("上期达标率"),
        unit="%",
        group=GROUP,
        ratio=("meetings.met_closed", "meetings.branches"),
        headline=True,
        order=32,
    ),
    Metric(
        "meetings.open_pct",
        _("本期进度"),
        unit="%",
        group=GROUP,
        ratio=("meetings.met_open", "meetings.branches"),
        order=33,
    ),
    Metric(
        "meetings.held",
        _("召开会议"),
        unit=_("次"),
        group=GROUP,
        compute=held,
        order=34,
    ),
    Metric(
        "meetings.expected",
        _("应到人次"),
        unit=_("人次"),
        group=GROUP,
        compute=_attendance("expected_count"),
        order=35,
    ),
    Metric(
        "meetings.present",
        _("实到人次"),
        unit=_("人次"),
        group=GROUP,
        compute=_attendance("present_count"),
        order=35,
    ),
    Metric(
        "meetings.attendance_pct",
        _("出勤率"),
        unit="%",
        group=GROUP,
        ratio=("meetings.present", "meetings.expected"),
        headline=True,
        order=36,
    ),
)
