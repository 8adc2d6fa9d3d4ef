"""The 网格呼叫/事件 figures of the 数据驾驶舱 (core.metrics), keyed by the case's area path:
cases reported and closed in the period, closed on time, ratings, escalations (吹哨), and
the cases standing in each state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.cases.defaults import CATEGORIES as DEFAULT_CATEGORIES
from tongxin.cases.models import OPEN_STATES, Case, State
from tongxin.core.metrics import Metric, register, shared, sum_rows

GROUP = _("事件办理")


def _day_bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = dt.timezone(dt.timedelta(hours=8))  # days in Asia/Shanghai, as the pages count them
    return (
        dt.datetime.combine(start, dt.time(), tzinfo=tz),
        dt.datetime.combine(end, dt.time(), tzinfo=tz),
    )


@shared
def _flows(start: dt.date, end: dt.date) -> dict[str, dict[str, float]]:
    """The period's flows per area path — cases reported and their escalations, cases closed,
    closed on time, rated and satisfied — in one grouped read over the cases reported or
    closed in it, shared within a recomputation."""
    a, b = _day_bounds(start, end)
    in_reported = Q(reported_at__gte=a, reported_at__lt=b)
    in_closed = Q(closed_at__gte=a, closed_at__lt=b)
    aggregates: dict[str, Any] = {
        "reported": Count("id", filter=in_reported),
        "escalations": Sum("escalations", filter=in_reported),
        "closed": Count("id", filter=in_closed & Q(state=State.CLOSED)),
        "closed_on_time": Count(
            "id", filter=in_closed & Q(state=State.CLOSED, closed_at__lte=F("deadline_at"))
        ),
        "rated": Count("id", filter=in_closed & Q(rating__isnull=False)),
        "satisfied": Count("id", filter=in_closed & Q(rating__gte=4)),
    }
    rows: list[Any] = list(
        Case.objects.filter(in_reported | in_closed)
        .order_by()
        .values("area_path")
        .annotate(**aggregates)
    )
    return {k: sum_rows((row["area_path"], row[k]) for row in rows) for k in aggregates}


def _flow(figure: str):
    return lambda start, end: _flows(start, end)[figure]


reported, closed, closed_on_time = _flow("reported"), _flow("closed"), _flow("closed_on_time")
rated, satisfied, escalations = _flow("rated"), _flow("satisfied"), _flow("escalations")


@shared
def _by_state() -> dict[str, dict[str, float]]:
    """state → {area path: cases standing in it}: one grouped read for every state, shared
    within a recomputation (a stock: the same whatever the period)."""
    out: dict[str, dict[str, float]] = {s.value: {} for s in State}
    rows = Case.objects.order_by().values_list("area_path", "state").annotate(n=Count("id"))
    for path, state, n in rows:
        if path is None or state not in out:
            continue
        out[state][path] = out[state].get(path, 0.0) + float(n)
    return out


def _in_state(state: str):
    return lambda start, end: _by_state()[state]


common: dict[str, Any] = {"group": GROUP, "tree": "area"}
register(
    Metric(
        "cases.reported",
        _("新报事件"),
        unit=_("件"),
        compute=reported,
        headline=True,
        order=60,
        **common,
    ),
    Metric("cases.closed", _("结案"), unit=_("件"), compute=closed, order=61, **common),
    Metric(
        "cases.closed_on_time",
        _("按期结案"),
        unit=_("件"),
        compute=closed_on_time,
        order=61,
        **common,
    ),
    Metric(
        "cases.on_time_pct",
        _("按期办结率"),
        unit="%",
        ratio=("cases.closed_on_time", "cases.closed"),
        headline=True,
        order=62,
        **common,
    ),
    Metric("cases.rated", _("已评价"), unit=_("件"), compute=rated, order=63, **common),
    Metric("cases.satisfied", _("满意"), unit=_("件"), compute=satisfied, order=63, **common),
    Metric(
        "cases.satisfaction_pct",
        _("满意率"),
        unit="%",
        ratio=("cases.satisfied", "cases.rated"),
        order=64,
        **common,
    ),
    Metric(
        "cases.escalations", _("吹哨次数"), unit=_("次"), compute=escalations, order=65, **common
    ),
    *(
        Metric(
            f"cases.state.{s.value}",
            s.label,
            unit=_("件"),
            compute=_in_state(s.value),
            historical=False,
            order=66,
            group=_("事件状态"),
            tree="area",
        )
        for s in State
    ),
)


# ---- the 工作台's card: what the day's figures lack ----------------------------------------
# The day's flows already cover the twelve months up to the day (insights' day window); the
# card also counts, among the cases reported in that window, those standing in each state,
# those ever escalated (催办/吹哨) and those open past their deadline — one grouped read per
# window, shared within a recomputation.


@shared
def _year_figures(start: dt.date, end: dt.date) -> dict[str, dict[str, float]]:
    a, b = _day_bounds(start, end)
    now = min(timezone.now(), b)
    aggregates: dict[str, Any] = {
        "escalated": Count("id", filter=Q(escalations__gt=0) | Q(overdue_level__gt=0)),
        "overdue": Count("id", filter=Q(state__in=OPEN_STATES, deadline_at__lt=now)),
        **{f"state.{s.value}": Count("id", filter=Q(state=s.value)) for s in State},
    }
    rows: Any = (
        Case.objects.filter(reported_at__gte=a, reported_at__lt=b)
        .order_by()
        .values("area_path")
        .annotate(**aggregates)
    )
    out: dict[str, dict[str, float]] = {k: {} for k in aggregates}
    for row in rows:
        path = row["area_path"]
        for k in aggregates:
            if row[k]:
                out[k][path] = out[k].get(path, 0.0) + float(row[k])
    return out


def _year(figure: str):
    return lambda start, end: _year_figures(start, end)[figure]


YEAR_GROUP = _("事件办理（近12个月）")
year: dict[str, Any] = {
    "group": YEAR_GROUP,
    "tree": "area",
    "historical": False,
    "unit": _("件"),
    "order": 67,
}
register(
    Metric("cases.year.escalated", _("催办/吹哨（近12个月）"), compute=_year("escalated"), **year),
    Metric("cases.year.overdue", _("超期未办结"), compute=_year("overdue"), **year),
    *(
        Metric(
            f"cases.year.state.{s.value}",
            s.label,
            compute=_year(f"state.{s.value}"),
            shown=False,
            **year,
        )
        for s in State
    ),
)


# ---- cases by category ------------------------------------------------------------------
# Categories are rows an administrator may add; a metric key is fixed when it is registered.
# One metric per standard category (the codes the cases app installs, tongxin.cases.defaults)
# and one for every other category together: the keys never change, the parts always add up
# to the cases reported, and each has its trend. All of them come from one grouped read per
# window (shared within a recomputation).

STANDARD_CODES = tuple(code for code, *_rest in DEFAULT_CATEGORIES)
OTHER = "other"


@shared
def _by_category(start: dt.date, end: dt.date) -> dict[str, dict[str, float]]:
    a, b = _day_bounds(start, end)
    out: dict[str, dict[str, float]] = {code: {} for code in (*STANDARD_CODES, OTHER)}
    rows = (
        Case.objects.filter(reported_at__gte=a, reported_at__lt=b)
        .order_by()
        .values_list("area_path", "category__code")
        .annotate(n=Count("id"))
    )
    for path, code, n in rows:
        into = out[code if code in out else OTHER]
        into[path] = into.get(path, 0.0) + float(n)
    return out


def _category(code: str):
    return lambda start, end: _by_category(start, end)[code]


CATEGORY_GROUP = _("事件类别")
register(
    *(
        Metric(
            f"cases.category.{code}",
            name,
            unit=_("件"),
            group=CATEGORY_GROUP,
            tree="area",
            compute=_category(code),
            order=68,
        )
        for code, name, *_rest in DEFAULT_CATEGORIES
    ),
    Metric(
        f"cases.category.{OTHER}",
        _("其他类别"),
        unit=_("件"),
        group=CATEGORY_GROUP,
        tree="area",
        compute=_category(OTHER),
        order=69,
    ),
)
