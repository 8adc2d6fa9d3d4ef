"""Every read of organizational life, filtered by a Scope."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from typing import cast

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongxin.core.scope import Scope, subtree_q
from tongxin.meetings.models import (
    Attendance,
    ComplianceRule,
    Guest,
    Meeting,
    MeetingAttachment,
    MeetingKind,
    MeetingSeries,
    MeetingStatus,
    Period,
)
from tongxin.members.models import Member, MemberStatus, OrgRelationChange
from tongxin.orgs.models import Organization, OrgKind

LIST_COLUMNS = (
    "id",
    "org_id",
    "org_path",
    "kind",
    "title",
    "status",
    "date",
    "start_time",
    "end_time",
    "location",
    "presenter",
    "expected_count",
    "present_count",
    "review_status",
    "org__name",
)

# Organizations that hold meetings of their own (a committee's 党课 is a meeting too).
MEETING_ORG_KINDS = [
    OrgKind.BRANCH,
    OrgKind.GROUP,
    OrgKind.GENERAL_BRANCH,
    OrgKind.COMMITTEE,
    OrgKind.WORKING_COMMITTEE,
]


def local_today() -> dt.date:
    return timezone.localdate()


def meetings_q(scope: Scope, perm: str = "meetings.view", prefix: str = "") -> Q:
    """Meetings reached: by an org grant on the meeting's (denormalized) org_path, or by an area
    grant on the area the organization is anchored in."""
    if scope.is_superuser:
        return Q()
    q = scope.org_grants_q(perm, f"{prefix}org_path")
    by_area = scope.orgs_by_area_q(perm)
    if by_area is not None:
        q |= Q(**{f"{prefix}org__in": Organization.objects.filter(by_area).values("id")})
    return q


def meeting_queryset(scope: Scope, perm: str = "meetings.view") -> QuerySet[Meeting]:
    return Meeting.objects.filter(meetings_q(scope, perm))


def get_meeting_for(scope: Scope, pk: object, perm: str = "meetings.view") -> Meeting:
    try:
        return meeting_queryset(scope, perm).select_related("org", "branch").get(pk=int(str(pk)))
    except (Meeting.DoesNotExist, ValueError):
        raise Http404(gettext("会议不存在或不在您的管辖范围内。")) from None


def can(scope: Scope, perm: str, meeting: Meeting) -> bool:
    area = meeting.org.area
    return scope.reaches_org(perm, meeting.org_path, area.path if area is not None else None)


def meeting_org_choices(scope: Scope, perm: str = "meetings.manage") -> QuerySet[Organization]:
    return (
        Organization.objects.filter(scope.orgs_q(perm), kind__in=MEETING_ORG_KINDS)
        .only("id", "name", "path")
        .order_by("path")
    )


@dataclass
class MeetingFilters:
    org: Organization | None = None
    kind: str = ""
    status: str = ""
    start: dt.date | None = None
    end: dt.date | None = None  # inclusive


def meeting_list(scope: Scope, filters: MeetingFilters | None = None) -> QuerySet[Meeting]:
    """One query for the rows (org joined)."""
    f = filters or MeetingFilters()
    qs = meeting_queryset(scope)
    if f.org is not None:
        qs = qs.filter(subtree_q("org_path", f.org.path))
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.start:
        qs = qs.filter(date__gte=f.start)
    if f.end:
        qs = qs.filter(date__lte=f.end)
    return qs.select_related("org").only(*LIST_COLUMNS).order_by("date", "start_time", "id")


@dataclass
class Day:
    date: dt.date
    in_month: bool
    meetings: list[Meeting] = field(default_factory=list)
    total: int = 0

    @property
    def more(self) -> int:
        return self.total - len(self.meetings)


PER_DAY = 3


def month_calendar(scope: Scope, filters: MeetingFilters, year: int, month: int) -> list[list[Day]]:
    """Weeks (Monday first) of the month: up to PER_DAY meetings per day and each day's total.
    Two queries: the totals per day, and the first rows of the month (capped)."""
    first = dt.date(year, month, 1)
    last = dt.date(year, month, calendar.monthrange(year, month)[1])
    f = MeetingFilters(
        org=filters.org, kind=filters.kind, status=filters.status, start=first, end=last
    )
    qs = meeting_list(scope, f)
    totals = dict(qs.order_by().values_list("date").annotate(n=Count("id")))
    days: dict[dt.date, Day] = {}
    for d, n in totals.items():
        days[d] = Day(d, True, total=n)
    for m in qs[:400]:
        day = days[m.date]
        if len(day.meetings) < PER_DAY:
            day.meetings.append(m)
    return [
        [days.get(d) or Day(d, d.month == month) for d in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)
    ]


def branch_path_of(meeting: Meeting) -> str:
    """Members belong to branches (never to groups): a group meeting's roster is its branch's."""
    if meeting.org.kind == OrgKind.GROUP:
        return meeting.org_path[: -Organization.steplen]
    return meeting.org_path


def members_on(org_id: int, org_path: str, on: dt.date) -> QuerySet[Member]:
    """The members of an organization on a date, from the relation history: those in it now
    who had joined the Party by then and did not arrive after it, and those who have left it
    after the date (without coming back). The one answer to "who belonged to the branch that
    day" for the check-in page, the minutes, the meeting page and the stored counts."""
    arrived_later = OrgRelationChange.objects.filter(
        member=OuterRef("pk"), to_org_id=org_id, on__gt=on
    )
    left_later = OrgRelationChange.objects.filter(from_org_id=org_id, on__gt=on).values("member_id")
    return (
        Member.objects.filter(Q(org_path=org_path) | Q(pk__in=left_later), joined_on__lte=on)
        .exclude(Exists(arrived_later))
        .only("id", "name", "status", "confirmed_on")
        .order_by("id")
    )


