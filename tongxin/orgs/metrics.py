"""The organization figures of the 数据驾驶舱 (core.metrics): organizations by kind and sector,
and the current secretaries (一肩挑, age, education). Each is one grouped query keyed by the
organization's path; insights adds them up over the tree."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

from tongxin.core.metrics import Metric, register, shared, stock, sum_rows
from tongxin.orgs.hooks import member_reader
from tongxin.orgs.models import Leadership, LeadershipRole, Organization, OrgKind, Sector

GROUP = _("党组织")
SECRETARIES = _("书记队伍")


@shared
def _org_rows() -> list[tuple[str, str, str]]:
    """(path, kind, sector) of every organization: one read for the total and every kind and
    sector, shared within a recomputation (a stock: the same whatever the period)."""
    return list(Organization.objects.order_by().values_list("path", "kind", "sector"))


def _orgs(start: dt.date, end: dt.date) -> dict[str, float]:
    return sum_rows((path, 1) for path, _kind, _sector in _org_rows())


def _by(field: str, value: str):
    column = {"kind": 1, "sector": 2}[field]
    return lambda start, end: sum_rows((row[0], 1) for row in _org_rows() if row[column] == value)


@shared
def _secretary_rows(end: dt.date) -> list[tuple[str, int, bool, str, dt.date]]:
    """The latest secretary seat of every organization begun before ``end``: (org path,
    member id, 一肩挑, education, birth date). One ordered read; the first row of each
    organization is its latest seat (a correlated subquery per seat was quadratic on
    PostgreSQL)."""
    today = end - dt.timedelta(days=1)
    rows = (
        Leadership.objects.filter(role=LeadershipRole.SECRETARY, term_start__lte=today)
        .order_by("org_id", "-term_start", "-id")
        .values_list(
            "org_id",
            "org__path",
            "member_id",
            "holds_dual_role",
            "member__education",
            "member__birth_date",
        )
    )
    out: list[tuple[str, int, bool, str, dt.date]] = []
    last_org = None
    for org_id, path, member_id, dual, education, birth in rows.iterator(chunk_size=5000):
        if org_id != last_org:
            out.append((path, member_id, dual, education, birth))
            last_org = org_id
    return out


def _common(a: str, b: str) -> str:
    """The deepest organization path above both (whole steps)."""
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[: n - n % Organization.steplen]


def _people(
    end: dt.date, weight: Callable[[bool, str, dt.date, dt.date], float]
) -> dict[str, float]:
    """Secretaries counted as people, as the 工作台 counts them: one who holds the seats of a
    branch and of its committee counts once in every subtree holding either. Each person adds
    ``weight`` at each seat and takes it back at the meeting point of consecutive seats (in
    path order), so that the subtree sums count them once wherever they sit."""
    today = end - dt.timedelta(days=1)
    seats: dict[int, list[str]] = {}
    person: dict[int, tuple[bool, str, dt.date]] = {}
    for path, member_id, dual, education, birth in _secretary_rows(end):
        seats.setdefault(member_id, []).append(path)
        seen = person.get(member_id)
        person[member_id] = (dual or (seen[0] if seen else False), education, birth)
    out: dict[str, float] = {}
    for member_id, paths in seats.items():
        w = weight(*person[member_id], today)
        if not w:
            continue
        paths.sort()
        for path in paths:
            out[path] = out.get(path, 0.0) + w
        for a, b in itertools.pairwise(paths):
            top = _common(a, b)
            if top:
                out[top] = out.get(top, 0.0) - w
    return out


@stock
def secretaries(end: dt.date) -> dict[str, float]:
    return _people(end, lambda dual, edu, birth, today: 1.0)


@stock
def secretaries_dual(end: dt.date) -> dict[str, float]:
    return _people(end, lambda dual, edu, birth, today: 1.0 if dual else 0.0)


@stock
def secretaries_college(end: dt.date) -> dict[str, float]:
    college = set(member_reader().college_or_above)
    return _people(end, lambda dual, edu, birth, today: 1.0 if edu in college else 0.0)


@stock
def secretaries_age_years(end: dt.date) -> dict[str, float]:
    """The sum of the secretaries' ages (years): the average is this over the count."""
    return _people(end, lambda dual, edu, birth, today: (today - birth).days / 365.2425)


def register_metrics() -> None:
    register(
        Metric(
            "orgs.total",
            _("党组织"),
            unit=_("个"),
            group=GROUP,
            compute=_orgs,
            historical=False,
            headline=True,
            order=10,
        ),
        *(
            Metric(
                f"orgs.kind.{k.value}",
                k.label,
                unit=_("个"),
                group=_("党组织类型"),
                compute=_by("kind", k.value),
                historical=False,
                order=11,
            )
            for k in OrgKind
        ),
        *(
            Metric(
                f"orgs.sector.{s.value}",
                s.label,
                unit=_("个"),
                group=_("党组织领域"),
                compute=_by("sector", s.value),
                historical=False,
                order=12,
            )
            for s in Sector
        ),
        Metric(
            "orgs.secretaries",
            _("书记人数"),
            unit=_("人"),
            group=SECRETARIES,
            people=True,
            compute=secretaries,
            historical=False,
            order=13,
        ),
        Metric(
            "orgs.secretaries_dual",
            _("一肩挑书记"),
            unit=_("人"),
            group=SECRETARIES,
            people=True,
            compute=secretaries_dual,
            historical=False,
            order=13,
        ),
        Metric(
            "orgs.secretaries_college",
            _("大专及以上书记"),
            unit=_("人"),
            group=SECRETARIES,
            people=True,
            compute=secretaries_college,
            historical=False,
            order=13,
        ),
        Metric(
            "orgs.secretaries_age_sum",
            _("书记年龄合计"),
            unit=_("岁"),
            group=SECRETARIES,
            people=True,
            compute=secretaries_age_years,
            historical=False,
            shown=False,
            order=13,
        ),
        Metric(
            "orgs.dual_role_pct",
            _("一肩挑比例"),
            unit="%",
            group=SECRETARIES,
            people=True,
            ratio=("orgs.secretaries_dual", "orgs.secretaries"),
            order=14,
        ),
        Metric(
            "orgs.secretaries_age",
            _("书记平均年龄"),
            unit=_("岁"),
            group=SECRETARIES,
            people=True,
            ratio=("orgs.secretaries_age_sum", "orgs.secretaries"),
            scale=1.0,
            order=14,
        ),
        Metric(
            "orgs.secretaries_college_pct",
            _("书记大专及以上"),
            unit="%",
            group=SECRETARIES,
            people=True,
            ratio=("orgs.secretaries_college", "orgs.secretaries"),
            order=14,
        ),
    )


register_metrics()
