"""Every read of the 互助金, filtered by the user's scope. A fund is seen by holders of
aid.view over its organization; an application also by its branch (aid.view or aid.review
over the member's organization). An object outside reach is a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.aid import ledger
from tongxin.aid.models import (
    INCOME_CODES,
    AccountCode,
    AidApplication,
    AidDocument,
    AidFund,
    AidKind,
    Donation,
    LedgerMovement,
    LedgerPeriod,
    Objection,
    Status,
    fen_text,
)
from tongxin.aid.roles import REVIEW, VIEW
from tongxin.core import pii
from tongxin.core.scope import Scope, subtree_q
from tongxin.members.models import Member


def fund_queryset(scope: Scope, perm: str = VIEW) -> QuerySet[AidFund]:
    return AidFund.objects.filter(scope.org_grants_q(perm, "org_path")).select_related("org")


def get_fund_for(scope: Scope, pk: object, perm: str = VIEW) -> AidFund:
    try:
        return fund_queryset(scope, perm).get(pk=int(str(pk)))
    except (AidFund.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("互助金不存在或不在您的管辖范围内。")) from None


def application_queryset(scope: Scope) -> QuerySet[AidApplication]:
    if scope.is_superuser:
        q = Q()
    else:
        q = (
            scope.org_grants_q(VIEW, "fund__org_path")
            | scope.org_grants_q(VIEW, "org_path")
            | scope.org_grants_q(REVIEW, "org_path")
        )
    return AidApplication.objects.filter(q).select_related("fund", "kind", "member")


def get_application_for(scope: Scope, pk: object) -> AidApplication:
    try:
        return application_queryset(scope).get(pk=int(str(pk)))
    except (AidApplication.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("申请不存在或不在您的管辖范围内。")) from None


def own_application(user: Any, pk: object) -> AidApplication:
    """A member's own application; anyone else's is a 404."""
    member_id = getattr(user, "member_id", None)
    try:
        if not member_id:
            raise AidApplication.DoesNotExist
        return AidApplication.objects.select_related("fund", "kind").get(
            pk=int(str(pk)), member_id=member_id
        )
    except (AidApplication.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("申请不存在。")) from None


def own_applications(user: Any) -> QuerySet[AidApplication]:
    member_id = getattr(user, "member_id", None)
    return (
        AidApplication.objects.filter(member_id=member_id or 0)
        .select_related("fund", "kind")
        .order_by("-created_at", "-id")
    )


def funds_for_member(member: Any) -> list[AidFund]:
    """The funds a member may apply to: those of their organization and the ones above it."""
    if member is None:
        return []
    path = member.org_path
    prefixes = [path[:i] for i in range(4, len(path) + 1, 4)]
    return list(AidFund.objects.filter(org_path__in=prefixes).select_related("org"))


def movements(fund: AidFund) -> QuerySet[LedgerMovement]:
    """A fund's movements, newest first, each with its amount (the positive line)."""
    return (
        LedgerMovement.objects.filter(fund=fund)
        .select_related("application__member")
        .annotate(amount_fen=Max("lines__amount_fen"))
        .order_by("-on", "-id")
    )


def donations(fund: AidFund) -> QuerySet[Donation]:
    return Donation.objects.filter(fund=fund).select_related("member")


def donation_by_code(code: str) -> Donation:
    """The public check of a 捐助证 (its QR code carries the unguessable code)."""
    try:
        return Donation.objects.select_related("fund", "member", "movement").get(
            verify_code=str(code)[:24]
        )
    except Donation.DoesNotExist:
        raise Http404(gettext("没有这张捐助证。")) from None


def publicity(fund: AidFund) -> QuerySet[AidApplication]:
    """What the public 公示 page lists: applications in 公示 until their last day."""
    today = timezone.localdate()
    return (
        AidApplication.objects.filter(
            fund=fund, status=Status.PUBLICITY, publicity_until__gte=today
        )
        .select_related("kind", "member")
        .order_by("publicity_until", "id")
    )


def public_application(fund: AidFund, pk: object) -> AidApplication:
    try:
        return publicity(fund).get(pk=int(str(pk)))
    except (AidApplication.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("这条公示不存在或已结束。")) from None


def public_fund(pk: object) -> AidFund:
    try:
        return AidFund.objects.select_related("org").get(pk=int(str(pk)))
    except (AidFund.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("互助金不存在。")) from None


def open_objections(application: AidApplication) -> QuerySet[Objection]:
    return application.objections.filter(answered_at__isnull=True)


@dataclass
class Balance:
    cash: int
    held: int
    paid: int
    income: int

    @property
    def total(self) -> int:
        """What the fund still holds: available plus set aside during 公示."""
        return self.cash + self.held

    total_text = property(lambda self: fen_text(self.total))
    cash_text = property(lambda self: fen_text(self.cash))
    held_text = property(lambda self: fen_text(self.held))
    paid_text = property(lambda self: fen_text(self.paid))
    income_text = property(lambda self: fen_text(self.income))


