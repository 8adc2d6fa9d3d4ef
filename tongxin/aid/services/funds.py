"""The fund and its income: create a fund, record finance and upper-organization income and
members' donations (each with its 捐助证), keep the hardship register, and correct a recorded
income by a reversing movement."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.aid import ledger
from tongxin.aid.access import refuse_unless_in_fund, refuse_unless_manages
from tongxin.aid.models import (
    AccountCode,
    AidFund,
    AidKind,
    Donation,
    Eligibility,
    HardshipEntry,
    LedgerAccount,
    LedgerMovement,
    MovementKind,
)
from tongxin.aid.roles import MANAGE
from tongxin.aid.rules import (
    DEFAULT_KINDS,
    MAX_DONATION_FEN,
    MAX_INCOME_FEN,
    amount_error,
    date_error,
)
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.scope import Scope, require
from tongxin.members.models import Member
from tongxin.orgs.models import Organization

SOURCES = {"finance": AccountCode.FINANCE, "upper": AccountCode.UPPER}


@transaction.atomic
def fund_create(
    *,
    actor: User | None,
    scope: Scope,
    org: Organization,
    name: str = "",
    publicity_days: int = 7,
    eligibility: list[str] | None = None,
) -> AidFund:
    """A fund for an organization, with its accounts and the default aid kinds."""
    require(
        scope.reaches_org(MANAGE, org.path),
        gettext("您不能为这个党组织设立互助金。"),
    )
    rules = eligibility or [Eligibility.SUBTREE]
    if any(r not in Eligibility.values for r in rules):
        raise ServiceError(gettext("受助条件只能是捐助党员、困难党员名册或本组织全体党员。"))
    if not 1 <= publicity_days <= 60:
        raise ServiceError(
            gettext("公示天数应在1到60天之间。"), fields={"publicity_days": gettext("1到60天。")}
        )
    if AidFund.objects.filter(org=org).exists():
        raise ConflictError(gettext("这个党组织已经设立了互助金。"))
    fund = AidFund.objects.create(
        org=org,
        org_path=org.path,
        name=(name or f"{org.name}党员互助金")[:100],
        publicity_days=publicity_days,
        eligibility=rules,
    )
    LedgerAccount.objects.bulk_create([LedgerAccount(fund=fund, code=c) for c in AccountCode])
    AidKind.objects.bulk_create(
        [
            AidKind(
                fund=fund,
                code=code,
                name=label,
                min_fen=lo * 100,
                max_fen=hi * 100,
                yearly_cap_fen=cap * 100,
            )
            for code, label, lo, hi, cap in DEFAULT_KINDS
        ]
    )
    audit(actor=actor, action="aid.fund_create", obj=fund, diff={"org": org.pk, "rules": rules})
    return fund


@transaction.atomic
def income_record(
    *,
    actor: User | None,
    scope: Scope,
    fund: AidFund,
    source: str,
    amount_fen: int,
    on: dt.date,
    memo: str = "",
) -> LedgerMovement:
    """财政拨款 (source "finance") or 上级党组织支持 ("upper"): cash +x, the source −x."""
    refuse_unless_manages(scope, fund)
    errors: dict[str, str] = {}
    if source not in SOURCES:
        errors["source"] = gettext("收入来源只能是财政拨款或上级党组织支持。")
    if msg := amount_error(amount_fen, MAX_INCOME_FEN, gettext("收入")):
        errors["amount"] = msg
    if msg := date_error(on, gettext("到账日期")):
        errors["on"] = msg
    if len(memo) > 200:
        errors["memo"] = gettext("摘要请控制在200字以内。")
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    ledger.lock(fund)
    m = ledger.post(
        fund=fund,
        kind=MovementKind.INCOME,
        on=on,
        lines=[(AccountCode.CASH, amount_fen), (SOURCES[source], -amount_fen)],
        actor=actor,
        memo=memo.strip() or str(SOURCES[source].label),
    )
    audit(
        actor=actor,
        action="aid.income",
        obj=m,
        diff={"fund": fund.pk, "source": source, "amount_fen": amount_fen, "on": on.isoformat()},
    )
    return m


@transaction.atomic
def donation_record(
    *,
    actor: User | None,
    scope: Scope,
    fund: AidFund,
    member: Member,
    amount_fen: int,
    donated_on: dt.date,
) -> Donation:
    """党员捐助: cash +x, donations −x, and a 捐助证 numbered in the fund's year."""
    refuse_unless_manages(scope, fund)
    refuse_unless_in_fund(fund, member)
    errors: dict[str, str] = {}
    if msg := amount_error(amount_fen, MAX_DONATION_FEN, gettext("捐助")):
        errors["amount"] = msg
    if msg := date_error(donated_on, gettext("捐助日期")):
        errors["donated_on"] = msg
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    ledger.lock(fund)
    d = ledger.donation_post(
        actor=actor, fund=fund, member=member, amount_fen=amount_fen, donated_on=donated_on
    )
    audit(
        actor=actor,
        action="aid.donation",
        obj=d,
        diff={"fund": fund.pk, "member": member.pk, "amount_fen": amount_fen},
    )
    return d


@transaction.atomic
def movement_reverse(
    *, actor: User | None, scope: Scope, movement: LedgerMovement, reason: str
) -> LedgerMovement:
    """冲正 an income recorded by mistake: a new movement with the lines negated. Aid is
    corrected through its application (a refusal releases what was held), not here."""
    fund = movement.fund
    refuse_unless_manages(scope, fund)
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > 200:
        msg = gettext("请填写冲正原因（200字以内），例如“重复登记”。")
        raise ServiceError(msg, fields={"reason": msg})
    if movement.kind != MovementKind.INCOME:
        raise ConflictError(gettext("只有收入可以冲正；互助金支出请在申请中撤销。"))
    ledger.lock(fund)
    if LedgerMovement.objects.filter(reverses=movement).exists():
        raise ConflictError(gettext("这笔收入已经冲正过，不能重复冲正。"))
    lines = [
        (line.account.code, -line.amount_fen) for line in movement.lines.select_related("account")
    ]
    r = ledger.post(
        fund=fund,
        kind=MovementKind.REVERSAL,
        on=timezone.localdate(),
        lines=lines,
        actor=actor,
        memo=gettext("冲正：%(reason)s") % {"reason": reason},
        reverses=movement,
    )
    audit(
        actor=actor,
        action="aid.reversal",
        obj=r,
        diff={"movement": movement.pk, "reason": reason},
    )
    return r


@transaction.atomic
def hardship_add(
    *,
    actor: User | None,
    scope: Scope,
    fund: AidFund,
    member: Member,
    since: dt.date,
    note: str = "",
) -> HardshipEntry:
    """列入困难党员名册."""
    refuse_unless_manages(scope, fund)
    refuse_unless_in_fund(fund, member)
    if msg := date_error(since, gettext("列入日期")):
        raise ServiceError(msg, fields={"since": msg})
    if len(note) > 200:
        raise ServiceError(gettext("困难情况请控制在200字以内。"))
    e = HardshipEntry.objects.create(fund=fund, member=member, since=since, note=note.strip())
    audit(
        actor=actor,
        action="aid.hardship_add",
        obj=e,
        org_path=member.org_path,
        diff={"fund": fund.pk, "member": member.pk},
    )
    return e
