"""党费 (DESIGN §4.4, the 2008 rules): services (every write) and selectors (every read).

Rates by the monthly base (fixed after-tax pay, in fen):
- in service: ≤ 3,000 元 → 0.5%; 3,000.01–5,000 → 1%; 5,000.01–10,000 → 1.5%; above → 2%;
- retired: ≤ 5,000 元 → 0.5%; above → 1%;
- students, the unemployed, members on 低保: 0.20 元 a month whatever the base.
A bracket's upper bound belongs to it (3,000.00 元 pays 0.5%, 3,000.01 元 pays 1%).

Rounding: amount = base × rate, rounded half up to the fen, in integers only
(``(base_fen × permille + 500) // 1000``): 3,000.01 元 × 1% = 30.0001 元 → 30.00 元.

A month's due comes from the latest base whose month is not after it; a month before a
member's first base is not due (nothing was entered). Payments are recorded per month in fen.
A payment recorded by mistake is reversed (冲正): the row stays, a DuesReversal says who, when
and why, and the payment no longer counts as paid (the month is owed again).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.months import add_months
from tongxin.core.scope import Scope, subtree_q
from tongxin.members.models import DuesBase, DuesCategory, DuesPayment, DuesReversal, Member
from tongxin.orgs.models import Organization

FIXED_FEN = 20  # 0.2 元
FIXED_CATEGORIES = (DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.SUBSISTENCE)
# (upper bound in fen, inclusive; rate in permille)
BRACKETS = {
    DuesCategory.EMPLOYED: [(300_000, 5), (500_000, 10), (1_000_000, 15), (None, 20)],
    DuesCategory.RETIRED: [(500_000, 5), (None, 10)],
}
MAX_BASE_FEN = 100_000_000  # 1,000,000 元 a month: anything above is a typing slip
MAX_PAYMENT_FEN = 100_000_000
# What a month's payments add up to: a reversed payment (冲正) no longer counts.
PAID = Sum("amount_fen", filter=Q(reversal__isnull=True))
REVERSED = Count("id", filter=Q(reversal__isnull=False))


def dues_rate_permille(category: str, base_fen: int) -> int | None:
    """None for the fixed 0.2 元 categories."""
    if category in FIXED_CATEGORIES:
        return None
    for upper, rate in BRACKETS[category]:  # type: ignore[index]
        if upper is None or base_fen <= upper:
            return rate
    raise AssertionError("unreachable")


def dues_amount_fen(category: str, base_fen: int) -> int:
    rate = dues_rate_permille(category, base_fen)
    if rate is None:
        return FIXED_FEN
    return (base_fen * rate + 500) // 1000


def rate_text(category: str, base_fen: int) -> str:
    rate = dues_rate_permille(category, base_fen)
    if rate is None:
        return gettext("每月0.2元")
    return f"{Decimal(rate) / 10:g}%"


def fen_text(fen: int | None) -> str:
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


def month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def this_month() -> dt.date:
    return month_start(timezone.localdate())


def parse_month(text: str | None, default: dt.date | None = None) -> dt.date | None:
    """ "2026-11" → 2026-11-01; anything else → default."""
    try:
        y, m = str(text or "").strip().split("-")[:2]
        return dt.date(int(y), int(m), 1)
    except (ValueError, TypeError):
        return default


def parse_yuan(text: object, field_name: str) -> int:
    """ "1234.5" 元 → 123450 fen; more than two decimals or not a number → field error."""
    msg = gettext("请填写金额（元），最多两位小数，例如 4500.00。")
    try:
        value = Decimal(str(text).strip().replace(",", "").replace("，", ""))
        ok = value.is_finite() and value == value.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        ok = False
    if not ok:
        raise ServiceError(msg, fields={field_name: msg})
    return int(value * 100)


# --- selectors ---------------------------------------------------------------------------------


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


# --- services ----------------------------------------------------------------------------------


def dues_base_errors(
    *, effective_from: dt.date, category: str, base_fen: int | None
) -> tuple[dict[str, str], int]:
    """The rules of a base, without writing: (field errors, the base to store). The base
    import (dues_import.py) checks every row with them before anything is written."""
    errors: dict[str, str] = {}
    if category not in DuesCategory.values:
        errors["category"] = gettext("请选择党员的收入类别。")
    fixed = category in FIXED_CATEGORIES
    base = 0 if fixed and base_fen is None else base_fen
    if base is None:
        errors["base"] = gettext("请填写每月工资收入基数（税后固定收入，单位元）。")
    elif base < 0:
        errors["base"] = gettext("工资收入基数不能为负数，请核对。")
    elif base > MAX_BASE_FEN:
        errors["base"] = gettext(
            "工资收入基数超过每月100万元，请核对是否多输了位数（单位为元，不是分）。"
        )
    elif base == 0 and category in (DuesCategory.EMPLOYED, DuesCategory.RETIRED):
        errors["base"] = gettext(
            "在职和离退休党员的工资收入基数应大于0；没有收入的请选择学生、下岗失业或低保类别。"
        )
    if month_start(effective_from) > add_months(this_month(), 12):
        errors["effective_from"] = gettext("起始月份最多只能提前一年登记。")
    return errors, 0 if fixed or base is None else base


@transaction.atomic
def dues_base_set(
    *,
    actor: Any,
    member: Member,
    effective_from: dt.date,
    category: str,
    base_fen: int | None,
) -> DuesBase:
    """Enter a member's monthly base from a month on (the same month again replaces it)."""
    errors, base = dues_base_errors(
        effective_from=effective_from, category=category, base_fen=base_fen
    )
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    month = month_start(effective_from)
    row, created = DuesBase.objects.update_or_create(
        member=member,
        effective_from=month,
        defaults={
            "category": category,
            "base_fen": base,
            "entered_by": actor if getattr(actor, "pk", None) else None,
        },
    )
    audit(
        actor=actor,
        action="members.dues_base",
        obj=row,
        org_path=member.org_path,
        diff={
            "member": member.pk,
            "month": month.isoformat(),
            "category": category,
            "base_fen": row.base_fen,
            "created": created,
        },
    )
    return row


