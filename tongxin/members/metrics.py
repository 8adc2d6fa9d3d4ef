"""The member figures of the 数据驾驶舱 (core.metrics): by status, age band, education and
flags (流动, 失联, 示范岗, 共产党员户). One grouped query per figure keyed by ``org_path``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, sum_rows
from tongxin.members.models import Education, Member, MemberStatus
from tongxin.members.selectors import AGE_BANDS

GROUP = _("党员")


def _members(q: Q) -> dict[str, float]:
    return sum_rows(Member.objects.filter(q).values_list("org_path").annotate(n=Count("id")))


def _where(**filters: object):
    return lambda start, end: _members(Q(**filters))


def _age_band(lo: int, hi: int):
    def compute(start: dt.date, end: dt.date) -> dict[str, float]:
        # the 工作台's bands (members.selectors.member_stats), on the period's last day
        today = end - dt.timedelta(days=1)
        youngest = dt.date(today.year - lo, today.month, min(today.day, 28))
        oldest = dt.date(today.year - hi - 1, today.month, min(today.day, 28))
        return _members(Q(birth_date__lte=youngest, birth_date__gt=oldest))

    return compute


FLAGS = [
    ("is_floating", _("流动党员")),
    ("is_lost_contact", _("失联党员")),
    ("is_model_post", _("党员示范岗")),
    ("is_party_household", _("共产党员户")),
]


def register_metrics() -> None:
    common: dict[str, Any] = {"unit": _("人"), "people": True, "historical": False}
    register(
        Metric(
            "members.total",
            _("党员"),
            group=GROUP,
            compute=_where(),
            headline=True,
            order=20,
            **common,
        ),
        *(
            Metric(
                f"members.status.{s.value}",
                s.label,
                group=GROUP,
                compute=_where(status=s.value),
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
                compute=_age_band(lo, hi),
                order=22,
                **common,
            )
            for i, (lo, hi, label) in enumerate(AGE_BANDS)
        ),
        *(
            Metric(
                f"members.education.{e.value}",
                e.label,
                group=_("党员学历"),
                compute=_where(education=e.value),
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
                compute=_where(**{name: True}),
                order=24,
                **common,
            )
            for name, label in FLAGS
        ),
    )


register_metrics()
