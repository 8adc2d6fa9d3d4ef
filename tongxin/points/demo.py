"""Demo 锋领指数: the default rule sets for every domain, the points the demo's own meetings,
hours, visits and dues earned (a year at town scale; the last quarter in the city), last month
closed for the demo street, and awards in the story branch (one approved, one waiting)."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from tongxin.accounts.models import RoleAssignment, User
from tongxin.core.demodata import DemoContext
from tongxin.core.months import add_months, month_start
from tongxin.core.scope import Scope, scope_for_user
from tongxin.points import services
from tongxin.points.models import (
    ManualAward,
    MonthlyScore,
    PeriodClose,
    PointEntry,
    Rule,
    RuleSet,
    RuleSetVersion,
    ScoreSnapshot,
)
from tongxin.points.rules import forget_rule_book, seed_default_rule_sets
from tongxin.points.selectors import manual_rules_for

# A one-pixel PNG: the demo's evidence photo.
PIXEL = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f6e1a00000000049454e44ae426082"
)


def load(ctx: DemoContext) -> None:
    n = seed_default_rule_sets()
    days = 92 if ctx.scale == "city" else 365
    end = ctx.today + dt.timedelta(days=1)
    result = services.points_collect(
        actor=None, scope=Scope.everything(), start=ctx.today - dt.timedelta(days=days), end=end
    )
    ctx.say(f"锋领指数：{n} 套规则，{result['written']} 条积分记录（近 {days} 天）")
    _story(ctx)


def _story(ctx: DemoContext) -> None:
    street = RoleAssignment.objects.filter(user__username="jiedao", org__isnull=False).first()
    zhibu = User.objects.filter(username="zhibu").first()
    jiedao = User.objects.filter(username="jiedao").first()
    dangyuan = User.objects.filter(username="dangyuan").select_related("member").first()
    if street is None or street.org is None or zhibu is None or jiedao is None:
        return
    last_month = add_months(month_start(ctx.today), -1)
    if dangyuan is not None and dangyuan.member is not None:
        member = dangyuan.member
        rules = {r.code: r for r in manual_rules_for(member, ctx.today)}
        if "honour" in rules:
            award = services.award_propose(
                actor=zhibu,
                scope=scope_for_user(zhibu),
                member=member,
                rule=rules["honour"],
                on=ctx.today - dt.timedelta(days=3),
                reason="获评街道“最美志愿者”",
                evidence=SimpleUploadedFile("表彰证书.png", PIXEL, content_type="image/png"),
            )
            services.award_approve(actor=jiedao, scope=scope_for_user(jiedao), award=award)
        if "study" in rules:
            services.award_claim(
                actor=dangyuan,
                member=member,
                rule=rules["study"],
                on=ctx.today - dt.timedelta(days=1),
                reason="参加“周二夜学”并撰写学习心得",
                evidence=SimpleUploadedFile("学习心得.png", PIXEL, content_type="image/png"),
            )
    services.period_close(
        actor=jiedao, scope=scope_for_user(jiedao), org=street.org, period=last_month
    )
    ctx.say(f"锋领指数：{street.org.name} {last_month:%Y年%m月}已结账")


def wipe() -> None:
    ScoreSnapshot.objects.all()._raw_delete(ScoreSnapshot.objects.db)
    PeriodClose.objects.all()._raw_delete(PeriodClose.objects.db)
    MonthlyScore.objects.all().delete()
    ManualAward.objects.all().delete()
    PointEntry.objects.filter(reverses__isnull=False)._raw_delete(PointEntry.objects.db)
    PointEntry.objects.all()._raw_delete(PointEntry.objects.db)
    Rule.objects.all().delete()
    RuleSetVersion.objects.all().delete()
    RuleSet.objects.all().delete()
    forget_rule_book()
