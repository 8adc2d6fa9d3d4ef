"""Demo data for the 党员互助金 (seed 003, 枫泾: "三年来，先后慰问、补助…461人次，总额30.1万元",
a balance of 139.3万元): a fund at every street (党工委), three years of finance allocations,
upper-organization support and members' donations, and aid paid at the seed's rate (about 150
people a year for 5,600 members), each approved twice and 公示ed; a few applications still on
their way. Everything is bulk-inserted with ids chosen here, as the ledger's rows point at each
other; a fund's committee, accountant and cashier are demo accounts (password: the demo's)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from tongxin.accounts.models import Role, RoleAssignment, User
from tongxin.aid import ledger
from tongxin.aid.models import (
    AccountCode,
    AidApplication,
    AidDocument,
    AidFund,
    AidKind,
    Approval,
    Donation,
    HardshipEntry,
    LedgerAccount,
    LedgerEntry,
    LedgerMovement,
    LedgerPeriod,
    Objection,
    Status,
)
from tongxin.aid.roles import load_roles
from tongxin.aid.services.funds import fund_create
from tongxin.core.bulk import bulk_insert, sync_sequences
from tongxin.core.demodata import DEMO_PASSWORD, DemoContext
from tongxin.core.scope import Scope, subtree_q
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, OrgKind

USER_PREFIX = "hzj"
YEARS = 3
AID_PER_MEMBER_YEAR = 0.05  # a street of 2,800 members: about 140 people a year
DONOR_SHARE = 0.1
KIND_MIX = [("illness", 0.4), ("hardship", 0.45), ("bereavement", 0.15)]
REASONS = {
    "illness": "因病住院治疗，医疗费用负担较重，申请重大病补助。",
    "hardship": "家庭收入低，生活困难，申请生活困难补助。",
    "bereavement": "党员去世，家属生活困难，申请慰问金。",
}
MOVEMENT_COLUMNS = [
    "id", "fund_id", "kind", "on", "memo", "application_id", "reverses_id", "org_path",
    "created_by_id", "created_at",
]  # fmt: skip
ENTRY_COLUMNS = ["movement_id", "fund_id", "account_id", "amount_fen", "on"]
DONATION_COLUMNS = [
    "fund_id", "member_id", "amount_fen", "donated_on", "certificate_no", "verify_code",
    "movement_id", "org_path", "created_by_id", "created_at",
]  # fmt: skip
APPLICATION_COLUMNS = [
    "id", "fund_id", "member_id", "kind_id", "amount_fen", "reason", "status", "org_path",
    "applied_by_id", "by_branch", "reviewed_by_id", "reviewed_at", "review_note",
    "publicity_from", "publicity_until", "paid_on", "paid_by_id", "closed_reason", "created_at",
    "year",
]  # fmt: skip
APPROVAL_COLUMNS = ["application_id", "approver_id", "approve", "note", "created_at"]


def _at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(10)))


class _Ids:
    def __init__(self, model: Any) -> None:
        self.next = (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1

    def take(self) -> int:
        n = self.next
        self.next += 1
        return n


class _Writer:
    """Rows of one load, with their ids."""

    def __init__(self) -> None:
        self.movement_ids = _Ids(LedgerMovement)
        self.application_ids = _Ids(AidApplication)
        self.movements: list[tuple[Any, ...]] = []
        self.entries: list[tuple[Any, ...]] = []
        self.donations: list[tuple[Any, ...]] = []
        self.applications: list[tuple[Any, ...]] = []
        self.approvals: list[tuple[Any, ...]] = []
        self.certificates: dict[tuple[int, int], int] = {}

    def move(
        self, fund: AidFund, accounts: dict[str, int], kind: str, on: dt.date, memo: str,
        lines: list[tuple[str, int]], actor: int, application: int | None = None,
    ) -> int:  # fmt: skip
        mid = self.movement_ids.take()
        self.movements.append(
            (mid, fund.pk, kind, on, memo, application, None, fund.org_path, actor, _at(on))
        )
        for code, fen in lines:
            self.entries.append((mid, fund.pk, accounts[code], fen, on))
        return mid


def _staff(fund: AidFund, n: int, password: str) -> dict[str, int]:
    """The fund's committee (two), accountant and cashier: demo accounts with their roles."""
    names = {
        "wy1": "aid_committee",
        "wy2": "aid_committee",
        "kj": "aid_accountant",
        "cn": "aid_cashier",
    }
    labels = {"wy1": "管委会委员", "wy2": "管委会委员", "kj": "会计", "cn": "出纳"}
    users = User.objects.bulk_create(
        [
            User(
                username=f"{USER_PREFIX}{n}_{k}" if n else f"{USER_PREFIX}_{k}",
                display_name=f"{fund.org.name} 互助金{labels[k]}",
                password=password,
            )
            for k in names
        ]
    )
    roles = {r.code: r for r in Role.objects.filter(code__in=set(names.values()))}
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(user=u, role=roles[names[k]], org=fund.org)
            for u, k in zip(users, names, strict=True)
        ]
    )
    return {k: u.pk for u, k in zip(users, names, strict=True)}


