"""The double-entry core: a movement is two lines that sum to zero, between accounts of one
fund, written together or not at all; cash never goes below zero. The services call ``post``
inside their own transaction, after their scope and rule checks."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.aid.models import (
    AccountCode,
    AidApplication,
    AidFund,
    Donation,
    LedgerAccount,
    LedgerEntry,
    LedgerMovement,
    LedgerPeriod,
    MovementKind,
    fen_text,
)
from tongxin.core.errors import ConflictError
from tongxin.members.models import Member


class UnbalancedMovement(ValueError):
    """A programming error: lines that do not make a pair summing to zero."""


def lock(fund: AidFund) -> AidFund:
    """The fund's row locked: movements of one fund are written one after another, so the
    balance a check reads is the balance the movement changes (PostgreSQL; SQLite writes one
    transaction at a time anyway)."""
    return AidFund.objects.select_for_update().get(pk=fund.pk)


def balances(fund_id: int) -> dict[str, int]:
    """Each account's balance, from the monthly totals kept in step with the lines: one query
    over a few hundred rows, however long the ledger."""
    out = dict.fromkeys(AccountCode.values, 0)
    rows = (
        LedgerPeriod.objects.filter(fund_id=fund_id)
        .values_list("code")
        .annotate(t=Sum("total_fen"))
    )
    for code, total in rows.order_by():
        out[code] = int(total or 0)
    return out


def balances_from_lines(fund_id: int, until: dt.date | None = None) -> dict[str, int]:
    """Each account's balance summed from every line (optionally up to a day): what the
    monthly totals must always agree with."""
    qs = LedgerEntry.objects.filter(fund_id=fund_id)
    if until is not None:
        qs = qs.filter(on__lte=until)
    out = dict.fromkeys(AccountCode.values, 0)
    for code, total in qs.values_list("account__code").annotate(t=Sum("amount_fen")).order_by():
        out[code] = int(total or 0)
    return out


def _add_to_periods(
    fund: AidFund, accounts: dict[str, LedgerAccount], on: dt.date, kind_id: int,
    lines: list[tuple[str, int]],
) -> None:  # fmt: skip
    month = on.replace(day=1)
    for code, amount in lines:
        key = kind_id if code == AccountCode.AID_PAID else 0
        period, _new = LedgerPeriod.objects.get_or_create(
            account=accounts[code],
            month=month,
            kind_id=key,
            defaults={"fund": fund, "code": code},
        )
        LedgerPeriod.objects.filter(pk=period.pk).update(
            total_fen=F("total_fen") + amount, lines=F("lines") + 1
        )


def rebuild_periods(fund_id: int) -> int:
    """The monthly totals of a fund recomputed from its lines (after a bulk load)."""
    LedgerPeriod.objects.filter(fund_id=fund_id).delete()
    rows = (
        LedgerEntry.objects.filter(fund_id=fund_id)
        .annotate(m=TruncMonth("on"))
        .values_list("account_id", "account__code", "m", "movement__application__kind_id")
        .annotate(t=Sum("amount_fen"), n=Count("id"))
        .order_by()
    )
    merged: dict[tuple[int, str, dt.date, int], list[int]] = {}
    for account_id, code, month, kind_id, total, n in rows:
        key_kind = int(kind_id or 0) if code == AccountCode.AID_PAID else 0
        m = month.date() if isinstance(month, dt.datetime) else month
        acc = merged.setdefault((account_id, code, m, key_kind), [0, 0])
        acc[0] += int(total)
        acc[1] += int(n)
    LedgerPeriod.objects.bulk_create(
        [
            LedgerPeriod(
                fund_id=fund_id, account_id=a, code=c, month=m, kind_id=k, total_fen=t, lines=n
            )
            for (a, c, m, k), (t, n) in merged.items()
        ],
        batch_size=2000,
    )
    return len(merged)


def shortfall_error(cash: int, amount: int) -> ConflictError:
    return ConflictError(
        gettext(
            "互助金可用余额为%(cash)s元，这笔支出需要%(amount)s元，还差%(short)s元，不能支出。"
            "请待收入到账后再办理。"
        )
        % {"cash": fen_text(cash), "amount": fen_text(amount), "short": fen_text(amount - cash)},
        code="shortfall",
    )


def post(
    *,
    fund: AidFund,
    kind: str,
    on: dt.date,
    lines: list[tuple[str, int]],
    actor: User | None,
    memo: str = "",
    application: AidApplication | None = None,
    reverses: LedgerMovement | None = None,
) -> LedgerMovement:
    """Write one movement: exactly two lines, on two different accounts, non-zero, summing to
    zero. A line taking cash or held below zero is refused (ConflictError naming the
    shortfall). The caller holds the fund's lock and is inside a transaction."""
    if len(lines) != 2 or lines[0][0] == lines[1][0]:
        raise UnbalancedMovement("a movement is a pair of lines on two accounts")
    if any(a == 0 or isinstance(a, bool) or not isinstance(a, int) for _c, a in lines):
        raise UnbalancedMovement("a line is a non-zero whole number of fen")
    if sum(a for _c, a in lines) != 0:
        raise UnbalancedMovement("the lines of a movement sum to zero")
    guarded = [(c, a) for c, a in lines if c in (AccountCode.CASH, AccountCode.HELD) and a < 0]
    if guarded:
        now = balances(fund.pk)
        for code, amount in guarded:
            if now[code] + amount < 0:
                raise shortfall_error(now[code], -amount)
    accounts = {a.code: a for a in LedgerAccount.objects.filter(fund=fund)}
    movement = LedgerMovement.objects.create(
        fund=fund,
        kind=kind,
        on=on,
        memo=memo[:200],
        application=application,
        reverses=reverses,
        org_path=fund.org_path,
        created_by=actor,
    )
    LedgerEntry.objects.bulk_create(
        [
            LedgerEntry(movement=movement, fund=fund, account=accounts[c], amount_fen=a, on=on)
            for c, a in lines
        ]
    )
    _add_to_periods(fund, accounts, on, application.kind_id if application else 0, lines)
    return movement


def _certificate_no(fund: AidFund, year: int) -> str:
    n = Donation.objects.filter(fund=fund, donated_on__year=year).count() + 1
    return f"HZ{fund.pk:04d}{year}{n:06d}"


def donation_post(
    *, actor: User | None, fund: AidFund, member: Member, amount_fen: int, donated_on: dt.date
) -> Donation:
    """The ledger movement and the donation with its certificate; the caller checked the
    scope and the rules and holds the fund's lock."""
    m = post(
        fund=fund,
        kind=MovementKind.INCOME,
        on=donated_on,
        lines=[(AccountCode.CASH, amount_fen), (AccountCode.DONATION, -amount_fen)],
        actor=actor,
        memo=gettext("%(name)s捐助") % {"name": member.name},
    )
    return Donation.objects.create(
        fund=fund,
        member=member,
        amount_fen=amount_fen,
        donated_on=donated_on,
        certificate_no=_certificate_no(fund, donated_on.year),
        movement=m,
        org_path=member.org_path,
        created_by=actor,
    )
