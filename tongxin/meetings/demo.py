"""A year of organizational life for the demo city: meetings per the 支部工作条例 rhythm, some
branches behind, attendance (rows at town scale, counts only at city scale), a 周二夜学 series
and today's meeting for the demo branch (for the card check-in)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db import connection
from django.db.models import Count, Max
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.core.bulk import bulk_insert, sync_sequences
from tongxin.core.demodata import DemoContext
from tongxin.core.scope import Scope
from tongxin.meetings import services
from tongxin.meetings.models import (
    Attendance,
    CalendarFeed,
    Guest,
    Meeting,
    MeetingAttachment,
    MeetingSeries,
    TokenUse,
)
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, OrgKind

MEETING_COLUMNS = [
    "id",
    "org_id",
    "org_path",
    "branch_id",
    "kind",
    "title",
    "status",
    "date",
    "start_time",
    "end_time",
    "location",
    "presenter",
    "recorder",
    "content",
    "decisions",
    "series_id",
    "expected_count",
    "present_count",
    "review_status",
    "review_note",
    "reviewed_by_id",
    "reviewed_at",
    "created_by_id",
    "created_at",
    "updated_at",
]
ATTENDANCE_COLUMNS = [
    "id",
    "meeting_id",
    "member_id",
    "state",
    "reason",
    "method",
    "is_guest",
    "at",
]

TITLES = {
    "committee": ["研究发展党员工作", "讨论本月工作安排", "研究党费收缴", "研究困难党员帮扶"],
    "general": ["传达学习上级会议精神", "讨论预备党员转正", "通报支部工作"],
    "lecture": ["学习党章党规", "专题党课：为民服务", "学习党的创新理论"],
    "theme_day": ["志愿服务进小区", "重温入党誓词", "红色基地参观学习", "垃圾分类宣传"],
    "life": ["年度组织生活会"],
    "group": ["党小组学习讨论"],
}
TIMES = {
    "committee": (dt.time(19), dt.time(20, 30)),
    "general": (dt.time(19), dt.time(21)),
    "lecture": (dt.time(19), dt.time(20, 30)),
    "theme_day": (dt.time(9), dt.time(11, 30)),
    "life": (dt.time(14), dt.time(17)),
    "group": (dt.time(19), dt.time(20)),
}
REASONS = ["出差", "病假", "值班", "外出务工", "年老体弱"]


def _month_starts(today: dt.date, months: int) -> list[dt.date]:
    out = []
    y, m = today.year, today.month
    for _i in range(months):
        out.append(dt.date(y, m, 1))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return out[::-1]


def _schedule(today: dt.date, city: bool) -> list[tuple[str, dt.date]]:
    """(kind, date) of one branch's meetings over the past year (day 1 of the period; the
    caller jitters the day). At city scale only the kinds' last two periods, except the
    monthly 主题党日 and the quarterly 党课, to keep the rows at a few hundred thousand."""
    months = _month_starts(today, 12)
    quarters = [d for d in months if d.month in (1, 4, 7, 10)]
    out: list[tuple[str, dt.date]] = []
    out += [("theme_day", d) for d in months]
    out += [("lecture", d) for d in quarters]
    out += [("committee", d) for d in (months[-2:] if city else months)]
    out += [("general", d) for d in (quarters[-2:] if city else quarters)]
    out += [("life", dt.date(y, 1, 1)) for y in (today.year - 1, today.year)]
    return out


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    # The real date, not the generator's fixed one: compliance is about the current period.
    today = timezone.localdate()
    city = ctx.scale == "city"
    now_dt = timezone.now()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(now_dt)
    tvalue = {t: ops.adapt_timefield_value(t) for pair in TIMES.values() for t in pair}
    branches = list(
        Organization.objects.filter(kind=OrgKind.BRANCH)
        .order_by("id")
        .values_list("id", "path", "name", "numchild")
    )
    groups = list(Organization.objects.filter(kind=OrgKind.GROUP).values_list("id", "path"))
    sizes = dict(
        Member.objects.filter(org__kind=OrgKind.BRANCH)
        .values("org_id")
        .annotate(n=Count("id"))
        .values_list("org_id", "n")
    )
    roster: dict[int, list[int]] = {}
    if not city:
        for mid, oid in Member.objects.values_list("id", "org_id"):
            roster.setdefault(oid, []).append(mid)
    next_id = (Meeting.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    attendance: list[tuple[Any, ...]] = []
    # about one branch in eight has let things slide for the last two months
    behind = {b[0] for b in branches if rng.random() < 0.12}
    cur_month = today.replace(day=1)
    slack = (cur_month - dt.timedelta(days=1)).replace(day=1)
    by_path = {p: i for i, p, _n, _c in branches}
    recent = today - dt.timedelta(days=92)  # attendance rows for the last quarter; counts before

    def rows() -> Iterator[tuple[Any, ...]]:
        nonlocal next_id
        jobs: list[tuple[int, str, int, str, dt.date]] = []  # org, path, branch, kind, day
        for bid, path, _name, _numchild in branches:
            for kind, start in _schedule(today, city):
                if bid in behind and start >= slack:
                    continue
                jobs.append((bid, path, bid, kind, start))
        if not city:
            for gid, gpath in groups:
                branch = by_path.get(gpath[: -Organization.steplen])
                if branch is not None:
                    jobs.extend(
                        (gid, gpath, branch, "group", start)
                        for start in _month_starts(today, 12)
                        if not (branch in behind and start >= slack)
                    )
        for org_id, path, branch, kind, start in jobs:
            day = start + dt.timedelta(days=rng.randrange(0, 25))
            begin, end = TIMES[kind]
            if day > today or (day == today and begin >= timezone.localtime(now_dt).time()):
                continue
            expected = sizes.get(branch, 0)
            present = sum(1 for _i in range(expected) if rng.random() < 0.88) if expected else 0
            mid = next_id
            next_id += 1
            if not city and expected and day >= recent:
                members = roster.get(branch, [])
                chosen = set(rng.sample(members, present)) if present <= len(members) else set()
                for m in members:
                    if m in chosen:
                        attendance.append((m, mid, "present", "", "roll_call"))
                    else:
                        attendance.append((m, mid, "absent", rng.choice(REASONS), "record"))
            yield (
                mid,
                org_id,
                path,
                branch,
                kind,
                rng.choice(TITLES[kind]),
                "held",
                ops.adapt_datefield_value(day),
                tvalue[begin],
                tvalue[end],
                "党群服务中心",
                "书记",
                "组织委员",
                "按议程进行，详见附件。",
                "",
                None,
                expected,
                present,
                "",
                "",
                None,
                None,
                None,
                now,
                now,
            )
        # planned: the next four weeks' 主题党日 for every branch
        for bid, path, _name, _numchild in branches:
            day = today + dt.timedelta(days=rng.randrange(1, 28))
            begin, end = TIMES["theme_day"]
            mid = next_id
            next_id += 1
            yield (
                mid,
                bid,
                path,
                bid,
                "theme_day",
                rng.choice(TITLES["theme_day"]),
                "planned",
                ops.adapt_datefield_value(day),
                tvalue[begin],
                tvalue[end],
                "党群服务中心",
                "",
                "",
                "",
                "",
                None,
                sizes.get(bid, 0),
                0,
                "",
                "",
                None,
                None,
                None,
                now,
                now,
            )

    n = bulk_insert(Meeting._meta.db_table, MEETING_COLUMNS, rows())
    first_att = (Attendance.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    bulk_insert(
        Attendance._meta.db_table,
        ATTENDANCE_COLUMNS,
        (
            (first_att + i, mid, m, state, reason, method, False, now)
            for i, (m, mid, state, reason, method) in enumerate(attendance)
        ),
    )
    _reset_sequences()
    ctx.say(f"组织生活：{n} 场会议，{len(attendance)} 条出勤记录，{len(behind)} 个支部滞后")
    _demo_branch_extras(today)


def _demo_branch_extras(today: dt.date) -> None:
    """The demo secretary's branch: today's meeting (for the card check-in) and a 周二夜学
    series through the end of next month."""

    zhibu = User.objects.filter(username="zhibu").select_related("member__org").first()
    if zhibu is None or zhibu.member is None:
        return
    org = zhibu.member.org
    services.meeting_plan(
        scope=Scope.everything(),
        actor=None,
        data=services.PlanInput(
            org=org,
            kind="lecture",
            title="今日党课：学习《中国共产党支部工作条例》",
            date=today,
            start_time=dt.time(19, 0),
            end_time=dt.time(20, 30),
            location="社区党群服务中心",
            presenter=zhibu.member.name,
        ),
    )
    end = (today.replace(day=28) + dt.timedelta(days=35)).replace(day=28)
    services.series_create(
        scope=Scope.everything(),
        actor=None,
        data=services.SeriesInput(
            org=org,
            kind="lecture",
            title="周二夜学",
            recurrence="weekly",
            weekday=1,
            start_time=dt.time(19),
            end_time=dt.time(20, 30),
            starts_on=today,
            ends_on=end,
            location="社区党群服务中心",
        ),
    )


def _reset_sequences() -> None:
    sync_sequences(*(m._meta.db_table for m in (Meeting, Attendance)))


def wipe() -> None:
    for model in (
        TokenUse,
        Attendance,
        Guest,
        MeetingAttachment,
        CalendarFeed,
        Meeting,
        MeetingSeries,
    ):
        # hundreds of thousands of rows at city scale: no per-row cascade collection
        model.objects.all()._raw_delete(model.objects.db)
