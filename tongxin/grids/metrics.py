"""The 网格 and 应建尽建 figures of the 数据驾驶舱 (core.metrics): grids per community (area
tree), grids without a 党建指导员, members in no grid (organization tree), and the coverage
gaps of the 应建尽建 audit (compounds and units with enough members but no branch)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, Max, OuterRef
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, shared, stock, sum_rows
from tongxin.core.scope import STEPLEN
from tongxin.grids import coverage
from tongxin.grids.coverage import MIN_MEMBERS, TERM_WARNING_DAYS
from tongxin.grids.models import Grid, GridMembership
from tongxin.members.models import Member, MemberStatus, Standing
from tongxin.orgs.models import (
    Establishment,
    Leadership,
    LeadershipRole,
    Organization,
    OrgKind,
    Unit,
)

GROUP = _("网格")


@stock
def grids(end: dt.date) -> dict[str, float]:
    return sum_rows(Grid.objects.order_by().values_list("community__path").annotate(n=Count("id")))


@stock
def grids_without_instructor(end: dt.date) -> dict[str, float]:
    return sum_rows(
        Grid.objects.filter(instructor__isnull=True)
        .order_by()
        .values_list("community__path")
        .annotate(n=Count("id"))
    )


@stock
def members_in_no_grid(end: dt.date) -> dict[str, float]:
    placed = GridMembership.objects.filter(member=OuterRef("pk"))
    return sum_rows(
        Member.objects.filter(~Exists(placed), standing=Standing.NORMAL)
        .order_by()
        .values_list("org_path")
        .annotate(n=Count("id"))
    )


GAPS = _("应建尽建")


def _eve(end: dt.date) -> dt.date:
    return end - dt.timedelta(days=1)


@stock
def no_secretary(end: dt.date) -> dict[str, float]:
    """Organizations (not 党小组) with no secretary seat begun (the coverage audit's rule)."""
    seat = Leadership.objects.filter(
        org=OuterRef("pk"), role=LeadershipRole.SECRETARY, term_start__lte=_eve(end)
    )
    return sum_rows(
        Organization.objects.exclude(kind=OrgKind.GROUP)
        .filter(~Exists(seat))
        .order_by()
        .values_list("path")
        .annotate(n=Count("id"))
    )


@stock
def term_due(end: dt.date) -> dict[str, float]:
    """Organizations whose latest secretary term ends within 90 days or has ended (换届)."""
    limit = _eve(end) + dt.timedelta(days=TERM_WARNING_DAYS)
    return sum_rows(
        (path, 1)
        for path, last in Leadership.objects.filter(role=LeadershipRole.SECRETARY)
        .order_by()
        .values("org")
        .annotate(end=Max("term_end"))
        .filter(end__lte=limit)
        .values_list("org__path", "end")
    )


@stock
def functional_too_big(end: dt.date) -> dict[str, float]:
    """功能性 branches with enough members for a 建制性 one."""
    return sum_rows(
        (path, 1)
        for path, _n in Organization.objects.filter(
            kind=OrgKind.BRANCH, establishment=Establishment.FUNCTIONAL
        )
        .annotate(n=Count("members"))
        .filter(n__gte=MIN_MEMBERS)
        .values_list("path", "n")
    )


@stock
def overdue_probation(end: dt.date) -> dict[str, float]:
    """预备党员 whose year ended with no 转正 recorded (《党章》第七条)."""
    eve = _eve(end)
    year_ago = eve.replace(
        year=eve.year - 1, day=28 if eve.month == 2 and eve.day == 29 else eve.day
    )
    return sum_rows(
        Member.objects.filter(
            status=MemberStatus.PROBATIONARY, confirmed_on__isnull=True, joined_on__lt=year_ago
        )
        .order_by()
        .values_list("org_path")
        .annotate(n=Count("id"))
    )


register(
    Metric(
        "grids.total",
        _("网格"),
        unit=_("个"),
        group=GROUP,
        tree="area",
        compute=grids,
        historical=False,
        headline=True,
        order=50,
    ),
    Metric(
        "grids.no_instructor",
        _("无指导员网格"),
        unit=_("个"),
        group=GROUP,
        tree="area",
        compute=grids_without_instructor,
        historical=False,
        order=51,
    ),
    Metric(
        "grids.members_unplaced",
        _("未入网格党员"),
        unit=_("人"),
        group=GROUP,
        people=True,
        compute=members_in_no_grid,
        historical=False,
        order=52,
    ),
)
register(
    Metric(
        "gaps.no_secretary",
        _("无书记组织"),
        unit=_("个"),
        group=GAPS,
        compute=no_secretary,
        historical=False,
        headline=True,
        order=55,
    ),
    Metric(
        "gaps.term_due",
        _("换届到期（90天内）"),
        unit=_("个"),
        group=GAPS,
        compute=term_due,
        historical=False,
        order=56,
    ),
    Metric(
        "gaps.functional",
        _("应转建制性支部"),
        unit=_("个"),
        group=GAPS,
        compute=functional_too_big,
        historical=False,
        order=57,
    ),
    Metric(
        "gaps.overdue_probation",
        _("预备期满未转正"),
        unit=_("人"),
        group=GAPS,
        people=True,
        compute=overdue_probation,
        historical=False,
        order=58,
    ),
)


# ---- the coverage audit's area-bound categories ------------------------------------------
# The audit of an organization's subtree also counts, when the organization is territorial
# (hosted by no unit, anchored in an area), the compounds, units and grids of that area; a
# unit or a grid is counted once however many ways it falls in. Such a count is not a sum of
# rows over paths, so these figures are computed as the count at every organization (N) and
# handed over as differences: each node's count less its children's, whose subtree totals
# (what insights adds up over the path prefixes) are the counts themselves.


def as_subtree_counts(counts: dict[str, int]) -> dict[str, float]:
    """``{org path: the count at that subtree}`` → own values whose totals over every path
    prefix give back those counts (each node's count, less its children's)."""
    own: dict[str, float] = {}
    for path, n in counts.items():
        own[path] = own.get(path, 0.0) + n
        parent = path[:-STEPLEN]
        if parent:
            own[parent] = own.get(parent, 0.0) - n
    return own


@shared
def _territorial() -> dict[str, list[str]]:
    """area path → the paths of the organizations anchored there and hosted by no unit (the
    audit's territorial roots). One query."""
    out: dict[str, list[str]] = {}
    for path, area_path in Organization.objects.filter(
        unit__isnull=True, area__isnull=False
    ).values_list("path", "area__path"):
        out.setdefault(area_path, []).append(path)
    return out


def _reached(org_paths: list[str], area_path: str | None) -> set[str]:
    """The organizations whose audit counts a thing of these organizations (every subtree
    holding one) and of this area (the territorial organizations of the area or above it)."""
    out = {p[:i] for p in org_paths for i in range(STEPLEN, len(p) + 1, STEPLEN)}
    if area_path:
        territorial = _territorial()
        for i in range(STEPLEN, len(area_path) + 1, STEPLEN):
            out.update(territorial.get(area_path[:i], ()))
    return out


def _counts(reached: list[set[str]]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for paths in reached:
        for p in paths:
            counts[p] = counts.get(p, 0) + 1
    return as_subtree_counts(counts)


@stock
def compounds_without_branch(end: dt.date) -> dict[str, float]:
    """Compounds (小区) with at least three members living there and no 建制性 branch of their
    own or of a grid covering them (seed 002), as the coverage audit finds them, counted at
    the territorial organizations of the areas above them."""
    wanting = coverage.compounds_without_branch(None)
    return _counts([_reached([], p) for p in sorted(wanting)])


@stock
def units_without_branch(end: dt.date) -> dict[str, float]:
    """Units with at least three members working there and hosting no 建制性 organization,
    counted at every subtree holding an organization they host and at the territorial
    organizations of the areas above them."""
    counts = dict(
        Member.objects.filter(work_unit__isnull=False)
        .order_by()
        .values("work_unit")
        .annotate(n=Count("id"))
        .filter(n__gte=MIN_MEMBERS)
        .values_list("work_unit", "n")
    )
    if not counts:
        return {}
    hosted: dict[int, list[str]] = {}
    covered: set[int] = set()
    for unit, path, kind, establishment in Organization.objects.filter(
        unit__isnull=False
    ).values_list("unit_id", "path", "kind", "establishment"):
        if unit not in counts:
            continue
        hosted.setdefault(unit, []).append(path)
        if kind in (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE) and (
            establishment == Establishment.FORMAL
        ):
            covered.add(unit)
    return _counts(
        [
            _reached(hosted.get(pk, []), area_path)
            for pk, area_path in Unit.objects.values_list("pk", "area__path")
            if pk in counts and pk not in covered
        ]
    )


@stock
def grids_without_instructor_served(end: dt.date) -> dict[str, float]:
    """Grids with no 党建指导员, counted at every subtree holding their serving branch and at
    the territorial organizations of the areas above their community."""
    return _counts(
        [
            _reached([branch] if branch else [], community)
            for branch, community in Grid.objects.filter(instructor__isnull=True).values_list(
                "serving_branch__path", "community__path"
            )
        ]
    )


@stock
def members_in_several_grids(end: dt.date) -> dict[str, float]:
    """Members placed in more than one grid (impossible by construction, checked anyway)."""
    found = list(
        GridMembership.objects.order_by()
        .values("member")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("member", flat=True)
    )
    if not found:
        return {}
    return sum_rows(
        Member.objects.filter(pk__in=found)
        .order_by()
        .values_list("org_path")
        .annotate(n=Count("id"))
    )


register(
    Metric(
        "gaps.compound",
        _("未建支部小区"),
        unit=_("个"),
        group=GAPS,
        compute=compounds_without_branch,
        historical=False,
        order=53,
    ),
    Metric(
        "gaps.unit",
        _("未建支部单位"),
        unit=_("个"),
        group=GAPS,
        compute=units_without_branch,
        historical=False,
        order=54,
    ),
    Metric(
        "gaps.no_instructor",
        _("网格无党建指导员"),
        unit=_("个"),
        group=GAPS,
        compute=grids_without_instructor_served,
        historical=False,
        order=57,
    ),
    Metric(
        "gaps.multigrid",
        _("编入多个网格党员"),
        unit=_("人"),
        group=GAPS,
        people=True,
        compute=members_in_several_grids,
        historical=False,
        order=58,
    ),
)
