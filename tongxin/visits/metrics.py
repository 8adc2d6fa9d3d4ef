"""The 三访 figures of the 数据驾驶舱 (core.metrics): visits of the period by kind, and the
leaders and cadres holding a visiting duty (the quota's denominators)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, OuterRef
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, shared, stock, sum_rows
from tongxin.visits.models import ContactAssignment, ProblemStatus, Visit, VisitKind, VisitProblem
from tongxin.visits.selectors import count_of, month_bounds, quota_rules

GROUP = _("三访")


@shared
def _by_kind(start: dt.date, end: dt.date) -> dict[str | None, dict[str, float]]:
    """kind (None: every kind) → {org path: visits in [start, end)}: one grouped read for
    every kind, shared within a recomputation."""
    out: dict[str | None, dict[str, float]] = {None: {}, **{k.value: {} for k in VisitKind}}
    rows = (
        Visit.objects.filter(visited_on__gte=start, visited_on__lt=end)
        .order_by()
        .values_list("org_path", "kind")
        .annotate(n=Count("id"))
    )
    for path, kind, n in rows:
        if path is None:
            continue
        for key in (None, kind) if kind is not None and kind in out else (None,):
            out[key][path] = out[key].get(path, 0.0) + float(n)
    return out


def _visits(kind: str | None):
    return lambda start, end: _by_kind(start, end)[kind]


@stock
def home_duty(end: dt.date) -> dict[str, float]:
    return sum_rows(
        ContactAssignment.objects.filter(active=True, home_duty=True)
        .order_by()
        .values_list("org_path")
        .annotate(n=Count("id"))
    )


register(
    Metric(
        "visits.total",
        _("走访"),
        unit=_("次"),
        group=GROUP,
        compute=_visits(None),
        headline=True,
        order=70,
    ),
    *(
        Metric(
            f"visits.kind.{k.value}",
            k.label,
            unit=_("次"),
            group=GROUP,
            compute=_visits(k.value),
            order=71,
        )
        for k in VisitKind
    ),
    Metric(
        "visits.home_duty",
        _("家访责任人"),
        unit=_("人"),
        group=GROUP,
        people=True,
        compute=home_duty,
        historical=False,
        order=72,
    ),
    # 上门家访 monthly ≥10 per duty holder (seed 003): the month's home visits per holder.
    Metric(
        "visits.home_per_holder",
        _("人均家访"),
        unit=_("次"),
        group=GROUP,
        ratio=("visits.kind.home", "visits.home_duty"),
        scale=1.0,
        order=73,
    ),
)


def problems(status: str):
    """Problems recorded on visits, standing in ``status`` (all time)."""

    def compute(end: dt.date) -> dict[str, float]:
        return sum_rows(
            VisitProblem.objects.filter(status=status)
            .order_by()
            .values_list("org_path")
            .annotate(n=Count("id"))
        )

    return stock(compute)


@stock
def home_duty_met(end: dt.date) -> dict[str, float]:
    """Home-visit duty holders who made the month's quota of home visits (the month of the
    period's last day, up to it)."""
    m_start, m_end = month_bounds(end - dt.timedelta(days=1))
    minimum = quota_rules()["home_visits"].minimum
    home = Visit.objects.filter(
        visitor_member=OuterRef("leader_id"),
        kind=VisitKind.HOME,
        visited_on__range=(m_start, m_end),
    )
    return sum_rows(
        ContactAssignment.objects.filter(active=True, home_duty=True)
        .annotate(n=count_of(home, "visitor_member"))
        .filter(n__gte=minimum)
        .order_by()
        .values_list("org_path")
        .annotate(c=Count("id"))
    )


register(
    *(
        Metric(
            f"visits.problems.{s.value}",
            s.label,
            unit=_("个"),
            group=_("三访问题"),
            compute=problems(s.value),
            historical=False,
            order=74,
        )
        for s in ProblemStatus
    ),
    Metric(
        "visits.home_duty_met",
        _("家访达标责任人"),
        unit=_("人"),
        group=GROUP,
        people=True,
        compute=home_duty_met,
        historical=False,
        order=72,
    ),
)