@transaction.atomic
def dues_payment_record(
    *,
    actor: Any,
    member: Member,
    month: dt.date,
    amount_fen: int,
    paid_on: dt.date,
    note: str = "",
) -> DuesPayment:
    errors: dict[str, str] = {}
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
        errors["amount"] = gettext("缴纳金额应大于0元。")
    elif amount_fen > MAX_PAYMENT_FEN:
        errors["amount"] = gettext("一次缴纳金额超过100万元，请核对是否多输了位数。")
    month = month_start(month)
    if month > add_months(this_month(), 12):
        errors["month"] = gettext("党费最多预交12个月，请核对所属月份。")
    if paid_on > timezone.localdate():
        errors["paid_on"] = gettext("缴纳日期不能晚于今天。")
    if len(note) > 200:
        errors["note"] = gettext("备注请控制在200字以内。")
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    p = DuesPayment.objects.create(
        member=member,
        month=month,
        amount_fen=amount_fen,
        paid_on=paid_on,
        org_path=member.org_path,
        note=note.strip(),
        recorded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit(
        actor=actor,
        action="members.dues_payment",
        obj=p,
        diff={
            "member": member.pk,
            "month": month.isoformat(),
            "amount_fen": amount_fen,
            "paid_on": paid_on.isoformat(),
        },
    )
    return p


MAX_REASON = 200


@transaction.atomic
def dues_payment_reverse(*, actor: Any, payment: DuesPayment, reason: str) -> DuesReversal:
    """冲正: take back a payment recorded by mistake. The payment stays in the ledger; the
    month it paid for is owed again. A payment is reversed once; a payment entered wrongly
    is corrected by reversing it and recording the right one."""
    reason = " ".join((reason or "").split())
    if not reason:
        msg = gettext("请填写冲正原因，例如“重复登记”或“所属月份登记错误”。")
        raise ServiceError(msg, fields={"reason": msg})
    if len(reason) > MAX_REASON:
        msg = gettext("冲正原因请控制在200字以内。")
        raise ServiceError(msg, fields={"reason": msg})
    # The row lock makes two reversals of one payment wait for each other; the one-to-one
    # constraint is the last word.
    locked = DuesPayment.objects.select_for_update().select_related("member").get(pk=payment.pk)
    refused = ConflictError(
        gettext("这笔缴纳已经冲正过，不能重复冲正。如需更正，请重新登记一笔正确的缴纳。"),
        code="already_reversed",
    )
    if DuesReversal.objects.filter(payment=locked).exists():
        raise refused
    try:
        with transaction.atomic():
            r = DuesReversal.objects.create(
                payment=locked,
                reason=reason,
                org_path=locked.member.org_path,
                reversed_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        raise refused from None
    audit(
        actor=actor,
        action="members.dues_reversal",
        obj=locked,
        org_path=locked.member.org_path,
        diff={
            "member": locked.member_id,
            "payment": locked.pk,
            "month": locked.month.isoformat(),
            "amount_fen": locked.amount_fen,
            "reason": reason,
        },
    )
    return r


def dues_paid_in_month(scope: Scope, month: dt.date) -> tuple[int, int]:
    """(payments, fen) recorded for a month for members in the scope (one query)."""
    row = (
        DuesPayment.objects.filter(month=month, reversal__isnull=True)
        .filter(scope.members_q("members.view", "member__"))
        .aggregate(n=Count("id"), s=Sum("amount_fen"))
    )
    return row["n"] or 0, row["s"] or 0
