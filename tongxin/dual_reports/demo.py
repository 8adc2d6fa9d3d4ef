"""Demo data of 双报到 (loaded by the demo generator after members' own, see
tongxin.demo.loader): ten members of the demo branch (user zhibu) report to their communities,
most accepted with hours served; the demo member (dangyuan) is left to file their own."""

from __future__ import annotations

import datetime as dt

from tongxin.accounts.models import RoleAssignment
from tongxin.core.demodata import DemoContext
from tongxin.dual_reports.models import DualReport, DualReportHours, DualReportStatus
from tongxin.dual_reports.selectors import community_of
from tongxin.members.models import Member

POSTS = ["楼道长", "文明劝导员", "垃圾分类督导员", "平安巡防队员", "邻里调解员", "助老志愿者"]


def load(ctx: DemoContext) -> None:
    ra = (
        RoleAssignment.objects.filter(user__username="zhibu", org__isnull=False)
        .select_related("org__area")
        .first()
    )
    if ra is None or ra.org is None:
        ctx.say("双报到演示：未找到演示支部，跳过")
        return
    branch = ra.org
    rng = ctx.rng
    fallback = community_of(branch.area)
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
        community = community_of(m.residence) or fallback
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
    DualReportHours.objects.all().delete()
    DualReport.objects.all().delete()
