"""分时考评: monthly scores from the ledger (one grouped query), and the snapshot a closed
month keeps."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.db import connection
from django.db.models import Case, DecimalField, F, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from tongxin.core.scope import subtree_q
from tongxin.points.models import Category, MonthlyScore, PointEntry

CATEGORIES = [c.value for c in Category]
SCORE_COLUMNS = ["member_id", "member_org_path", "period", *CATEGORIES, "total"]
ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=9, decimal_places=1))


def _by_category(prefix: str = "") -> dict[str, Coalesce]:
    out = {
        c: Coalesce(Sum(Case(When(**{f"{prefix}category": c}, then=F(f"{prefix}granted")))), ZERO)
        for c in CATEGORIES
    }
    out["total"] = Coalesce(Sum(f"{prefix}granted"), ZERO)
    return out


def grouped(entries: QuerySet[PointEntry]) -> QuerySet:
    """Per (member, month): each category's points and the total, in one query."""
    return (
        entries.order_by()
        .values("member_id", "member__org_path", "period")
        .annotate(**_by_category())
    )


def recompute(months: Iterable[dt.date] | None = None, org_path: str = "") -> int:
    """Rebuild MonthlyScore for the months (every month when None), for a subtree when
    ``org_path`` is given: delete them, then insert the ledger grouped. Returns rows written."""
    entries = PointEntry.objects.all()
    scores = MonthlyScore.objects.all()
    if months is not None:
        months = sorted(set(months))
        entries = entries.filter(period__in=months)
        scores = scores.filter(period__in=months)
    if org_path:
        entries = entries.filter(subtree_q("member__org_path", org_path))
        scores = scores.filter(subtree_q("member_org_path", org_path))
    scores.delete()
    # INSERT ... SELECT of the grouped query the ORM writes: the rows never leave the database.
    # Its select list is the values() fields, then the annotations in order (SCORE_COLUMNS).
    sql, params = grouped(entries).query.sql_with_params()
    columns = ", ".join(connection.ops.quote_name(c) for c in SCORE_COLUMNS)
    with connection.cursor() as cur:
        cur.execute(f"INSERT INTO {MonthlyScore._meta.db_table} ({columns}) {sql}", params)
        return max(cur.rowcount, 0)


def year_totals(members_q: Q, year: int, until: dt.date | None = None) -> QuerySet:
    """Points earned per member in a year (up to and including month ``until``): member_id,
    total and each category."""
    qs = MonthlyScore.objects.filter(members_q, period__year=year)
    if until is not None:
        qs = qs.filter(period__lte=until)
    return (
        qs.order_by()
        .values("member_id")
        .annotate(**{c: Sum(c) for c in CATEGORIES}, total=Sum("total"))
    )


def parse_month(text: str) -> dt.date | None:
    """ "2026-11" -> 2026-11-01, or None."""
    year, sep, month = text.partition("-")
    if not (sep and year.isdigit() and month.isdigit() and len(year) == 4):
        return None
    try:
        return dt.date(int(year), int(month), 1)
    except ValueError:
        return None


def today_month() -> dt.date:
    return timezone.localdate().replace(day=1)
