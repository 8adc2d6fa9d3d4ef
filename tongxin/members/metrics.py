"""The member figures of the 数据驾驶舱 (core.metrics): by status, age band, education and
flags (流动, 失联, 示范岗, 共产党员户). All of them come from one grouped read keyed by
``org_path`` (a count per figure, each with its filter), shared within a recomputation: the
city's members are scanned once, not once per figure and period."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, shared
from tongxin.members.models import Education, Member, MemberStatus
from tongxin.members.selectors import AGE_BANDS

GROUP = _("党员")


FLAGS = [
    ("is_floating", _("流动党员")),
    ("is_lost_contact", _("失联党员")),
    ("is_model_post", _("党员示范岗")),
    ("is_party_household", _("共产党员户")),
]


@shared
def _figures(end: dt.date) -> dict[str, dict[str, float]]:
    """figure → {org path: members}, every figure in one grouped read. The age bands are the
    工作台's (members.selectors.member_stats), on the period's last day."""
    today = end - dt.timedelta(days=1)
    aggregates: dict[str, Count] = {"total": Count("id")}
    for s in MemberStatus:
        aggregates[f"status_{s.value}"] = Count("id", filter=Q(status=s.value))
    for i, (lo, hi, _label) in enumerate(AGE_BANDS):
        youngest = dt.date(today.year - lo, today.month, min(today.day, 28))
        oldest = dt.date(today.year - hi - 1, today.month, min(today.day, 28))
        aggregates[f"age_{i}"] = Count(
            "id", filter=Q(birth_date__lte=youngest, birth_date__gt=oldest)
        )
    for e in Education:
        aggregates[f"education_{e.value}"] = Count("id", filter=Q(education=e.value))
    for name, _label in FLAGS:
        aggregates[f"flag_{name}"] = Count("id", filter=Q(**{name: True}))
    rows: Any = Member.objects.order_by().values("org_path").annotate(**aggregates)
    out: dict[str, dict[str, float]] = {k: {} for k in aggregates}
    for row in rows:
        path = row["org_path"]
        if path is None:
            continue
        for k in aggregates:
            if row[k]:
                out[k][path] = out[k].get(path, 0.0) + float(row[k])
    return out


def _figure(name: str):
    return lambda start, end: _figures(end)[name]


def register_metrics() -> None:
    common: dict[str, Any] = {"unit": _("人"), "people": True, "historical": False}
    register(
        Metric(
            "members.total",
            _("党员"),
            group=GROUP,
            compute=_figure("total"),
            headline=True,
            order=20,
            **common,
        ),
        *(
            Metric(
                f"members.status.{s.value}",
                s.label,
                group=GROUP,
                compute=_figure(f"status_{s.value}"),
                order=21,
                **common,
            )
            for s in MemberStatus
        ),
        *(
            Metric(
                f"members.age.{i}",
                label,
                group=_("党员年龄"),
                compute=_figure(f"age_{i}"),
                order=22,
                **common,
            )
            for i, (_lo, _hi, label) in enumerate(AGE_BANDS)
        ),
        *(
            Metric(
                f"members.education.{e.value}",
                e.label,
                group=_("党员学历"),
                compute=_figure(f"education_{e.value}"),
                order=23,
                **common,
            )
            for e in Education
        ),
        *(
            Metric(
                f"members.flag.{name[3:]}",
                label,
                group=_("党员标记"),
                compute=_figure(f"flag_{name}"),
                order=24,
                **common,
            )
            for name, label in FLAGS
        ),
    )


register_metrics()
