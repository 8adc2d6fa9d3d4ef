"""Every read of 考评 (千分制 and 述职评议), filtered by a Scope.

- An indicator set, and the assessments under it, are seen by whoever reaches the assessing
  organization (``orgs.view``); an assessment also by whoever reaches the assessed one.
  The assessor (upper level) is who holds ``orgs.manage`` over the set's organization; the
  self-score belongs to who holds ``orgs.manage`` over the assessed organization.
- A review session is seen and run by whoever reaches its organization (``orgs.view`` /
  ``orgs.manage``). Ballots are cast by the session's raters only; nobody reads a ballot one
  by one: results are counts per pool, shown when the pool holds at least 5 ballots.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.appraisal.models import (
    GRADES,
    Appeal,
    Assessment,
    AssessmentStatus,
    Ballot,
    Grade,
    Indicator,
    IndicatorSet,
    ItemStatus,
    Metric,
    Rater,
    RaterPool,
    RectificationItem,
    Reporter,
    ReviewKind,
    ReviewSession,
    ReviewStatus,
    Score,
)
from tongxin.cases.figures import agency_figures, area_figures
from tongxin.core.inputs import parse_pk
from tongxin.core.months import add_months
from tongxin.core.registry import StoredFigures
from tongxin.core.scope import Scope, subtree_q
from tongxin.dues.figures import arrears_figures
from tongxin.grids.coverage import CoverageAudit
from tongxin.meetings.selectors import MET, compliance
from tongxin.members.selectors import member_queryset
from tongxin.orgs.figures import term_figures
from tongxin.orgs.models import Organization
from tongxin.visits.figures import quota_figures
from tongxin.volunteering.selectors import branch_hours

# The 应建尽建 audit's categories that are an organization not (properly) set up: a compound
# or a unit with enough members and no 建制性 branch, a 功能性 branch due to become 建制性.
SETUP_GAPS = ("compound", "unit", "functional")

VIEW, MANAGE = "orgs.view", "orgs.manage"
MIN_POOL_BALLOTS = 5  # a pool's result is shown from 5 ballots on: fewer could name a rater
GRADE_POINTS = {
    Grade.GOOD: 100,
    Grade.FAIRLY_GOOD: 80,
    Grade.AVERAGE: 60,
    Grade.POOR: 40,
    Grade.SATISFIED: 100,
    Grade.BASIC: 70,
    Grade.DISSATISFIED: 0,
}
# Weighted score -> grade, highest threshold first.
THRESHOLDS = {
    ReviewKind.ORG: ((90, Grade.GOOD), (75, Grade.FAIRLY_GOOD), (60, Grade.AVERAGE)),
    ReviewKind.DEPARTMENT: ((85, Grade.SATISFIED), (60, Grade.BASIC)),
}
LOWEST = {ReviewKind.ORG: Grade.POOR, ReviewKind.DEPARTMENT: Grade.DISSATISFIED}


def _area_path(org: Organization) -> str | None:
    return org.area.path if org.area_id and org.area is not None else None


def reaches(scope: Scope, perm: str, org: Organization) -> bool:
    return scope.reaches_org(perm, org.path, _area_path(org))


# ---- 千分制 ----


def set_queryset(scope: Scope) -> QuerySet[IndicatorSet]:
    return IndicatorSet.objects.filter(scope.orgs_q(VIEW, prefix="org__"))


def set_list(scope: Scope) -> QuerySet[IndicatorSet]:
    return set_queryset(scope).select_related("org").order_by("-year", "org_path", "id")


def get_set_for(scope: Scope, pk: object) -> IndicatorSet:
    pk_ = parse_pk(pk)
    if pk_ is None:
        raise Http404
    found = set_queryset(scope).select_related("org", "org__area").filter(pk=pk_).first()
    if found is None:
        raise Http404
    return found


def may_assess(scope: Scope, indicator_set: IndicatorSet) -> bool:
    return reaches(scope, MANAGE, indicator_set.org)


def assessment_queryset(scope: Scope) -> QuerySet[Assessment]:
    return Assessment.objects.filter(
        scope.orgs_q(VIEW, prefix="org__") | scope.orgs_q(VIEW, prefix="indicator_set__org__")
    )


def get_assessment_for(scope: Scope, pk: object) -> Assessment:
    pk_ = parse_pk(pk)
    if pk_ is None:
        raise Http404
    found = (
        assessment_queryset(scope)
        .select_related("org", "org__area", "indicator_set", "indicator_set__org__area")
        .filter(pk=pk_)
        .first()
    )
    if found is None:
        raise Http404
    return found


def may_self_score(scope: Scope, assessment: Assessment) -> bool:
    return reaches(scope, MANAGE, assessment.org)


def own_assessments(scope: Scope) -> QuerySet[Assessment]:
    """Quarters in which the user's own organizations (or those below them) are assessed, the
    set usually belonging to the level above: what a street or community sees of 千分制."""
    return (
        Assessment.objects.filter(scope.orgs_q(VIEW, prefix="org__"))
        .select_related("org", "indicator_set")
        .order_by("-indicator_set__year", "-quarter", "org_path", "id")
    )


def assessment_list(scope: Scope, indicator_set: IndicatorSet) -> QuerySet[Assessment]:
    return (
        assessment_queryset(scope)
        .filter(indicator_set=indicator_set)
        .select_related("org")
        .order_by("quarter", "org_path")
    )


def org_choices(scope: Scope, indicator_set: IndicatorSet) -> QuerySet[Organization]:
    """Organizations the set's assessor may open a quarter for: below the set's organization."""
    org = indicator_set.org
    return (
        Organization.objects.filter(scope.orgs_q(MANAGE), subtree_q("path", org.path))
        .exclude(pk=org.pk)
        .filter(depth__lte=org.depth + 2)
        .order_by("path")
    )


@dataclass
class Node:
    indicator: Indicator
    children: list[Node] = field(default_factory=list)
    weight: Decimal = Decimal(0)

    @property
    def is_leaf(self) -> bool:
        return not self.children


def indicator_tree(indicator_set: IndicatorSet) -> list[Node]:
    """The top-level nodes with their subtrees; a parent's weight is the sum of its leaves.
    One query."""
    nodes = {i.pk: Node(i) for i in Indicator.objects.filter(indicator_set=indicator_set)}
    roots = []
    for n in nodes.values():
        if n.indicator.parent_id is None:
            roots.append(n)
        else:
            nodes[n.indicator.parent_id].children.append(n)

    def total(n: Node) -> Decimal:
        n.weight = (
            n.indicator.weight if n.is_leaf else sum((total(c) for c in n.children), Decimal(0))
        )
        return n.weight

    for r in roots:
        total(r)
    return roots


def leaves(indicator_set: IndicatorSet) -> QuerySet[Indicator]:
    return Indicator.objects.filter(indicator_set=indicator_set, children__isnull=True)


def indicator_in(indicator_set: IndicatorSet, pk: int | None) -> Indicator | None:
    return Indicator.objects.filter(indicator_set=indicator_set, pk=pk or 0).first()


def leaf_total(indicator_set: IndicatorSet) -> Decimal:
    return sum((i.weight for i in leaves(indicator_set)), Decimal(0))


def top_of(tree: list[Node]) -> dict[int, Node]:
    """leaf id -> its top-level node."""
    out: dict[int, Node] = {}

    def walk(n: Node, top: Node) -> None:
        if n.is_leaf:
            out[n.indicator.pk] = top
        for c in n.children:
            walk(c, top)

    for r in tree:
        walk(r, r)
    return out


def scores(assessment: Assessment) -> list[Score]:
    return list(Score.objects.filter(assessment=assessment).select_related("indicator"))


def appeals(assessment: Assessment) -> QuerySet[Appeal]:
    return Appeal.objects.filter(assessment=assessment).select_related("score__indicator")


def get_appeal_for(scope: Scope, pk: object) -> Appeal:
    pk_ = parse_pk(pk)
    if pk_ is None:
        raise Http404
    found = (
        Appeal.objects.filter(assessment__in=assessment_queryset(scope).values("id"), pk=pk_)
        .select_related("assessment__indicator_set__org__area", "score__indicator")
        .first()
    )
    if found is None:
        raise Http404
    return found


def quarter_bounds(year: int, quarter: int) -> tuple[dt.date, dt.date]:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
    return start, end


def _aware(d: dt.date) -> dt.datetime:
    return dt.datetime(d.year, d.month, d.day, tzinfo=dt.UTC)


def metrics(
    orgs: list[Organization], year: int, quarter: int, wanted: set[str]
) -> dict[tuple[int, str], str]:
    """Automatic figures per (organization, metric), each computed for all the organizations
    at once (a fixed number of GROUP BY queries per metric)."""
    start, end = quarter_bounds(year, quarter)
    out: dict[tuple[int, str], str] = {}
    if not orgs:
        return out
    if wanted & {Metric.CASE_ON_TIME, Metric.CASE_SATISFACTION}:
        paths = [p for o in orgs if (p := _area_path(o))]
        figures = area_figures(paths, _aware(start), _aware(end))
        for o in orgs:
            f = figures.get(_area_path(o) or "")
            if f is None:
                continue
            for key, pct in (
                (Metric.CASE_ON_TIME, f.on_time_pct),
                (Metric.CASE_SATISFACTION, f.satisfaction_pct),
            ):
                out[(o.pk, key)] = "—" if pct is None else f"{pct}%"
    if Metric.MEETING_COMPLIANCE in wanted:
        common = min(orgs, key=lambda o: o.depth).path[: -Organization.steplen] or orgs[0].path
        anchor = Organization.objects.filter(path=common).first()
        rows = compliance(Scope.everything(), org=anchor, today=min(end, timezone.localdate()))
        for o in orgs:
            mine = [r for r in rows if r.path.startswith(o.path)]
            met = sum(1 for r in mine if r.state == MET)
            out[(o.pk, Metric.MEETING_COMPLIANCE)] = (
                f"{round(100 * met / len(mine))}%（{met}/{len(mine)}）" if mine else "—"
            )
    if Metric.VOLUNTEER_HOURS in wanted:
        n = len(orgs[0].path)
        paths = [o.path for o in orgs if len(o.path) == n]
        hours = dict(
            branch_hours(Scope.everything())
            .filter(on__gte=start, on__lt=end)
            .annotate(p=Substr("member_org_path", 1, n))
            .filter(p__in=paths)
            .order_by()
            .values("p")
            .annotate(s=Sum("minutes"))
            .values_list("p", "s")
        )
        people = dict(
            member_queryset(Scope.everything())
            .annotate(p=Substr("org_path", 1, n))
            .filter(p__in=paths)
            .order_by()
            .values("p")
            .annotate(c=Count("id"))
            .values_list("p", "c")
        )
        for o in orgs:
            c = people.get(o.path, 0)
            out[(o.pk, Metric.VOLUNTEER_HOURS)] = (
                f"{(hours.get(o.path) or 0) / 60 / c:.1f}小时" if c else "—"
            )
    stock_day = min(end - dt.timedelta(days=1), timezone.localdate())
    if Metric.DUES_ARREARS in wanted:
        last = min(add_months(start, 2), stock_day.replace(day=1))
        arrears = arrears_figures([o.path for o in orgs], start, last)
        for o in orgs:
            a = arrears[o.path]
            out[(o.pk, Metric.DUES_ARREARS)] = (
                gettext("%(n)d人（%(pct)d%%）") % {"n": a.owing, "pct": a.owing_pct}
                if a.owing_pct is not None
                else "—"
            )
    if Metric.COVERAGE_GAPS in wanted:
        # The audit of each organization's subtree (a dozen aggregate queries each, whatever
        # its size): the figure is the count the 应建尽建 page shows for the same subtree.
        for o in orgs:
            counts = CoverageAudit(Scope.everything(), o, today=stock_day).counts()
            out[(o.pk, Metric.COVERAGE_GAPS)] = gettext(
                "%(n)d个（小区%(compound)d、单位%(unit)d、功能性转建制%(functional)d）"
            ) % {"n": sum(counts[k] for k in SETUP_GAPS), **{k: counts[k] for k in SETUP_GAPS}}
    if Metric.VISIT_QUOTA in wanted:
        quotas = quota_figures([o.path for o in orgs], stock_day)
        for o in orgs:
            q = quotas[o.path]
            out[(o.pk, Metric.VISIT_QUOTA)] = (
                gettext("%(pct)d%%（%(done)d/%(n)d人完成）")
                % {"pct": q.complete_pct, "done": q.complete, "n": q.assignments}
                if q.complete_pct is not None
                else "—"
            )
    if Metric.TERM_ON_TIME in wanted:
        terms = term_figures([o.path for o in orgs], stock_day)
        for o in orgs:
            t = terms[o.path]
            out[(o.pk, Metric.TERM_ON_TIME)] = (
                gettext("%(pct)d%%（%(ok)d/%(n)d，逾期%(late)d个）")
                % {
                    "pct": t.on_time_pct,
                    "ok": t.seated - t.overdue,
                    "n": t.seated,
                    "late": t.overdue,
                }
                if t.on_time_pct is not None
                else "—"
            )
    return out


def radar_points(axes: list[tuple[str, float]], size: int = 260) -> dict[str, Any]:
    """An accessible SVG radar: one axis per top-level indicator, the share of its points
    scored (0..1). Returns the polygon, the axis ends and the label positions."""
    n = len(axes)
    c = size / 2
    r = size / 2 - 50
    spokes, labels, pts = [], [], []
    if n < 3:
        return {"size": size, "ok": False}
    grid = [
        " ".join(
            f"{c + r * ring * math.sin(2 * math.pi * i / n):.1f},"
            f"{c - r * ring * math.cos(2 * math.pi * i / n):.1f}"
            for i in range(n)
        )
        for ring in (0.25, 0.5, 0.75, 1.0)
    ]
    for i, (name, share) in enumerate(axes):
        a = 2 * math.pi * i / n
        x, y = math.sin(a), -math.cos(a)
        spokes.append((f"{c + r * x:.1f}", f"{c + r * y:.1f}"))
        anchor = "middle" if abs(x) < 0.2 else ("start" if x > 0 else "end")
        labels.append((name, f"{c + (r + 12) * x:.1f}", f"{c + (r + 16) * y + 4:.1f}", anchor))
        s = max(0.0, min(1.0, share))
        pts.append(f"{c + r * s * x:.1f},{c + r * s * y:.1f}")
    return {
        "size": size,
        "ok": True,
        "c": c,
        "grid": grid,
        "spokes": spokes,
        "labels": labels,
        "polygon": " ".join(pts),
    }


def ranking(scope: Scope, indicator_set: IndicatorSet, quarter: int) -> list[Assessment]:
    return list(
        assessment_list(scope, indicator_set)
        .filter(quarter=quarter, status=AssessmentStatus.FINAL)
        .order_by("-final_total", "org_path")
    )


# ---- 述职评议 ----


def review_queryset(scope: Scope) -> QuerySet[ReviewSession]:
    return ReviewSession.objects.filter(scope.orgs_q(VIEW, prefix="org__"))


def review_list(scope: Scope) -> QuerySet[ReviewSession]:
    return review_queryset(scope).select_related("org").order_by("-year", "-id")


def get_review_for(scope: Scope, pk: object) -> ReviewSession:
    pk_ = parse_pk(pk)
    if pk_ is None:
        raise Http404
    found = review_queryset(scope).select_related("org", "org__area").filter(pk=pk_).first()
    if found is None:
        raise Http404
    return found


def may_run(scope: Scope, session: ReviewSession) -> bool:
    return reaches(scope, MANAGE, session.org)


def get_reporter_for(scope: Scope, pk: object) -> Reporter:
    pk_ = parse_pk(pk)
    if pk_ is None:
        raise Http404
    found = (
        Reporter.objects.filter(session__in=review_queryset(scope).values("id"), pk=pk_)
        .select_related("session__org__area", "org", "agency")
        .first()
    )
    if found is None:
        raise Http404
    return found


def get_item_for(scope: Scope, pk: object) -> RectificationItem:
    pk_ = parse_pk(pk)
    if pk_ is None:
        raise Http404
    found = (
        RectificationItem.objects.filter(
            reporter__session__in=review_queryset(scope).values("id"), pk=pk_
        )
        .select_related("reporter__session__org__area")
        .first()
    )
    if found is None:
        raise Http404
    return found


def pools(session: ReviewSession) -> QuerySet[RaterPool]:
    return RaterPool.objects.filter(session=session).order_by("id")


def raters(pool: RaterPool) -> QuerySet[Rater]:
    return Rater.objects.filter(pool=pool).order_by("id")


def rater_in(session: ReviewSession, pk: int | None) -> Rater | None:
    return Rater.objects.filter(session=session, pk=pk or 0).first()


def pool_sizes(session: ReviewSession) -> list[tuple[RaterPool, int]]:
    sizes = dict(
        Rater.objects.filter(session=session)
        .order_by()
        .values("pool_id")
        .annotate(n=Count("id"))
        .values_list("pool_id", "n")
    )
    return [(p, sizes.get(p.pk, 0)) for p in RaterPool.objects.filter(session=session)]


def reporters(session: ReviewSession) -> QuerySet[Reporter]:
    return Reporter.objects.filter(session=session).select_related("org", "agency").order_by("id")


def items(reporter: Reporter) -> QuerySet[RectificationItem]:
    return RectificationItem.objects.filter(reporter=reporter).order_by("status", "deadline", "id")


def reporter_by_token(token: str, reporter_pk: int) -> Reporter:
    """The reporter of the session the QR code names, with its session (one query)."""
    found = (
        Reporter.objects.filter(session__token=str(token)[:32], pk=reporter_pk)
        .select_related("session")
        .first()
    )
    if found is None:
        raise Http404
    return found


def session_by_token(token: str) -> ReviewSession:
    found = ReviewSession.objects.filter(token=str(token)[:32]).select_related("org").first()
    if found is None:
        raise Http404
    return found


def rater_of(user: Any, session: ReviewSession) -> Rater | None:
    if user is None or not getattr(user, "pk", None):
        return None
    return Rater.objects.filter(session=session, user=user).select_related("session").first()


def my_ballots(rater: Rater) -> dict[int, str]:
    return dict(Ballot.objects.filter(rater=rater).values_list("reporter_id", "grade"))


@dataclass
class PoolResult:
    pool: RaterPool
    ballots: int
    paper: int
    counts: dict[str, int]
    score: float | None  # None: fewer than MIN_POOL_BALLOTS, not shown

    @property
    def shown(self) -> bool:
        return self.score is not None


@dataclass
class ReporterResult:
    reporter: Reporter
    pools: list[PoolResult]
    score: float | None
    grade: str | None

    @property
    def grade_label(self) -> str:
        return str(Grade(self.grade).label) if self.grade else "—"


def grade_for(kind: str, score: float) -> str:
    for threshold, grade in THRESHOLDS[ReviewKind(kind)]:
        if score >= threshold:
            return grade
    return LOWEST[ReviewKind(kind)]


def results(session: ReviewSession) -> list[ReporterResult]:
    """Per reporter and pool: ballot counts by grade (one GROUP BY) and, for pools with at
    least 5 ballots, the average grade points; the weighted score over the pools shown."""
    pool_list = list(pools(session))
    counts: dict[tuple[int, int], dict[str, int]] = {}
    paper: dict[tuple[int, int], int] = {}
    for row in (
        Ballot.objects.filter(session=session)
        .order_by()
        .values("reporter_id", "pool_id", "grade")
        .annotate(n=Count("id"), p=Count("id", filter=Q(origin="paper")))
    ):
        key = (row["reporter_id"], row["pool_id"])
        counts.setdefault(key, {})[row["grade"]] = row["n"]
        paper[key] = paper.get(key, 0) + row["p"]
    grades = GRADES[ReviewKind(session.kind)]
    out = []
    for rep in reporters(session):
        prs = []
        for pool in pool_list:
            c = counts.get((rep.pk, pool.pk), {})
            n = sum(c.values())
            score = (
                sum(GRADE_POINTS[Grade(g)] * k for g, k in c.items()) / n
                if n >= MIN_POOL_BALLOTS
                else None
            )
            prs.append(
                PoolResult(
                    pool,
                    n,
                    paper.get((rep.pk, pool.pk), 0),
                    {g: c.get(g, 0) for g in grades},
                    score,
                )
            )
        shown = [p for p in prs if p.score is not None]
        wsum = sum(p.pool.weight for p in shown)
        total = (
            round(sum(p.pool.weight * (p.score or 0) for p in shown) / wsum, 1) if wsum else None
        )
        out.append(
            ReporterResult(
                rep, prs, total, grade_for(session.kind, total) if total is not None else None
            )
        )
    return out


def department_figures(session: ReviewSession) -> dict[int, Any]:
    """部门向基层述职评议: each department's own case figures for the session's year."""
    ids = [r.agency_id for r in reporters(session) if r.agency_id]
    start = dt.datetime(session.year, 1, 1, tzinfo=dt.UTC)
    end = dt.datetime(session.year + 1, 1, 1, tzinfo=dt.UTC)
    return agency_figures(ids, start, end)


def open_items_count(scope: Scope) -> int:
    return RectificationItem.objects.filter(
        reporter__session__in=review_queryset(scope).values("id"), status=ItemStatus.OPEN
    ).count()


def dashboard(scope: Scope) -> dict[str, Any] | None:
    """The 工作台 card: assessments awaiting the user, open sessions, open 整改 items."""
    if not scope.has(VIEW) or not (scope.is_superuser or scope.has(MANAGE)):
        return None
    sessions = review_queryset(scope).filter(status=ReviewStatus.OPEN).count()
    pending = assessment_queryset(scope).exclude(status=AssessmentStatus.FINAL).count()
    items = open_items_count(scope)
    if not (sessions or pending or items):
        return None  # nothing under way: no card
    return {"open_sessions": sessions, "pending": pending, "open_items": items}


STORED_KEYS = ("appraisal.sessions_open", "appraisal.pending", "appraisal.items_open")


def stored_dashboard(request: object, scope: Scope, f: StoredFigures) -> dict[str, Any] | None:
    """``dashboard``'s card from the stored figures of the user's top of scope."""
    if not scope.has(VIEW) or not (scope.is_superuser or scope.has(MANAGE)):
        return None
    out = {
        "open_sessions": f.count("appraisal.sessions_open"),
        "pending": f.count("appraisal.pending"),
        "open_items": f.count("appraisal.items_open"),
    }
    return out if any(out.values()) else None