def _roster_org_id(meeting: Meeting) -> int:
    if meeting.org.kind == OrgKind.GROUP and meeting.branch_id:
        return meeting.branch_id
    return meeting.org_id


def roster(meeting: Meeting) -> QuerySet[Member]:
    """The members expected at the meeting: the branch's members on the meeting's date (the
    meeting's access was checked by the caller)."""
    return members_on(_roster_org_id(meeting), branch_path_of(meeting), meeting.date)


def has_vote(member: Member, on: dt.date) -> bool:
    """《中国共产党章程》第七条: 预备党员的权利，除了没有表决权、选举权和被选举权以外，也同正式党员
    一样。A member confirmed (转正) after the date was still probationary that day."""
    if member.status != MemberStatus.FULL:
        return False
    return member.confirmed_on is None or member.confirmed_on <= on


def guest_ids(meeting: Meeting) -> set[int]:
    return set(Guest.objects.filter(meeting=meeting).values_list("member_id", flat=True))


def eligible_ids(meeting: Meeting) -> list[int]:
    return list(roster(meeting).values_list("id", flat=True)) + sorted(guest_ids(meeting))


@dataclass
class RollRow:
    member_id: int
    name: str
    is_guest: bool
    state: str = ""
    reason: str = ""
    method: str = ""
    method_label: str = ""
    votes: bool = False


@dataclass
class RollCounts:
    """What every page shows about one meeting's attendance, counted from one roll."""

    expected: int  # the roster on the meeting's date, plus guests who came
    present: int
    voting: int  # members with a vote on the date (预备党员 have none)
    voting_present: int
    unmarked: list[str]

    @property
    def quorum(self) -> bool:
        # A 支部党员大会 decides only when more than half of the members with a vote are
        # present (the rule the 发展党员 and election regulations apply to every vote).
        return self.voting > 0 and 2 * self.voting_present > self.voting


def roll_counts(rows: list[RollRow]) -> RollCounts:
    members = [r for r in rows if not r.is_guest]
    voters = [r for r in members if r.votes]
    return RollCounts(
        expected=len(members) + sum(1 for r in rows if r.is_guest and r.state == "present"),
        present=sum(1 for r in rows if r.state == "present"),
        voting=len(voters),
        voting_present=sum(1 for r in voters if r.state == "present"),
        unmarked=[r.name for r in members if not r.state],
    )


