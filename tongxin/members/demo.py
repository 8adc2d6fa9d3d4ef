"""Demo data for dues: the demo street's members get a dues base and six months of payments
(some in arrears). (Transfers: tongxin.transfers.demo; 双报到: tongxin.dual_reports.demo.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tongxin.accounts.models import RoleAssignment
from tongxin.core.bulk import bulk_insert
from tongxin.core.demodata import DemoContext
from tongxin.core.scope import subtree_q
from tongxin.members import dues
from tongxin.members.models import (
    DuesBase,
    DuesPayment,
    DuesReversal,
    Member,
)
from tongxin.orgs.models import Organization

BASE_COLUMNS = ["member_id", "effective_from", "category", "base_fen", "created_at"]
PAYMENT_COLUMNS = ["member_id", "month", "amount_fen", "paid_on", "org_path", "note", "created_at"]


def _anchor(username: str) -> Organization | None:
    ra = (
        RoleAssignment.objects.filter(user__username=username, org__isnull=False)
        .select_related("org__area")
        .first()
    )
    return ra.org if ra else None


def load(ctx: DemoContext) -> None:
    branch, street = _anchor("zhibu"), _anchor("jiedao")
    if branch is None or street is None:
        ctx.say("党费/转接/双报到演示：未找到演示支部，跳过")
        return
    _dues(ctx, street)


def _dues(ctx: DemoContext, street: Organization) -> None:
    rng, now = ctx.rng, timezone.now()
    month = dues.month_start(ctx.today)
    first = dues.add_months(month, -5)
    members = list(
        Member.objects.filter(subtree_q("org_path", street.path))
        .order_by("id")
        .values_list("id", "org_path")
    )
    bases, payments = [], []
    for member_id, org_path in members:
        roll = rng.random()
        if roll < 0.7:
            category, base = "employed", rng.randrange(2000, 16000) * 100 + rng.choice([0, 50])
        elif roll < 0.9:
            category, base = "retired", rng.randrange(2500, 8000) * 100
        else:
            category, base = rng.choice(["student", "unemployed", "subsistence"]), 0
        bases.append((member_id, first, category, base, now))
        due = dues.dues_amount_fen(category, base)
        for i in range(6):
            m = dues.add_months(first, i)
            if due and rng.random() < (0.6 if m == month else 0.93):
                paid_on = min(m + dt.timedelta(days=rng.randrange(0, 20)), ctx.today)
                payments.append((member_id, m, due, paid_on, org_path, "", now))
    bulk_insert(DuesBase._meta.db_table, BASE_COLUMNS, bases)
    n = bulk_insert(DuesPayment._meta.db_table, PAYMENT_COLUMNS, payments)
    ctx.say(f"党费：{len(bases)} 名党员的基数，{n} 笔缴纳记录")


def wipe() -> None:
    models: list[Any] = [
        DuesReversal,
        DuesPayment,
        DuesBase,
    ]
    for model in models:
        model.objects.all().delete()
