"""The 网格 and 应建尽建 figures of the 数据驾驶舱 (core.metrics): grids per community (area
tree), grids without a 党建指导员, members in no grid (organization tree), and the coverage
gaps of the 应建尽建 audit (compounds and units with enough members but no branch)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Exists, Max, OuterRef
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, stock, sum_rows
from tongxin.grids.coverage import MIN_MEMBERS, TERM_WARNING_DAYS
from tongxin.grids.models import Grid, GridMembership
from tongxin.members.models import Member, MemberStatus, Standing
from tongxin.orgs.models import Establishment, Leadership, LeadershipRole, Organization, OrgKind

GROUP = _("网格")


def grids(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(Grid.objects.order_by().values_list("community__path").annotate(n=Count("id")))


def grids_without_instructor(start: dt.date, end: dt.date) -> dict[str, float]:
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