def roll(meeting: Meeting) -> list[RollRow]:
    """The roster plus guests with their attendance: three queries."""
    rows = {
        m.id: RollRow(m.id, m.name, False, votes=has_vote(m, meeting.date)) for m in roster(meeting)
    }
    for g in (
        Guest.objects.filter(meeting=meeting)
        .select_related("member")
        .only("member__id", "member__name")
    ):
        rows.setdefault(g.member.id, RollRow(g.member.id, g.member.name, True))
    for a in (
        Attendance.objects.filter(meeting=meeting)
        .select_related("member")
        .only("member__id", "member__name", "state", "reason", "method", "is_guest")
    ):
        row = rows.setdefault(a.member.id, RollRow(a.member.id, a.member.name, a.is_guest))
        row.state, row.reason, row.method = a.state, a.reason, a.method
        row.method_label = str(a.get_method_display()) if a.method else ""
    return list(rows.values())


def attachments(meeting: Meeting) -> QuerySet[MeetingAttachment]:
    return MeetingAttachment.objects.filter(meeting=meeting).order_by("id")


def get_attachment_for(scope: Scope, pk: object) -> MeetingAttachment:
    try:
        return MeetingAttachment.objects.filter(meetings_q(scope, prefix="meeting__")).get(
            pk=int(str(pk))
        )
    except (MeetingAttachment.DoesNotExist, ValueError):
        raise Http404(gettext("附件不存在或不在您的管辖范围内。")) from None


def guest_candidates(scope: Scope, meeting: Meeting) -> QuerySet[Member]:
    """Members in the user's reach from outside the meeting's branch (for 列席)."""
    return (
        Member.objects.filter(scope.members_q("members.view"))
        .exclude(org_path=branch_path_of(meeting))
        .only("id", "name")
        .order_by("name", "id")
    )


def series_list(scope: Scope) -> QuerySet[MeetingSeries]:
    qs = MeetingSeries.objects.all()
    if not scope.is_superuser:
        q = scope.org_grants_q("meetings.view", "org_path")
        by_area = scope.orgs_by_area_q("meetings.view")
        if by_area is not None:
            q |= Q(org__in=Organization.objects.filter(by_area).values("id"))
        qs = qs.filter(q)
    return qs.select_related("org").annotate(n=Count("meetings")).order_by("-id")


# ---- compliance ---------------------------------------------------------------------------

# Used when the rules table is empty (a flushed test database): the data migration's defaults.
DEFAULT_RULES = [
    (MeetingKind.COMMITTEE, Period.MONTH),
    (MeetingKind.GROUP, Period.MONTH),
    (MeetingKind.GENERAL, Period.QUARTER),
    (MeetingKind.LECTURE, Period.QUARTER),
    (MeetingKind.THEME_DAY, Period.MONTH),
    (MeetingKind.LIFE, Period.YEAR),
]

MET, BEHIND, OVERDUE = "met", "behind", "overdue"
BRANCH_LIST_LIMIT = 500
STATE_LABELS = {MET: _("达标"), BEHIND: _("本期未完成"), OVERDUE: _("上期未完成（逾期）")}
STATE_RANK = {MET: 0, BEHIND: 1, OVERDUE: 2}


def active_rules() -> list[ComplianceRule]:
    rules = list(ComplianceRule.objects.filter(active=True))
    if not rules and not ComplianceRule.objects.exists():
        rules = [ComplianceRule(kind=k, period=p, min_count=1) for k, p in DEFAULT_RULES]
    return rules


