"""Demo data for transfers and dues: the demo street's members get a dues base and six months of
payments (some in arrears); the demo branch (user zhibu) has transfers at every stage. (双报到's
demo: tongxin.dual_reports.demo.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tongxin.accounts.models import RoleAssignment
from tongxin.core.bulk import bulk_insert
from tongxin.core.demodata import DemoContext
from tongxin.core.scope import Scope, subtree_q
from tongxin.members import dues, transfers
from tongxin.members.models import (
    DuesBase,
    DuesPayment,
    DuesReversal,
    Member,
    Transfer,
    TransferEvent,
    TransferStep,
)
from tongxin.orgs.models import Organization, OrgKind

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
    _transfers(ctx, branch, street)


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


def _transfers(ctx: DemoContext, branch: Organization, street: Organization) -> None:
    everything = Scope.everything()
    siblings = list(
        Organization.objects.filter(subtree_q("path", street.path), kind=OrgKind.BRANCH)
        .exclude(pk=branch.pk)
        .order_by("path")[:3]
    )
    far = (
        Organization.objects.filter(kind=OrgKind.BRANCH, is_temporary=False)
        .exclude(subtree_q("path", street.path))
        .order_by("path")
        .first()
    )
    people = list(Member.objects.filter(org=branch).order_by("id")[2:8])
    if not siblings or len(people) < 4:
        return
    plans: list[tuple[Member, Organization, int, str]] = [
        (people[0], siblings[0], 0, "工作调动"),  # waiting at the first approver
        (people[1], far or siblings[0], 99, "迁居外区"),  # letter issued
        (people[2], siblings[-1], 100, "迁居"),  # received and completed
        (people[3], siblings[0], -1, "工作调动"),  # rejected
    ]
    for member, target, approvals, reason in plans:
        t = transfers.transfer_create(
            actor=None, member=member, target=target, reason=reason, submit=True
        )
        if approvals < 0:
            transfers.transfer_reject(
                actor=None, scope=everything, transfer=t, note="请补充党费缴纳证明"
            )
            continue
        for _ in range(approvals):
            t = Transfer.objects.get(pk=t.pk)
            if t.status not in ("submitted", "approved_out") or (
                approvals == 99 and t.status == "approved_out"
            ):
                break
            transfers.transfer_approve(actor=None, scope=everything, transfer=t)
        if approvals == 100:
            transfers.transfer_complete(actor=None, scope=everything, transfer=t)
    ctx.say("组织关系转接：4 条（审批中、已开介绍信、已完成、已退回）")


def wipe() -> None:
    models: list[Any] = [
        TransferEvent,
        TransferStep,
        Transfer,
        DuesReversal,
        DuesPayment,
        DuesBase,
    ]
    for model in models:
        model.objects.all().delete()
