"""Demo data for 党费: the demo street's members get a dues base and six months of payments
(some in arrears)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tongxin.accounts.models import RoleAssignment
from tongxin.core.bulk import bulk_insert
from tongxin.core.demodata import DemoContext
from tongxin.core.months import add_months, month_start
from tongxin.core.scope import subtree_q
from tongxin.dues.models import DuesBase, DuesPayment, DuesReversal
from tongxin.dues.rules import dues_amount_fen
from tongxin.members.models import Member

BASE_COLUMNS = ["member_id", "effective_from", "category", "base_fen", "created_at"]
PAYMENT_COLUMNS = ["member_id", "month", "amount_fen", "paid_on", "org_path", "note", "created_at"]


def load(ctx: DemoContext) -> None:
    ra = (
        RoleAssignment.objects.filter(user__username="jiedao", org__isnull=False)
        .select_related("org")
        .first()
    )
    if ra is None or ra.org is None:
        ctx.say("党费演示：未找到演示街道，跳过")
        return
    street = ra.org
    rng, now = ctx.rng, timezone.now()
    month = month_start(ctx.today)
    first = add_months(month, -5)
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
        due = dues_amount_fen(category, base)
        for i in range(6):
            m = add_months(first, i)
            if due and rng.random() < (0.6 if m == month else 0.93):
                paid_on = min(m + dt.timedelta(days=rng.randrange(0, 20)), ctx.today)
                payments.append((member_id, m, due, paid_on, org_path, "", now))
    bulk_insert(DuesBase._meta.db_table, BASE_COLUMNS, bases)
    n = bulk_insert(DuesPayment._meta.db_table, PAYMENT_COLUMNS, payments)
    ctx.say(f"党费：{len(bases)} 名党员的基数，{n} 笔缴纳记录")


def wipe() -> None:
    DuesReversal.objects.all().delete()
    DuesPayment.objects.all().delete()
    DuesBase.objects.all().delete()
