"""Demo data for transfers and 双报到: the demo branch (user zhibu) has transfers at every stage
and members reporting to their communities with hours served. (党费's demo is the dues app's.)"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tongxin.accounts.models import RoleAssignment
from tongxin.core.demodata import DemoContext
from tongxin.core.scope import Scope, subtree_q
from tongxin.geo.models import Area, AreaLevel
from tongxin.members import transfers
from tongxin.members.models import (
    DualReport,
    DualReportHours,
    DualReportStatus,
    Member,
    Transfer,
    TransferEvent,
    TransferStep,
)
from tongxin.orgs.models import Organization, OrgKind

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
        ctx.say("转接/双报到演示：未找到演示支部，跳过")
        return
    _transfers(ctx, branch, street)
    _dual_reports(ctx, branch)


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
        TransferEvent,
        TransferStep,
        Transfer,
    ]
    for model in models:
        model.objects.all().delete()
