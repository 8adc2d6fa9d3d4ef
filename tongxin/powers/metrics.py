"""The 小微权力 figures of the 数据驾驶舱 (core.metrics), keyed by the organization exercising
the power: powers in the catalogue, instances running, stuck past their step's deadline,
completed in the year, and objections waiting for an answer."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, sum_rows
from tongxin.powers.models import InstanceStatus, Objection, PowerInstance, PowerItem

GROUP = _("小微权力")
TZ = dt.timezone(dt.timedelta(hours=8))


def _eve(end: dt.date) -> dt.date:
    return end - dt.timedelta(days=1)


def items(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        PowerItem.objects.filter(active=True)
        .order_by()
        .values_list("org_path")
        .annotate(n=Count("id"))
    )


def running(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        PowerInstance.objects.filter(status=InstanceStatus.RUNNING)
        .order_by()
        .values_list("org_path")
        .annotate(n=Count("id"))
    )


def stuck(start: dt.date, end: dt.date) -> dict[str, float]:
    """Running instances whose current step is past its deadline on the period's last day."""
    return sum_rows(
        PowerInstance.objects.filter(status=InstanceStatus.RUNNING, step_due_on__lt=_eve(end))
        .order_by()
        .values_list("org_path")
        .annotate(n=Count("id"))
    )


def completed_this_year(start: dt.date, end: dt.date) -> dict[str, float]:
    """Instances completed in the calendar year of the period's last day, up to it."""
    first = dt.datetime.combine(dt.date(_eve(end).year, 1, 1), dt.time(), tzinfo=TZ)
    last = dt.datetime.combine(end, dt.time(), tzinfo=TZ)
    return sum_rows(
        PowerInstance.objects.filter(
            status=InstanceStatus.COMPLETED, completed_at__gte=first, completed_at__lt=last
        )
        .order_by()
        .values_list("org_path")
        .annotate(n=Count("id"))
    )


def objections_open(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows(
        Objection.objects.filter(answered_at__isnull=True, instance__status=InstanceStatus.RUNNING)
        .order_by()
        .values_list("instance__org_path")
        .annotate(n=Count("id"))
    )


standing: dict[str, object] = {"group": GROUP, "historical": False}
register(
    Metric("powers.items", _("权力事项"), unit=_("项"), compute=items, order=130, **standing),  # type: ignore[arg-type]
    Metric("powers.running", _("运行中"), unit=_("件"), compute=running, order=131, **standing),  # type: ignore[arg-type]
    Metric(
        "powers.stuck",
        _("超时未推进"),
        unit=_("件"),
        compute=stuck,
        headline=True,
        order=132,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "powers.completed_year",
        _("本年办结"),
        unit=_("件"),
        compute=completed_this_year,
        order=133,
        **standing,  # type: ignore[arg-type]
    ),
    Metric(
        "powers.objections_open",
        _("待答复异议"),
        unit=_("条"),
        compute=objections_open,
        order=134,
        **standing,  # type: ignore[arg-type]
    ),
)
