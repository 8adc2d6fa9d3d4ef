"""党费: every read (statement, arrears, a member's months and payments, this month's total),
through the reader's scope."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils.translation import gettext

from tongxin.core.months import add_months
from tongxin.core.scope import Scope, subtree_q
from tongxin.dues.models import DuesBase, DuesCategory, DuesPayment
from tongxin.dues.rules import FIXED_CATEGORIES, dues_amount_fen, fen_text, rate_text, this_month
from tongxin.members.models import Member
from tongxin.orgs.models import Organization

# What a month's payments add up to: a reversed payment (冲正) no longer counts.
PAID = Sum("amount_fen", filter=Q(reversal__isnull=True))
REVERSED = Count("id", filter=Q(reversal__isnull=False))


@dataclass
class DuesRow:
    member_id: int
    name: str
    org_name: str
    category: str | None
    base_fen: int | None
    due_fen: int
    paid_fen: int
    reversed_count: int = 0  # payments of the month reversed (冲正)

    @property
    def owed_fen(self) -> int:
        return max(self.due_fen - self.paid_fen, 0)

    @property
    def has_base(self) -> bool:
        return self.category is not None

    @property
    def category_label(self) -> str:
        return str(DuesCategory(self.category).label) if self.category else ""

    @property
    def rate(self) -> str:
        return rate_text(self.category, self.base_fen or 0) if self.category else ""

    @property
    def base_text(self) -> str:
        fixed = self.category in FIXED_CATEGORIES
        return "—" if self.category is None or fixed else fen_text(self.base_fen)

    due_text = property(lambda self: fen_text(self.due_fen))
    paid_text = property(lambda self: fen_text(self.paid_fen))
    owed_text = property(lambda self: fen_text(self.owed_fen))


@dataclass
class Statement:
    org: Organization
    month: dt.date
    rows: list[DuesRow]
    due_fen: int = 0
    paid_fen: int = 0
    owed_fen: int = 0
    unpaid_count: int = 0
    no_base_count: int = 0
    reversed_count: int = 0

    due_text = property(lambda self: fen_text(self.due_fen))
    paid_text = property(lambda self: fen_text(self.paid_fen))
    owed_text = property(lambda self: fen_text(self.owed_fen))


def _members_in(scope: Scope, org: Organization) -> QuerySet[Member]:
    qs = Member.objects.filter(subtree_q("org_path", org.path))
    if not scope.covers_org_subtree("members.view", org.path):
        qs = qs.filter(scope.members_q("members.view"))
    return qs


def _base_for(month: dt.date, column: str) -> Subquery:
    return Subquery(
        DuesBase.objects.filter(member=OuterRef("pk"), effective_from__lte=month)
        .order_by("-effective_from")
        .values(column)[:1]
    )


def dues_statement(scope: Scope, org: Organization, month: dt.date) -> Statement:
    """Every member of the organization's subtree (in the scope) for one month: base, due,
    paid, owed. Two queries: the members with their base for the month, the month's payments."""
    members = _members_in(scope, org)
    rows = list(
        members.annotate(
            dues_category=_base_for(month, "category"), dues_base=_base_for(month, "base_fen")
        )
        .order_by("org_path", "id")
        .values_list("id", "name", "org__name", "dues_category", "dues_base")
    )
    paid = {
        member_id: (s or 0, r)
        for member_id, s, r in DuesPayment.objects.filter(
            month=month, member__in=members.values("id")
        )
        .order_by()
        .values("member_id")
        .annotate(s=PAID, r=REVERSED)
        .values_list("member_id", "s", "r")
    }
    st = Statement(org=org, month=month, rows=[])
    for pk, name, org_name, category, base in rows:
        due = dues_amount_fen(category, base or 0) if category else 0
        row = DuesRow(pk, name, org_name, category, base, due, *paid.get(pk, (0, 0)))
        st.rows.append(row)
        st.reversed_count += row.reversed_count
        st.due_fen += row.due_fen
        st.paid_fen += row.paid_fen
        st.owed_fen += row.owed_fen
        st.unpaid_count += 1 if row.owed_fen else 0
        st.no_base_count += 0 if category else 1
    return st


@dataclass
class ArrearsRow:
    member_id: int
    name: str
    org_name: str
    months: list[tuple[dt.date, int]] = field(default_factory=list)  # (month, owed fen)

    @property
    def owed_fen(self) -> int:
        return sum(owed for _m, owed in self.months)

    owed_text = property(lambda self: fen_text(self.owed_fen))

    @property
    def months_text(self) -> str:
        return "、".join(f"{m:%Y-%m}" for m, _owed in self.months)


def _months(first: dt.date, last: dt.date) -> list[dt.date]:
    out, m = [], first
    while m <= last:
        out.append(m)
        m = add_months(m, 1)
    return out


