"""Demo data for 双报到 and dues: the demo street's members get a dues base and six months of
payments (some in arrears); the demo branch (user zhibu) has members reporting to their
communities with hours served. (Transfers: tongxin.transfers.demo.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tongxin.accounts.models import RoleAssignment
from tongxin.core.bulk import bulk_insert
from tongxin.core.demodata import DemoContext
from tongxin.core.scope import subtree_q
from tongxin.geo.models import Area, AreaLevel
from tongxin.members import dues
from tongxin.members.models import (
    DualReport,
    DualReportHours,
    DualReportStatus,
    DuesBase,
    DuesPayment,
    DuesReversal,
    Member,
)
from tongxin.orgs.models import Organization

BASE_COLUMNS = ["member_id", "effective_from", "category", "base_fen", "created_at"]
PAYMENT_COLUMNS = ["member_id", "month", "amount_fen", "paid_on", "org_path", "note", "created_at"]
POSTS = ["楼道长", "文明劝导员", "垃圾分类督导员", "平安巡防队员", "邻里调解员", "助老志愿者"]


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
    _dual_reports(ctx, branch)


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


def _community_of(area: Area | None) -> Area | None:
    if area is None:
        return None
    paths = [area.path[:i] for i in range(Area.steplen, len(area.path) + 1, Area.steplen)]
    return Area.objects.filter(path__in=paths, level=AreaLevel.COMMUNITY).first()


def _dual_reports(ctx: DemoContext, branch: Organization) -> None:
    rng = ctx.rng
    fallback = _community_of(branch.area)
    # The demo member (dangyuan) is left to file their own: a journey to try (README).
    people = list(
        Member.objects.filter(org_path=branch.path)
        .exclude(user__username="dangyuan")
        .select_related("residence")
        .order_by("id")[:10]
    )
    hours: list[DualReportHours] = []
    made = 0
    for i, m in enumerate(people):
        community = _community_of(m.residence) or fallback
        if community is None:
            continue
        reported = ctx.today - dt.timedelta(days=rng.randrange(40, 300))
        accepted = i % 4 != 3
        r = DualReport.objects.create(
            member=m,
            community=community,
            reported_on=reported,
            status=DualReportStatus.ACCEPTED if accepted else DualReportStatus.REPORTED,
            service_post=rng.choice(POSTS) if accepted else "",
            accepted_on=reported + dt.timedelta(days=3) if accepted else None,
        )
        made += 1
        if accepted:
            for _ in range(rng.randrange(2, 8)):
                served = ctx.today - dt.timedelta(days=rng.randrange(0, 35))
                hours.append(
                    DualReportHours(
                        dual_report=r,
                        served_on=served,
                        minutes=rng.choice([60, 90, 120, 180]),
                        note=rng.choice(["楼道清理", "文明劝导", "走访独居老人", "垃圾分类宣传"]),
                    )
                )
    DualReportHours.objects.bulk_create(hours)
    ctx.say(f"双报到：{made} 名党员，{len(hours)} 条服务记录")


def wipe() -> None:
    models: list[Any] = [
        DualReportHours,
        DualReport,
        DuesReversal,
        DuesPayment,
        DuesBase,
    ]
    for model in models:
        model.objects.all().delete()