def fund_balance(fund: AidFund) -> Balance:
    """The balances of a fund, from its monthly totals: one query."""
    b = ledger.balances(fund.pk)
    return Balance(
        cash=b[AccountCode.CASH],
        held=b[AccountCode.HELD],
        paid=b[AccountCode.AID_PAID],
        income=-sum(b[c] for c in INCOME_CODES),
    )


@dataclass
class YearReport:
    fund: AidFund
    year: int
    income: list[tuple[str, int]] = field(default_factory=list)  # (source label, fen)
    aid: list[tuple[str, int, int]] = field(default_factory=list)  # (kind, payments, fen)
    opening: int = 0
    closing: int = 0
    people: int = 0

    @property
    def income_total(self) -> int:
        return sum(f for _l, f in self.income)

    @property
    def aid_total(self) -> int:
        return sum(f for _k, _n, f in self.aid)

    @property
    def payments(self) -> int:
        return sum(n for _k, n, _f in self.aid)


def year_report(fund: AidFund, year: int) -> YearReport:
    """Income by source, aid paid by kind, the balance at the start and end of the year (from
    the monthly totals: one query) and the number of people helped (one query)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    r = YearReport(fund, year)
    income: dict[str, int] = dict.fromkeys(INCOME_CODES, 0)
    aid: dict[int, list[int]] = {}
    kept = (AccountCode.CASH, AccountCode.HELD)
    for code, month, kind_id, total, lines in LedgerPeriod.objects.filter(
        fund_id=fund.pk, month__lte=end
    ).values_list("code", "month", "kind_id", "total_fen", "lines"):
        if code in kept:
            r.closing += total
            if month < start:
                r.opening += total
        elif month >= start and code in income:
            income[code] -= total
        elif month >= start and code == AccountCode.AID_PAID:
            k = aid.setdefault(kind_id, [0, 0])
            k[0], k[1] = k[0] + lines, k[1] + total
    r.income = [(str(AccountCode(c).label), income[c]) for c in INCOME_CODES]
    names = dict(AidKind.objects.filter(fund=fund).values_list("id", "name"))
    r.aid = sorted((names.get(k, "—"), n, t) for k, (n, t) in aid.items())
    r.people = (
        AidApplication.objects.filter(fund=fund, status=Status.PAID, paid_on__range=(start, end))
        .values("member_id")
        .distinct()
        .count()
    )
    return r


def aid_this_year(scope: Scope) -> tuple[int, int, int]:
    """The 工作台 card: (funds' balance, payments this year, fen paid this year) over the
    funds the user sees: one query."""
    year = timezone.localdate().year
    qs = LedgerPeriod.objects.filter(scope.org_grants_q(VIEW, "fund__org_path"))
    this_year = Q(code=AccountCode.AID_PAID, month__year=year)
    agg = qs.aggregate(
        balance=Sum("total_fen", filter=Q(code__in=(AccountCode.CASH, AccountCode.HELD))),
        n=Sum("lines", filter=this_year),
        paid=Sum("total_fen", filter=this_year),
    )
    return int(agg["balance"] or 0), int(agg["n"] or 0), int(agg["paid"] or 0)


def fund_member_by_id_number(fund: AidFund, number: str) -> Member | None:
    """A member of the fund's organization by ID number (blind index), or None."""
    indexes = pii.blind_indexes((number or "").strip().upper())
    return (
        Member.objects.filter(subtree_q("org_path", fund.org_path), id_number_index__in=indexes)
        .only("id", "name", "org_path")
        .first()
    )


def get_movement_for(scope: Scope, pk: object) -> LedgerMovement:
    try:
        return LedgerMovement.objects.select_related("fund").get(
            scope.org_grants_q(VIEW, "fund__org_path"), pk=int(str(pk))
        )
    except (LedgerMovement.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("这笔收支不存在或不在您的管辖范围内。")) from None


def get_donation_for(scope: Scope, pk: object) -> Donation:
    try:
        return Donation.objects.select_related("fund", "member", "movement").get(
            scope.org_grants_q(VIEW, "fund__org_path"), pk=int(str(pk))
        )
    except (Donation.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("捐助记录不存在或不在您的管辖范围内。")) from None


def get_objection_for(scope: Scope, pk: object) -> Objection:
    try:
        o = Objection.objects.select_related("application__fund").get(pk=int(str(pk)))
    except (Objection.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("异议不存在或不在您的管辖范围内。")) from None
    get_application_for(scope, o.application_id)
    return o


def get_document_for(scope: Scope, pk: object) -> AidDocument:
    try:
        d = AidDocument.objects.get(pk=int(str(pk)))
    except (AidDocument.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("材料不存在或不在您的管辖范围内。")) from None
    get_application_for(scope, d.application_id)
    return d


def get_fund_for_member(member: Member, pk: object) -> AidFund:
    """A fund the member belongs to (their organization's or one above it), else 404."""
    fund = next((f for f in funds_for_member(member) if str(f.pk) == str(pk)), None)
    if fund is None:
        raise Http404(gettext("互助金不存在或这名党员不属于它。"))
    return fund


def kind_of_fund(fund: AidFund, pk: int) -> AidKind | None:
    """An aid kind of ``fund`` (a fund the caller already reached through its scope)."""
    return AidKind.objects.filter(fund=fund, pk=pk).first()