def _dues_by_month(
    bases: list[tuple[dt.date, str, int]], months: list[dt.date]
) -> dict[dt.date, int]:
    """bases sorted by effective_from ascending → the due of each month."""
    out = {}
    for m in months:
        current = None
        for eff, category, base in bases:
            if eff <= m:
                current = (category, base)
        if current is not None:
            out[m] = dues_amount_fen(*current)
    return out


def dues_arrears(
    scope: Scope, org: Organization, until: dt.date, span: int = 12
) -> list[ArrearsRow]:
    """Members of the subtree owing for any month of the `span` months up to `until`, most
    owed first. Three queries: members, their bases, their payments in the period."""
    first = add_months(until, -(span - 1))
    months = _months(first, until)
    members = _members_in(scope, org)
    people = list(members.order_by("org_path", "id").values_list("id", "name", "org__name"))
    bases: dict[int, list[tuple[dt.date, str, int]]] = defaultdict(list)
    for member_id, eff, category, base in (
        DuesBase.objects.filter(member__in=members.values("id"), effective_from__lte=until)
        .order_by("member_id", "effective_from")
        .values_list("member_id", "effective_from", "category", "base_fen")
    ):
        bases[member_id].append((eff, category, base))
    paid: dict[tuple[int, dt.date], int] = {}
    for member_id, month, s in (
        DuesPayment.objects.filter(member__in=members.values("id"), month__range=(first, until))
        .filter(reversal__isnull=True)
        .order_by()
        .values("member_id", "month")
        .annotate(s=Sum("amount_fen"))
        .values_list("member_id", "month", "s")
    ):
        paid[(member_id, month)] = s or 0
    out = []
    for pk, name, org_name in people:
        row = ArrearsRow(pk, name, org_name)
        for m, due in _dues_by_month(bases.get(pk, []), months).items():
            owed = due - paid.get((pk, m), 0)
            if owed > 0:
                row.months.append((m, owed))
        if row.months:
            out.append(row)
    out.sort(key=lambda r: -r.owed_fen)
    return out


@dataclass
class MonthLine:
    month: dt.date
    due_fen: int | None
    paid_fen: int
    reversed_count: int = 0

    @property
    def owed_fen(self) -> int:
        return max((self.due_fen or 0) - self.paid_fen, 0)

    due_text = property(lambda self: "—" if self.due_fen is None else fen_text(self.due_fen))
    paid_text = property(lambda self: fen_text(self.paid_fen))
    owed_text = property(lambda self: fen_text(self.owed_fen))


def dues_member_history(member: Member, until: dt.date, span: int = 12) -> list[MonthLine]:
    """The member's last `span` months, newest first (two queries)."""
    first = add_months(until, -(span - 1))
    months = _months(first, until)
    bases = list(
        member.dues_bases.filter(effective_from__lte=until)
        .order_by("effective_from")
        .values_list("effective_from", "category", "base_fen")
    )
    paid = {
        month: (s or 0, r)
        for month, s, r in member.dues_payments.filter(month__range=(first, until))
        .order_by()
        .values("month")
        .annotate(s=PAID, r=REVERSED)
        .values_list("month", "s", "r")
    }
    dues = _dues_by_month(bases, months)
    return [MonthLine(m, dues.get(m), *paid.get(m, (0, 0))) for m in reversed(months)]


def dues_member_bases(member: Member) -> QuerySet[DuesBase]:
    return member.dues_bases.order_by("-effective_from")[:12]


def dues_member_payments(member: Member) -> QuerySet[DuesPayment]:
    """Every payment, reversed ones included (with who reversed them, when and why)."""
    return member.dues_payments.select_related(
        "recorded_by", "reversal", "reversal__reversed_by"
    ).order_by("-month", "-id")


def get_payment_for(scope: Scope, pk: object, perm: str = "members.manage") -> DuesPayment:
    """A payment of a member in the scope (404 otherwise), with its member and reversal."""
    try:
        return (
            DuesPayment.objects.filter(scope.members_q(perm, "member__"))
            .select_related("member__org", "recorded_by", "reversal__reversed_by")
            .get(pk=int(str(pk)))
        )
    except (DuesPayment.DoesNotExist, ValueError):
        raise Http404(gettext("缴纳记录不存在或不在您的管辖范围内。")) from None


def current_base(member: Member, month: dt.date | None = None) -> DuesBase | None:
    return (
        member.dues_bases.filter(effective_from__lte=month or this_month())
        .order_by("-effective_from")
        .first()
    )


def dues_paid_in_month(scope: Scope, month: dt.date) -> tuple[int, int]:
    """(payments, fen) recorded for a month for members in the scope (one query)."""
    row = (
        DuesPayment.objects.filter(month=month, reversal__isnull=True)
        .filter(scope.members_q("members.view", "member__"))
        .aggregate(n=Count("id"), s=Sum("amount_fen"))
    )
    return row["n"] or 0, row["s"] or 0
