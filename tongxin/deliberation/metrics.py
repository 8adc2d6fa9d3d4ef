"""The 议事 figures of the 数据驾驶舱 (core.metrics), keyed by the hosting organization's path:
topics standing at each stage (说·议·办·评), votes held, residents' ratings and how many were
satisfied, and agreed actions past their deadline."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, sum_rows
from tongxin.deliberation.models import ActionItem, Rating, Topic, TopicStatus, Vote

GROUP = _("议事协商")


def topics(status: str):
    def compute(start: dt.date, end: dt.date) -> dict[str, float]:
        return sum_rows(
            Topic.objects.filter(status=status)
            .order_by()
            .values_list("host_org_path")
            .annotate(n=Count("id"))
        )

    return compute


def votes(start: dt.date, end: dt.date) -> dict[str, float]:
    """Votes (表决) on the topics, all time."""
    return sum_rows(
        Vote.objects.order_by().values_list("topic__host_org_path").annotate(n=Count("id"))
    )


def _ratings(q: Q):
    def compute(start: dt.date, end: dt.date) -> dict[str, float]:
        return sum_rows(
            Rating.objects.filter(q)
            .order_by()
            .values_list("topic__host_org_path")
            .annotate(n=Count("id"))
        )

    return compute


def actions_overdue(start: dt.date, end: dt.date) -> dict[str, float]:
    """Agreed actions not done whose deadline passed before the period's last day."""
    return sum_rows(
        ActionItem.objects.filter(done_at__isnull=True, deadline__lt=end - dt.timedelta(days=1))
        .order_by()
        .values_list("topic__host_org_path")
        .annotate(n=Count("id"))
    )


standing: dict[str, object] = {"group": GROUP, "historical": False}
register(
    *(
        Metric(
            f"deliberation.topics.{s.value}",
            s.label,
            unit=_("个"),
            compute=topics(s.value),
            order=120,
            **standing,  # type: ignore[arg-type]
        )
        for s in TopicStatus
    ),
    Metric(
        "deliberation.votes",
        _("表决"),
        unit=_("次"),
        compute=votes,
        order=121,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "deliberation.ratings",
        _("居民评价"),
        unit=_("条"),
        compute=_ratings(Q()),
        order=122,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "deliberation.ratings_good",
        _("满意及基本满意"),
        unit=_("条"),
        compute=_ratings(~Q(value="unsatisfied")),
        order=122,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "deliberation.satisfaction_pct",
        _("议事满意率"),
        unit="%",
        ratio=("deliberation.ratings_good", "deliberation.ratings"),
        order=123,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "deliberation.actions_overdue",
        _("逾期未办结事项"),
        unit=_("项"),
        compute=actions_overdue,
        headline=False,
        order=124,
        **standing,  # type: ignore[arg-type]
    ),
)