def period_bounds(period: str, today: dt.date) -> tuple[dt.date, dt.date]:
    """(start of the current period, start of the previous one)."""
    if period == Period.MONTH:
        cur = today.replace(day=1)
        prev = (cur - dt.timedelta(days=1)).replace(day=1)
    elif period == Period.QUARTER:
        cur = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        prev = (cur - dt.timedelta(days=1)).replace(day=1)
        prev = dt.date(prev.year, 3 * ((prev.month - 1) // 3) + 1, 1)
    else:
        cur = dt.date(today.year, 1, 1)
        prev = dt.date(today.year - 1, 1, 1)
    return cur, prev


@dataclass
class KindState:
    kind: str
    label: str
    period_label: str
    state: str
    current: int
    previous: int
    required: int
    period: str = ""  # Period value: which periods current and previous count

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


@dataclass
class BranchCompliance:
    id: int
    path: str
    name: str
    state: str
    kinds: list[KindState]

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])

    @property
    def missing(self) -> list[KindState]:
        return [k for k in self.kinds if k.state != MET]


def compliance(
    scope: Scope, *, org: Organization | None = None, today: dt.date | None = None
) -> list[BranchCompliance]:
    """Every branch in reach with its state for the current period: three queries (rules,
    branches, one GROUP BY over the held meetings), whatever the number of branches.
    (Two when nothing is in reach.)"""
    today = today or local_today()
    rules = active_rules()
    if not rules:
        return []
    branches = Organization.objects.filter(scope.orgs_q("meetings.view"), kind=OrgKind.BRANCH)
    if org is not None:
        branches = branches.filter(subtree_q("path", org.path))
    branch_rows = list(branches.order_by("path").values_list("id", "path", "name", "numchild"))
    if not branch_rows:
        return []
    bounds = {r.kind: period_bounds(r.period, today) for r in rules}
    earliest = min(prev for _cur, prev in bounds.values())
    aggregates = {}
    for r in rules:
        cur, prev = bounds[r.kind]
        aggregates[f"c_{r.kind}"] = Count("id", filter=Q(kind=r.kind, date__gte=cur))
        aggregates[f"p_{r.kind}"] = Count("id", filter=Q(kind=r.kind, date__gte=prev, date__lt=cur))
    meetings = Meeting.objects.filter(
        status=MeetingStatus.HELD, branch__isnull=False, date__gte=earliest, date__lte=today
    )
    if len(branch_rows) <= BRANCH_LIST_LIMIT:
        # a secretary's or a street's branches: the (branch, status, date) index, per branch
        meetings = meetings.filter(branch_id__in=[b[0] for b in branch_rows])
    # else (a district, the city): one pass over the period's held meetings; rows of branches
    # out of reach are dropped below, since only the branches in reach are listed.
    counts: dict[int, dict[str, int]] = {
        row["branch_id"]: cast("dict[str, int]", row)  # the branch and its counts
        for row in meetings.order_by().values("branch_id").annotate(**aggregates)
    }
    labels = dict(MeetingKind.choices)
    periods = dict(Period.choices)
    # Translated once here: a lazy label per branch and rule costs more than the query.
    plan = [
        (
            r.kind,
            f"c_{r.kind}",
            f"p_{r.kind}",
            r.min_count,
            str(labels[r.kind]),
            str(periods[r.period]),
            r.period,
        )
        for r in rules
    ]
    empty: dict[str, int] = {}
    out = []
    for bid, path, name, numchild in branch_rows:
        row = counts.get(bid, empty)
        kinds = []
        worst = MET
        for kind, ckey, pkey, required, label, period_label, period in plan:
            if kind == MeetingKind.GROUP and not numchild:
                continue  # 党小组会 only where the branch has groups
            c, p = row.get(ckey, 0), row.get(pkey, 0)
            state = MET if c >= required else (OVERDUE if p < required else BEHIND)
            if STATE_RANK[state] > STATE_RANK[worst]:
                worst = state
            kinds.append(KindState(kind, label, period_label, state, c, p, required, period))
        out.append(BranchCompliance(bid, path, name, worst, kinds))
    return out


@dataclass
class SubtreeRate:
    name: str
    branches: int
    met: int
    behind: int
    overdue: int
    expected: int
    present: int
    # Branches that met every rule in the rule's last closed period (上一周期).
    previous_met: int = 0

    @property
    def compliance_pct(self) -> float | None:
        """This period's progress: branches that already met every rule in it."""
        return round(100 * self.met / self.branches, 1) if self.branches else None

    @property
    def previous_pct(self) -> float | None:
        """The last closed period's rate: the headline, since early in a month most branches
        have not yet held this month's meetings."""
        return round(100 * self.previous_met / self.branches, 1) if self.branches else None

    @property
    def attendance_pct(self) -> float | None:
        return round(100 * self.present / self.expected, 1) if self.expected else None


