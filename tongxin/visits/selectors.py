"""Every read of 三访, filtered by a Scope: a visit is reached through the visitor's
organization (org grants on ``org_path``) or through the visited place (area grants on
``area_path``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongxin.core.scope import Scope, subtree_q
from tongxin.geo.models import Area
from tongxin.members.models import Member
from tongxin.orgs.models import Organization
from tongxin.visits.cases_link import CaseInfo, case_infos, case_state_order
from tongxin.visits.models import (
    ContactAssignment,
    ContactTarget,
    PatrolPost,
    ProblemStatus,
    QuotaPeriod,
    QuotaRule,
    TargetKind,
    Visit,
    VisitKind,
    VisitProblem,
)

# --- scope -------------------------------------------------------------------------------


def visits_q(scope: Scope, perm: str = "visits.view", prefix: str = "") -> Q:
    """Rows carrying ``org_path`` and ``area_path`` (visits, problems, patrol posts)."""
    if scope.is_superuser:
        return Q()
    q = scope.org_grants_q(perm, f"{prefix}org_path")
    for g in scope.grants.get(perm, []):
        if g.kind == "area":
            q |= g.q(f"{prefix}area_path")
    return q


def _org_only_q(scope: Scope, perm: str) -> Q:
    """Rows carrying only an organization (三访责任): by the org tree, or by the area the
    organization is anchored in."""
    return scope.orgs_q(perm, prefix="org__")


def visit_queryset(scope: Scope, perm: str = "visits.view") -> QuerySet[Visit]:
    return Visit.objects.filter(visits_q(scope, perm))


def get_visit_for(scope: Scope, pk: object, perm: str = "visits.view") -> Visit:
    try:
        return (
            visit_queryset(scope, perm)
            .select_related("org", "area", "unit", "post", "target", "target__unit", "target__area")
            .get(pk=int(str(pk)))
        )
    except (Visit.DoesNotExist, ValueError):
        raise Http404(gettext("走访记录不存在或不在您的管辖范围内。")) from None


def get_problem_for(scope: Scope, pk: object, perm: str = "visits.view") -> VisitProblem:
    try:
        return (
            VisitProblem.objects.filter(visits_q(scope, perm))
            .select_related("visit", "visit__area")
            .get(pk=int(str(pk)))
        )
    except (VisitProblem.DoesNotExist, ValueError):
        raise Http404(gettext("问题不存在或不在您的管辖范围内。")) from None


def may_manage(scope: Scope, visit: Visit | PatrolPost) -> bool:
    """Whether the user records for this visit (or patrol post): through its organization or
    its place, as visits_q reaches them."""
    if scope.is_superuser:
        return True
    for g in scope.grants.get("visits.manage", []):
        if g.kind == "org" and g.covers(visit.org_path):
            return True
        if g.kind == "area" and g.covers(visit.area_path):
            return True
    return False


# --- periods -----------------------------------------------------------------------------

# Briefings fall every other Monday, counted from this one.
BRIEFING_EPOCH = dt.date(2024, 1, 1)


def today() -> dt.date:
    return timezone.localdate()


def month_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    start = day.replace(day=1)
    nxt = (start + dt.timedelta(days=32)).replace(day=1)
    return start, nxt - dt.timedelta(days=1)


def quarter_bounds(day: dt.date) -> tuple[dt.date, dt.date]:
    first_month = 3 * ((day.month - 1) // 3) + 1
    start = day.replace(month=first_month, day=1)
    end_month = start + dt.timedelta(days=95)
    return start, end_month.replace(day=1) - dt.timedelta(days=1)


def briefing_window(day: dt.date) -> tuple[dt.date, dt.date]:
    """The two weeks (Monday to Sunday a week later) that contain ``day``."""
    start = day - dt.timedelta(days=(day - BRIEFING_EPOCH).days % 14)
    return start, start + dt.timedelta(days=13)


def period_bounds(period: str, day: dt.date) -> tuple[dt.date, dt.date]:
    return quarter_bounds(day) if period == QuotaPeriod.QUARTER else month_bounds(day)


# --- quotas ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Quota:
    code: str
    label: str
    period: str
    minimum: int
    maximum: int | None


# Used when the table is empty (the data migration loads the same figures).
DEFAULT_QUOTAS = {
    "contact_units": Quota("contact_units", "领导干部联系基层单位", "quarter", 4, 5),
    "contact_households": Quota(
        "contact_households", "领导干部联系走访农户和居民", "quarter", 10, None
    ),
    "home_visits": Quota("home_visits", "党员干部每月上门家访", "month", 10, None),
}


def quota_rules() -> dict[str, Quota]:
    """One query."""
    out = dict(DEFAULT_QUOTAS)
    for r in QuotaRule.objects.all():
        out[r.code] = Quota(r.code, r.label, r.period, r.minimum, r.maximum)
    return out


def count_of(qs: QuerySet[Any], group: str, what: str = "id", distinct: bool = False) -> Coalesce:
    return Coalesce(
        Subquery(
            qs.order_by().values(group).annotate(c=Count(what, distinct=distinct)).values("c"),
            output_field=IntegerField(),
        ),
        Value(0),
    )


def assignment_queryset(scope: Scope, perm: str = "visits.view") -> QuerySet[ContactAssignment]:
    return ContactAssignment.objects.filter(_org_only_q(scope, perm))


def get_assignment_for(scope: Scope, pk: object, perm: str = "visits.view") -> ContactAssignment:
    try:
        return assignment_queryset(scope, perm).select_related("leader", "org").get(pk=int(str(pk)))
    except (ContactAssignment.DoesNotExist, ValueError):
        raise Http404(gettext("三访责任不存在或不在您的管辖范围内。")) from None


PROGRESS_COLUMNS = (
    "id",
    "leader__id",
    "leader__name",
    "org__id",
    "org__name",
    "org_path",
    "contact_duty",
    "home_duty",
)


def assignment_progress(
    scope: Scope, day: dt.date, org: Organization | None = None
) -> QuerySet[ContactAssignment]:
    """Active assignments in reach, each annotated with its progress: linked units and
    households visited this quarter (distinct targets), home visits this month. One query
    (correlated subqueries)."""
    q_start, q_end = quarter_bounds(day)
    m_start, m_end = month_bounds(day)
    qs = assignment_queryset(scope).filter(active=True)
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    targets = ContactTarget.objects.filter(assignment=OuterRef("pk"))
    visited = Visit.objects.filter(
        target__assignment=OuterRef("pk"), visited_on__range=(q_start, q_end)
    )
    home = Visit.objects.filter(
        visitor_member=OuterRef("leader_id"),
        kind=VisitKind.HOME,
        visited_on__range=(m_start, m_end),
    )
    return (
        qs.select_related("leader", "org")
        .only(*PROGRESS_COLUMNS)
        .annotate(
            units_total=count_of(targets.filter(kind=TargetKind.UNIT), "assignment"),
            households_total=count_of(targets.filter(kind=TargetKind.HOUSEHOLD), "assignment"),
            units_visited=count_of(
                visited.filter(target__kind=TargetKind.UNIT),
                "target__assignment",
                "target",
                distinct=True,
            ),
            households_visited=count_of(
                visited.filter(target__kind=TargetKind.HOUSEHOLD),
                "target__assignment",
                "target",
                distinct=True,
            ),
            home_visits=count_of(home, "visitor_member"),
        )
        .order_by("org_path", "id")
    )


def pct(n: int, target: int) -> int:
    return min(100, round(100 * n / target)) if target else 100


@dataclass
class Progress:
    assignment: ContactAssignment
    units: tuple[int, int]  # visited, linked
    households: tuple[int, int]
    home: tuple[int, int]  # visits this month, quota
    units_pct: int = 0
    households_pct: int = 0
    home_pct: int = 0
    complete: bool = False


class _Counted(Protocol):
    """The figures assignment_progress annotates on each assignment."""

    units_total: int
    households_total: int
    units_visited: int
    households_visited: int
    home_visits: int


def progress_rows(rows: list[ContactAssignment], quotas: dict[str, Quota]) -> list[Progress]:
    home_quota = quotas["home_visits"].minimum
    unit_quota = quotas["contact_units"].minimum
    household_quota = quotas["contact_households"].minimum
    out = []
    for a in rows:
        n = cast(_Counted, a)
        p = Progress(
            assignment=a,
            units=(n.units_visited, n.units_total),
            households=(n.households_visited, n.households_total),
            home=(n.home_visits, home_quota),
        )
        # Every linked unit and household is to be visited in the quarter: progress counts
        # against the links, and never against fewer than the quota asks for.
        p.units = (p.units[0], max(p.units[1], unit_quota))
        p.households = (p.households[0], max(p.households[1], household_quota))
        p.units_pct = pct(p.units[0], p.units[1] if a.contact_duty else 0)
        p.households_pct = pct(p.households[0], p.households[1] if a.contact_duty else 0)
        p.home_pct = pct(p.home[0], home_quota if a.home_duty else 0)
        p.complete = (not a.contact_duty or (p.units_pct == 100 and p.households_pct == 100)) and (
            not a.home_duty or p.home_pct == 100
        )
        out.append(p)
    return out


def my_assignment(member: Member | None) -> ContactAssignment | None:
    if member is None:
        return None
    return (
        ContactAssignment.objects.filter(leader=member, active=True).select_related("org").first()
    )


def assignment_targets(assignment: ContactAssignment) -> QuerySet[ContactTarget]:
    return assignment.targets.select_related("unit", "area").order_by("kind", "id")


# --- visits list ---------------------------------------------------------------------------


@dataclass
class VisitFilters:
    kind: str = ""
    month: dt.date | None = None  # any day of the month
    org: Organization | None = None
    mine: Member | None = None


LIST_COLUMNS = (
    "id",
    "kind",
    "visited_on",
    "visitor_name",
    "people_met",
    "household",
    "org_path",
    "area_path",
    "org__id",
    "org__name",
    "area__id",
    "area__name",
)


def visit_list(scope: Scope, filters: VisitFilters | None = None) -> QuerySet[Visit]:
    """One query for the rows: organization and place joined, problems counted (and one for
    the page's count)."""
    f = filters or VisitFilters()
    qs = visit_queryset(scope)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.month is not None:
        qs = qs.filter(visited_on__range=month_bounds(f.month))
    if f.org is not None:
        qs = qs.filter(subtree_q("org_path", f.org.path))
    if f.mine is not None:
        qs = qs.filter(visitor_member=f.mine)
    problems = VisitProblem.objects.filter(visit=OuterRef("pk"))
    return (
        qs.select_related("org", "area")
        .only(*LIST_COLUMNS)
        .annotate(
            # Correlated counts, not a join: the page's count query leaves them out, and
            # only the page's rows are counted.
            n_problems=count_of(problems, "visit"),
            n_cases=count_of(problems.filter(status=ProblemStatus.CASE), "visit"),
        )
        .order_by("-visited_on", "-id")
    )


def visit_problems(visit: Visit) -> list[VisitProblem]:
    return list(visit.problems.all())


# --- the biweekly briefing (双周通报会) --------------------------------------------------------

BRIEFING_LIMIT = 1000


@dataclass
class BriefingGroup:
    key: str
    label: str
    rows: list[tuple[VisitProblem, CaseInfo | None]] = field(default_factory=list)


@dataclass
class Briefing:
    start: dt.date
    end: dt.date
    groups: list[BriefingGroup]
    total: int
    truncated: bool
    visits: int


def briefing(
    scope: Scope, start: dt.date, *, org: Organization | None = None, area: Area | None = None
) -> Briefing:
    """Every problem raised by visits in the two weeks from ``start`` and where it stands,
    grouped: 待解决, then the cases by state, then 已解决. Three queries: the problems (with
    their visit), the cases they became, the number of visits."""
    end = start + dt.timedelta(days=13)
    problems = VisitProblem.objects.filter(visits_q(scope), visited_on__range=(start, end))
    visits = visit_queryset(scope).filter(visited_on__range=(start, end))
    if org is not None:
        problems = problems.filter(subtree_q("org_path", org.path))
        visits = visits.filter(subtree_q("org_path", org.path))
    if area is not None:
        problems = problems.filter(subtree_q("area_path", area.path))
        visits = visits.filter(subtree_q("area_path", area.path))
    rows = list(
        problems.select_related("visit", "visit__area")
        .only(
            "id",
            "text",
            "status",
            "resolution",
            "case_pk",
            "case_code",
            "visited_on",
            "visit__id",
            "visit__kind",
            "visit__visitor_name",
            "visit__people_met",
            "visit__household",
            "visit__area__id",
            "visit__area__name",
        )
        .order_by("visited_on", "id")[: BRIEFING_LIMIT + 1]
    )
    truncated = len(rows) > BRIEFING_LIMIT
    rows = rows[:BRIEFING_LIMIT]
    infos = case_infos([p.case_pk for p in rows if p.case_pk is not None])
    groups: dict[str, BriefingGroup] = {
        "open": BriefingGroup("open", gettext("待解决（未转事件）"))
    }
    for value, label in case_state_order():
        groups[f"case:{value}"] = BriefingGroup(f"case:{value}", gettext("事件：%s") % label)
    groups["case:unknown"] = BriefingGroup("case:unknown", gettext("已转事件"))
    groups["resolved"] = BriefingGroup("resolved", gettext("已解决"))
    for p in rows:
        info = infos.get(p.case_pk) if p.case_pk is not None else None
        if p.status == ProblemStatus.RESOLVED:
            key = "resolved"
        elif p.case_pk is None:
            key = "open"
        else:
            key = (
                f"case:{info.state}" if info and f"case:{info.state}" in groups else "case:unknown"
            )
        groups[key].rows.append((p, info))
    return Briefing(
        start=start,
        end=end,
        groups=[g for g in groups.values() if g.rows],
        total=len(rows),
        truncated=truncated,
        visits=visits.count(),
    )


# --- patrol posts ----------------------------------------------------------------------------


def post_queryset(scope: Scope, perm: str = "visits.view") -> QuerySet[PatrolPost]:
    return PatrolPost.objects.filter(visits_q(scope, perm))


def get_post_for(scope: Scope, pk: object, perm: str = "visits.view") -> PatrolPost:
    try:
        return post_queryset(scope, perm).select_related("org", "area").get(pk=int(str(pk)))
    except (PatrolPost.DoesNotExist, ValueError):
        raise Http404(gettext("巡访服务岗不存在或不在您的管辖范围内。")) from None


def post_list(scope: Scope) -> QuerySet[PatrolPost]:
    """One query: organization and area joined, members and this month's visits counted."""
    m_start, m_end = month_bounds(today())
    visits = Visit.objects.filter(post=OuterRef("pk"), visited_on__range=(m_start, m_end))
    return (
        post_queryset(scope)
        .filter(active=True)
        .select_related("org", "area")
        .annotate(
            n_members=Count("members", distinct=True),
            visits_this_month=count_of(visits, "post"),
        )
        .order_by("org_path", "id")
    )


def post_members(post: PatrolPost) -> QuerySet[Member]:
    return post.members.only("id", "name").order_by("id")


def posts_for_choice(scope: Scope) -> QuerySet[PatrolPost]:
    return post_queryset(scope, "visits.manage").filter(active=True).order_by("name")


def orgs_for_recording(scope: Scope) -> QuerySet[Organization]:
    """Where a visitor may file a visit: the organizations they hold visits.manage for."""
    return Organization.objects.filter(scope.orgs_q("visits.manage")).order_by("path")


# --- the 工作台 panel ---------------------------------------------------------------------------


def panel_stats(scope: Scope, day: dt.date | None = None) -> dict[str, Any]:
    """Four queries: visits this month by kind, problems by status (all time), the quota
    rules, and the assignments' completion."""
    day = day or today()
    start, end = month_bounds(day)
    by_kind = dict(
        visit_queryset(scope)
        .filter(visited_on__range=(start, end))
        .order_by()
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    problems = (
        VisitProblem.objects.filter(visits_q(scope))
        .order_by()
        .aggregate(
            open=Count("id", filter=Q(status=ProblemStatus.OPEN)),
            case=Count("id", filter=Q(status=ProblemStatus.CASE)),
            resolved=Count("id", filter=Q(status=ProblemStatus.RESOLVED)),
        )
    )
    quotas = quota_rules()
    home_quota = quotas["home_visits"].minimum
    m_start, m_end = month_bounds(day)
    home = Visit.objects.filter(
        visitor_member=OuterRef("leader_id"),
        kind=VisitKind.HOME,
        visited_on__range=(m_start, m_end),
    )
    cadres = (
        assignment_queryset(scope)
        .filter(active=True, home_duty=True)
        .annotate(n=count_of(home, "visitor_member"))
        .order_by()
        .aggregate(total=Count("id"), met=Count("id", filter=Q(n__gte=home_quota)))
    )
    return {
        "month": start,
        "by_kind": [(str(k.label), by_kind.get(k.value, 0)) for k in VisitKind],
        "visits_total": sum(by_kind.values()),
        "problems": problems,
        "home_quota": home_quota,
        "cadres_total": cadres["total"] or 0,
        "cadres_met": cadres["met"] or 0,
        "cadres_pct": pct(cadres["met"] or 0, cadres["total"] or 0) if cadres["total"] else None,
    }


KIND_HELP = {
    VisitKind.CONTACT: _("镇（街道）领导班子成员到联系的基层单位、农户和居民家走访"),
    VisitKind.HOME: _("村（社区）干部每月上门家访，了解群众困难和所思所盼"),
    VisitKind.PATROL: _("党员巡访服务岗的巡访员在田间地头、村前村后巡访"),
}


# --- form choices ----------------------------------------------------------------------------

VISIT_LEVELS = ["community", "compound", "building"]


def areas_for_recording(scope: Scope, perm: str = "visits.manage") -> QuerySet[Area]:
    """Places a visitor may pick: communities, compounds and buildings under the areas of the
    organizations they record for, and under their area grants. Not sliced (see
    core.forms.offer)."""
    if scope.is_superuser:
        return Area.objects.filter(level__in=VISIT_LEVELS).order_by("path")
    anchors = set(
        Organization.objects.filter(path__in=scope.org_roots(perm))
        .exclude(area=None)
        .values_list("area__path", flat=True)
    )
    anchors |= {g.path for g in scope.grants.get(perm, []) if g.kind == "area"}
    if not anchors:
        return Area.objects.none()
    q = Q(pk__in=[])
    for path in sorted(anchors):
        q |= subtree_q("path", path)
    return Area.objects.filter(q, level__in=VISIT_LEVELS).order_by("path")


def members_for_choice(scope: Scope) -> QuerySet[Member]:
    return (
        Member.objects.filter(scope.members_q("visits.manage"))
        .only("id", "name")
        .order_by("org_path", "id")
    )


def targets_for_choice(member: Member | None) -> QuerySet[ContactTarget]:
    if member is None:
        return ContactTarget.objects.none()
    return ContactTarget.objects.filter(
        assignment__leader=member, assignment__active=True
    ).select_related("unit", "area")