def _fund_rows(
    ctx: DemoContext, w: _Writer, fund: AidFund, staff: dict[str, int], story_member: int | None
) -> tuple[int, int]:
    rng, today = ctx.rng, ctx.today
    accounts = dict(LedgerAccount.objects.filter(fund=fund).values_list("code", "id"))
    kinds = {k.code: k for k in AidKind.objects.filter(fund=fund)}
    members = list(
        Member.objects.filter(subtree_q("org_path", fund.org_path))
        .order_by("id")
        .values_list("id", "org_path")
    )
    if not members:
        return 0, 0
    n = len(members)
    start = today - dt.timedelta(days=365 * YEARS)
    kj, cash = staff["kj"], AccountCode.CASH
    # The balance carried over from the years before (the fund is older than the demo).
    opening = n * 180 * 100
    w.move(
        fund,
        accounts,
        "income",
        start,
        "历年结余转入",
        [(cash, opening), (AccountCode.UPPER, -opening)],
        kj,
    )
    paid, balance = 0, opening  # aid never outruns the money carried over (the demo's guard)
    for year in range(YEARS):
        y0 = start + dt.timedelta(days=365 * year)
        for q in range(4):
            day = y0 + dt.timedelta(days=90 * q + 10)
            fen = n * 250 // 4 * 10  # about 2.5 元 a member a year, in four allocations
            w.move(
                fund,
                accounts,
                "income",
                day,
                "镇财政拨款",
                [(cash, fen), (AccountCode.FINANCE, -fen)],
                kj,
            )
        support = n * 100 * 3
        w.move(fund, accounts, "income", y0 + dt.timedelta(days=180), "上级党组织支持",
               [(cash, support), (AccountCode.UPPER, -support)], kj)  # fmt: skip
        for member_id, org_path in rng.sample(members, max(1, int(n * DONOR_SHARE))):
            day = min(y0 + dt.timedelta(days=rng.randrange(150, 200)), today)
            fen = rng.choice([50, 100, 100, 200, 200, 300, 500]) * 100
            mid = w.move(fund, accounts, "income", day, "党员捐助",
                         [(cash, fen), (AccountCode.DONATION, -fen)], kj)  # fmt: skip
            seq = w.certificates.get((fund.pk, day.year), 0) + 1
            w.certificates[(fund.pk, day.year)] = seq
            w.donations.append((fund.pk, member_id, fen, day, f"HZ{fund.pk:04d}{day.year}{seq:06d}",
                                secrets.token_urlsafe(12), mid, org_path, kj, _at(day)))  # fmt: skip
        count = max(2, round(n * AID_PER_MEMBER_YEAR))
        helped = rng.sample(members, min(count, n))
        if story_member is not None and year == YEARS - 1:
            helped[0] = next((m for m in members if m[0] == story_member), helped[0])
        for member_id, org_path in helped:
            code = rng.choices([c for c, _p in KIND_MIX], [p for _c, p in KIND_MIX])[0]
            kind = kinds[code]
            # Most aid sits at the low end of the range (the seed: 30.1万元 for 461 people).
            top = kind.min_fen + (kind.max_fen - kind.min_fen) // 4
            fen = rng.randrange(kind.min_fen // 10000, top // 10000 + 1) * 10000
            if fen > balance:
                continue
            balance -= fen
            day = y0 + dt.timedelta(days=rng.randrange(0, 340))
            paid += _application(
                w, fund, accounts, kind, member_id, org_path, fen, day, today, staff
            )
    # A few still on their way: at the branch, before the committee, in 公示.
    for ago, (member_id, org_path) in zip(
        (1, 3, 6, 8, 12), rng.sample(members, min(5, n)), strict=False
    ):
        kind = kinds["hardship"]
        _application(w, fund, accounts, kind, member_id, org_path, kind.min_fen,
                     today - dt.timedelta(days=ago), today, staff)  # fmt: skip
    return len(members), paid


def _application(
    w: _Writer, fund: AidFund, accounts: dict[str, int], kind: AidKind, member_id: int,
    org_path: str, fen: int, day: dt.date, today: dt.date, staff: dict[str, int],
) -> int:  # fmt: skip
    """One application as far as the days since ``day`` take it; 1 when it was paid."""
    aid = w.application_ids.take()
    reviewed, decided = day + dt.timedelta(days=2), day + dt.timedelta(days=5)
    until = decided + dt.timedelta(days=fund.publicity_days - 1)
    pay_day = until + dt.timedelta(days=2)
    status = (
        Status.PAID if pay_day <= today else Status.PUBLICITY if decided <= today
        else Status.REVIEWED if reviewed <= today else Status.SUBMITTED
    )  # fmt: skip
    if status in (Status.PAID, Status.PUBLICITY):
        w.move(fund, accounts, "hold", decided, f"{kind.name}审批通过，公示中",
               [(AccountCode.CASH, -fen), (AccountCode.HELD, fen)], staff["wy2"], aid)  # fmt: skip
        for who in ("wy1", "wy2"):
            w.approvals.append((aid, staff[who], True, "", _at(decided)))
    if status == Status.PAID:
        w.move(fund, accounts, "pay", pay_day, f"发放{kind.name}",
               [(AccountCode.HELD, -fen), (AccountCode.AID_PAID, fen)], staff["cn"], aid)  # fmt: skip
    on = status in (Status.PAID, Status.PUBLICITY)
    w.applications.append((
        aid, fund.pk, member_id, kind.pk, fen, REASONS[kind.code], status, org_path, staff["kj"],
        True, staff["kj"] if status != Status.SUBMITTED else None,
        _at(reviewed) if status != Status.SUBMITTED else None, "",
        decided if on else None, until if on else None,
        pay_day if status == Status.PAID else None,
        staff["cn"] if status == Status.PAID else None, "", _at(day), day.year,
    ))  # fmt: skip
    return 1 if status == Status.PAID else 0


def load(ctx: DemoContext) -> None:
    orgs = list(Organization.objects.filter(kind=OrgKind.WORKING_COMMITTEE).order_by("path"))
    if not orgs:
        ctx.say("互助金演示：没有街道党工委，跳过")
        return
    # The fund's roles come with a migration; a database emptied since (a test's flush) has
    # lost them: put them back (idempotent) before the demo's committee and cashier get them.
    load_roles(apps, None)
    story = User.objects.filter(username="dangyuan").values_list("member_id", flat=True).first()
    password = make_password(DEMO_PASSWORD)
    w = _Writer()
    people = paid = 0
    for i, org in enumerate(orgs):
        fund = fund_create(actor=None, scope=Scope.everything(), org=org)
        staff = _staff(fund, i, password)
        n, p = _fund_rows(ctx, w, fund, staff, story)
        people, paid = people + n, paid + p
    bulk_insert(AidApplication._meta.db_table, APPLICATION_COLUMNS, w.applications)
    bulk_insert(LedgerMovement._meta.db_table, MOVEMENT_COLUMNS, w.movements)
    entries = bulk_insert(LedgerEntry._meta.db_table, ENTRY_COLUMNS, w.entries)
    bulk_insert(Donation._meta.db_table, DONATION_COLUMNS, w.donations)
    bulk_insert(Approval._meta.db_table, APPROVAL_COLUMNS, w.approvals)
    _reset_sequences()
    for fund in AidFund.objects.all():
        ledger.rebuild_periods(fund.pk)
    ctx.say(
        f"互助金：{len(orgs)} 个，{len(w.donations)} 笔捐助，{paid} 笔补助已发放，{entries} 条分录"
    )


def _reset_sequences() -> None:
    sync_sequences(*(m._meta.db_table for m in (LedgerMovement, AidApplication)))


def wipe() -> None:
    """The ledger refuses deletes through the ORM (append-only): the demo's reset clears the
    tables with plain SQL, children first."""
    with connection.cursor() as cur:
        for model in (
            Objection, Approval, AidDocument, Donation, LedgerEntry, LedgerMovement,
            AidApplication, HardshipEntry, AidKind, LedgerPeriod, LedgerAccount, AidFund,
        ):  # fmt: skip
            cur.execute(f"DELETE FROM {model._meta.db_table}")
    User.objects.filter(username__startswith=USER_PREFIX).delete()