def compliance_summary(scope: Scope, today: dt.date | None = None) -> dict[str, object] | None:
    """The 工作台 panel: totals and, per subtree below the user's top organization (or per top
    organization when there are several), compliance and attendance rates. Six queries."""
    today = today or local_today()
    rows = compliance(scope, today=today)
    if not rows:
        return None
    roots = (
        sorted({r.path[:4] for r in rows})
        if scope.is_superuser
        else scope.org_roots("meetings.view")
    )
    if not roots:  # area grants only: one line per branch's top-level ancestor in reach
        roots = sorted({r.path[:4] for r in rows})
    if len(roots) == 1:
        depth = len(roots[0]) // Organization.steplen + 1
        prefix_len = depth * Organization.steplen
    else:
        prefix_len = min(len(p) for p in roots)
    groups: dict[str, SubtreeRate] = {}
    for _level in range(4):  # a single line says little: go down while there is only one
        groups = {}
        for r in rows:
            key = r.path[:prefix_len]
            g = groups.setdefault(key, SubtreeRate("", 0, 0, 0, 0, 0, 0))
            g.branches += 1
            setattr(g, r.state, getattr(g, r.state) + 1)
            g.previous_met += all(k.previous >= k.required for k in r.kinds)
        if len(groups) > 1 or all(len(r.path) <= prefix_len for r in rows):
            break
        prefix_len += Organization.steplen
    since = today - dt.timedelta(days=365)
    att = (
        meeting_queryset(scope)
        .filter(status=MeetingStatus.HELD, date__gte=since, date__lte=today)
        .annotate(p=Substr("org_path", 1, prefix_len))
        .order_by()
        .values("p")
        .annotate(e=Sum("expected_count"), n=Sum("present_count"))
    )
    for a in att:
        if a["p"] in groups:
            groups[a["p"]].expected += a["e"] or 0
            groups[a["p"]].present += a["n"] or 0
    names = dict(Organization.objects.filter(path__in=list(groups)).values_list("path", "name"))
    for key, g in groups.items():
        g.name = names.get(key, key)
    total = SubtreeRate(gettext("合计"), 0, 0, 0, 0, 0, 0)
    for g in groups.values():
        for f in ("branches", "met", "behind", "overdue", "expected", "present", "previous_met"):
            setattr(total, f, getattr(total, f) + getattr(g, f))
    ordered = sorted(groups.values(), key=lambda g: (g.compliance_pct or 0, g.name))
    return {
        "total": total,
        "subtrees": ordered[:12],
        "more": max(0, len(ordered) - 12),
        "periods": period_labels({k.period for r in rows for k in r.kinds}, today),
        "since": since,
        "today": today,
    }


def _period_name(period: str, start: dt.date) -> str:
    if period == Period.MONTH:
        return gettext("%(y)s年%(m)s月") % {"y": start.year, "m": start.month}
    if period == Period.QUARTER:
        return gettext("%(y)s年第%(q)s季度") % {"y": start.year, "q": (start.month - 1) // 3 + 1}
    return gettext("%(y)s年") % {"y": start.year}


def period_labels(periods: set[str], today: dt.date) -> dict[str, str]:
    """Which periods the 达标率 figures cover, for the rules' periods (shortest first):
    {"previous": "2026年11月、2026年第3季度、2025年", "current": ...}."""
    order: list[str] = [Period.MONTH, Period.QUARTER, Period.YEAR]
    ordered = sorted(periods, key=order.index)
    sep = gettext("、")
    return {
        "previous": sep.join(_period_name(p, period_bounds(p, today)[1]) for p in ordered),
        "current": sep.join(_period_name(p, period_bounds(p, today)[0]) for p in ordered),
    }
