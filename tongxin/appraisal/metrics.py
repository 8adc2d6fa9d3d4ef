"""The 考评 figures of the 数据驾驶舱 (core.metrics), keyed by the assessed organization's path:
千分制 assessments not yet final, final scores (their sum and count, and the average), review
sessions (述职评议) open and 整改 items open."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from tongxin.appraisal.models import (
    Assessment,
    AssessmentStatus,
    ItemStatus,
    RectificationItem,
    ReviewSession,
    ReviewStatus,
)
from tongxin.core.metrics import Metric, register, sum_rows

GROUP = _("考评")


def pending(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        Assessment.objects.exclude(status=AssessmentStatus.FINAL)
        .order_by()
        .values_list("org_path")
        .annotate(n=Count("id"))
    )


def _finals():
    return Assessment.objects.filter(
        status=AssessmentStatus.FINAL, final_total__isnull=False
    ).order_by()


def finals(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(_finals().values_list("org_path").annotate(n=Count("id")))


def final_sum(start: dt.date, end: dt.date) -> dict[str, float]:
    rows = _finals().values_list("org_path").annotate(n=Sum("final_total"))
    return {p: round(v, 1) for p, v in sum_rows(rows).items()}


def sessions_open(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        ReviewSession.objects.filter(status=ReviewStatus.OPEN)
        .order_by()
        .values_list("org_path")
        .annotate(n=Count("id"))
    )


def items_open(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        RectificationItem.objects.filter(status=ItemStatus.OPEN)
        .order_by()
        .values_list("reporter__session__org_path")
        .annotate(n=Count("id"))
    )


standing: dict[str, object] = {"group": GROUP, "historical": False}
register(
    Metric(
        "appraisal.pending",
        _("未定分的千分制考评"),
        unit=_("个"),
        compute=pending,
        order=170,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "appraisal.finals",
        _("已定分的千分制考评"),
        unit=_("个"),
        compute=finals,
        order=171,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "appraisal.final_sum",
        _("千分制得分合计"),
        unit=_("分"),
        compute=final_sum,
        shown=False,
        order=172,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "appraisal.average",
        _("千分制平均得分"),
        unit=_("分"),
        ratio=("appraisal.final_sum", "appraisal.finals"),
        scale=1.0,
        headline=True,
        order=173,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "appraisal.sessions_open",
        _("评议中的述职评议"),
        unit=_("场"),
        compute=sessions_open,
        order=174,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "appraisal.items_open",
        _("整改中的事项"),
        unit=_("项"),
        compute=items_open,
        order=175,
        **standing,  # type: ignore[arg-type]
    ),
)
