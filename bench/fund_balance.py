"""fund_balance: a 互助金's balance and its year report over 100,000 ledger entries. Ours:
``selectors.fund_balance`` + ``selectors.year_report`` (the ORM, as the fund page and the
report use them). Baseline: the same sums in hand-written SQL through the raw driver. The
demo's first fund is topped up to 100,000 lines (income, holds and payments over three years,
bulk-inserted)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Max
from django.utils import timezone

from bench.benchmarks import ensure_demo, explain, raw_fetch, raw_sql
from bench.util import Context, report, save_plans, timed_pair
from tongxin.aid import ledger, selectors
from tongxin.aid.models import (
    AidApplication,
    AidFund,
    AidKind,
    LedgerAccount,
    LedgerEntry,
    LedgerMovement,
    Status,
)
from tongxin.core.bulk import bulk_insert
from tongxin.core.scope import subtree_q
from tongxin.members.models import Member

TARGET_LINES = 100_000
BALANCE_SQL = (
    "SELECT a.code, SUM(e.amount_fen) FROM aid_ledgerentry e"
    " JOIN aid_ledgeraccount a ON a.id = e.account_id WHERE e.fund_id = {p} GROUP BY a.code"
)
INCOME_SQL = (
    "SELECT a.code, SUM(e.amount_fen) FROM aid_ledgerentry e"
    " JOIN aid_ledgeraccount a ON a.id = e.account_id"
    ' WHERE e.fund_id = {p} AND e."on" BETWEEN {p} AND {p}'
    " AND a.code IN ('income_finance', 'income_upper', 'income_donation') GROUP BY a.code"
)
AID_SQL = (
    "SELECT k.name, COUNT(*), SUM(e.amount_fen) FROM aid_ledgerentry e"
    " JOIN aid_ledgeraccount a ON a.id = e.account_id"
    " JOIN aid_ledgermovement m ON m.id = e.movement_id"
    " JOIN aid_aidapplication ap ON ap.id = m.application_id"
    " JOIN aid_aidkind k ON k.id = ap.kind_id"
    " WHERE e.fund_id = {p} AND e.\"on\" BETWEEN {p} AND {p} AND a.code = 'aid_paid'"
    " GROUP BY k.name ORDER BY k.name"
)
EDGES_SQL = (
    'SELECT SUM(CASE WHEN e."on" < {p} THEN e.amount_fen ELSE 0 END), SUM(e.amount_fen)'
    " FROM aid_ledgerentry e JOIN aid_ledgeraccount a ON a.id = e.account_id"
    " WHERE e.fund_id = {p} AND e.\"on\" <= {p} AND a.code IN ('cash', 'held')"
)
PEOPLE_SQL = (
    "SELECT COUNT(DISTINCT member_id) FROM aid_aidapplication"
    " WHERE fund_id = {p} AND status = 'paid' AND paid_on BETWEEN {p} AND {p}"
)


def _top_up(fund: AidFund) -> None:
    have = LedgerEntry.objects.filter(fund=fund).count()
    missing = TARGET_LINES - have
    if missing <= 0:
        return
    today = timezone.localdate()
    acc = dict(LedgerAccount.objects.filter(fund=fund).values_list("code", "id"))
    kinds = list(AidKind.objects.filter(fund=fund))
    members = list(
        Member.objects.filter(subtree_q("org_path", fund.org_path)).values_list("id", "org_path")[
            :2000
        ]
    )
    next_m = (LedgerMovement.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    next_a = (AidApplication.objects.aggregate(m=Max("id"))["m"] or 0) + 1
    moves: list[tuple[Any, ...]] = []
    lines: list[tuple[Any, ...]] = []
    apps: list[tuple[Any, ...]] = []
    now = timezone.now()
    aid_movements = missing // 2 // 3  # a third of the movements are holds and payments
    for i in range(missing // 2 - aid_movements):
        on = today - dt.timedelta(days=i % 1095)
        moves.append((next_m, fund.pk, "income", on, "财政拨款", None, fund.org_path, now))
        lines += [
            (next_m, fund.pk, acc["cash"], 5000, on),
            (next_m, fund.pk, acc["income_finance"], -5000, on),
        ]
        next_m += 1
    for i in range(aid_movements // 2):
        on = today - dt.timedelta(days=i % 1095)
        member_id, org_path = members[i % len(members)]
        kind = kinds[i % len(kinds)]
        apps.append((next_a, fund.pk, member_id, kind.pk, 3000, "基准测试", Status.PAID, org_path,
                     False, "", "", on, on, on, now, on.year))  # fmt: skip
        for kind_name, a, b in (("hold", "cash", "held"), ("pay", "held", "aid_paid")):
            moves.append((next_m, fund.pk, kind_name, on, kind_name, next_a, fund.org_path, now))
            lines += [(next_m, fund.pk, acc[a], -3000, on), (next_m, fund.pk, acc[b], 3000, on)]
            next_m += 1
        next_a += 1
    bulk_insert(
        AidApplication._meta.db_table,
        ["id", "fund_id", "member_id", "kind_id", "amount_fen", "reason", "status", "org_path",
         "by_branch", "review_note", "closed_reason", "publicity_from", "publicity_until", "paid_on", "created_at", "year"],
        apps,
    )  # fmt: skip
    bulk_insert(
        LedgerMovement._meta.db_table,
        ["id", "fund_id", "kind", "on", "memo", "application_id", "org_path", "created_at"],
        moves,
    )
    bulk_insert(
        LedgerEntry._meta.db_table,
        ["movement_id", "fund_id", "account_id", "amount_fen", "on"],
        lines,
    )


def _rebuild(fund: AidFund) -> None:
    ledger.rebuild_periods(fund.pk)


def baseline(fund_id: int, year: int) -> tuple[Any, ...]:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return (
        raw_fetch(raw_sql(BALANCE_SQL), (fund_id,)),
        raw_fetch(raw_sql(INCOME_SQL), (fund_id, start, end)),
        raw_fetch(raw_sql(AID_SQL), (fund_id, start, end)),
        raw_fetch(raw_sql(EDGES_SQL), (start, fund_id, end)),
        raw_fetch(raw_sql(PEOPLE_SQL), (fund_id, start, end)),
    )


def run(ctx: Context) -> None:
    ensure_demo(ctx)
    fund = (
        AidFund.objects.annotate(n=Count("movements"))
        .order_by("-n", "id")
        .select_related("org")
        .first()
    )
    assert fund is not None, "the demo made no 互助金"
    _top_up(fund)
    _rebuild(fund)
    n = LedgerEntry.objects.filter(fund=fund).count()
    year = timezone.localdate().year

    def ours() -> tuple[Any, Any]:
        return selectors.fund_balance(fund), selectors.year_report(fund, year)

    runs = 15
    ours_s, base_s, got, base = timed_pair(
        ours, lambda: baseline(fund.pk, year), runs=runs, warmup=2
    )
    balance, r = got
    edges = base[3][0]
    assert balance.total == sum(v for c, v in base[0] if c in ("cash", "held"))
    assert r.closing == edges[1] and r.opening == (edges[0] or 0)
    assert r.aid == [(k, c, s) for k, c, s in base[2]] and r.people == base[4][0][0]
    report(
        ctx,
        "fund_balance",
        n=n,
        ours=ours_s * 1000,
        baseline=base_s * 1000,
        unit="ms",
        target=("ours", 50),
        runs=runs,
        note="a fund's balance + its year report (income by source, aid by kind, opening and "
        "closing balance, people helped) over its ledger lines; baseline: the same sums in "
        "hand-written SQL",
    )
    start, end = dt.date(year, 1, 1).isoformat(), dt.date(year, 12, 31).isoformat()
    q = "'"
    save_plans(
        ctx,
        "fund_balance",
        {
            "balance": explain(BALANCE_SQL.replace("{p}", str(fund.pk))),
            "aid by kind": explain(
                AID_SQL.replace("{p}", str(fund.pk), 1)
                .replace("{p}", f"{q}{start}{q}", 1)
                .replace("{p}", f"{q}{end}{q}", 1)
            ),
        },
    )
