"""Demo data for 考评: the district's 千分制 standard for its streets with one quarter assessed
for each street (self-score, assessor's score, final), a 述职评议 session of the demo street's
communities with ballots, announced, and a 整改清单; and an open 部门向基层述职评议 in which the
demo member (dangyuan) and resident (jumin) can vote on their phones."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db.models import QuerySet

from tongxin.accounts.models import RoleAssignment, User
from tongxin.appraisal.models import (
    Appeal,
    Assessment,
    Ballot,
    Grade,
    Indicator,
    IndicatorSet,
    Metric,
    PoolKind,
    Rater,
    RaterPool,
    RectificationItem,
    Reporter,
    ReviewKind,
    ReviewSession,
    Score,
)
from tongxin.appraisal.services import assessment as asvc
from tongxin.appraisal.services import review as rsvc
from tongxin.cases.selectors import agencies
from tongxin.core.demodata import DemoContext
from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope
from tongxin.orgs.models import Organization

ALL = Scope.everything()

# (top-level indicator, [(leaf, points, check method, deduction rule, metric)]); 1,000 in all.
STANDARD: list[tuple[str, list[tuple[str, int, str, str, str]]]] = [
    (
        "基础组织建设",
        [
            (
                "组织设置应建尽建",
                100,
                "documents",
                "每发现1个应建未建扣5分",
                Metric.COVERAGE_GAPS,
            ),
            ("换届按期规范", 80, "documents", "每个逾期未换届的党组织扣4分", Metric.TERM_ON_TIME),
            (
                "三会一课落实",
                150,
                "spot_check",
                "每少开1次专题会扣0.5分",
                Metric.MEETING_COMPLIANCE,
            ),
        ],
    ),
    (
        "党员队伍建设",
        [
            ("党员教育管理", 120, "documents", "每发现1名失联党员扣2分", ""),
            (
                "志愿服务与双报到",
                100,
                "documents",
                "人均时长低于2小时扣10分",
                Metric.VOLUNTEER_HOURS,
            ),
        ],
    ),
    (
        "服务中心实绩",
        [
            ("网格呼叫响应", 150, "spot_check", "每件超时事件扣1分", Metric.CASE_ON_TIME),
            ("群众满意度", 100, "spot_check", "满意率每低1个百分点扣1分", Metric.CASE_SATISFACTION),
        ],
    ),
    (
        "阵地与保障",
        [
            ("党群服务中心运行", 120, "site_visit", "未按时开放每次扣2分", ""),
            ("经费保障", 80, "documents", "未落实经费扣20分", ""),
        ],
    ),
]


def _street() -> Organization | None:
    ra = (
        RoleAssignment.objects.filter(user__username="jiedao", org__isnull=False)
        .select_related("org")
        .first()
    )
    return ra.org if ra is not None else None


def _children(org: Organization) -> QuerySet[Organization]:
    return Organization.objects.filter(path__startswith=org.path, depth=org.depth + 1)


def load(ctx: DemoContext) -> None:
    street = _street()
    if street is None or street.depth < 2:
        ctx.say("考评演示：未找到演示街道，跳过")
        return
    rng, today = ctx.rng, ctx.today
    district = Organization.objects.get(path=street.path[: -Organization.steplen])
    streets = list(_children(district).filter(kind=street.kind).order_by("path")[:30])
    year = today.year
    quarter = (today.month - 1) // 3  # the last full quarter
    if quarter == 0:
        year, quarter = year - 1, 4
    s = asvc.indicator_set_create(
        scope=ALL,
        actor=None,
        org=district,
        year=year,
        level="street",
        name=f"{year}年街道党建千分制考评",
        appeal_days=5,
    )
    for top_name, leaves in STANDARD:
        top = asvc.indicator_add(
            scope=ALL, actor=None, indicator_set=s, data=asvc.IndicatorInput(name=top_name)
        )
        for name, points, method, rule, metric in leaves:
            asvc.indicator_add(
                scope=ALL,
                actor=None,
                indicator_set=s,
                data=asvc.IndicatorInput(
                    name=name,
                    weight=points,
                    parent=top,
                    check_method=method,
                    deduction_rule=rule,
                    metric=metric,
                ),
            )
    asvc.indicator_set_publish(scope=ALL, actor=None, indicator_set=s)
    assessed_on = today - dt.timedelta(days=12)
    for i, org in enumerate(streets):
        a = asvc.assessment_open(scope=ALL, actor=None, indicator_set=s, org=org, quarter=quarter)
        leaves_ = list(Score.objects.filter(assessment=a).select_related("indicator"))
        own = {sc.indicator_id: _score(rng, sc.indicator.weight, 0.85) for sc in leaves_}
        asvc.self_score_save(scope=ALL, actor=None, assessment=a, scores=dict(own.items()))
        asvc.self_score_submit(scope=ALL, actor=None, assessment=a)
        if org.pk == street.pk:
            continue  # the demo street's own quarter waits for the district's score
        upper = {k: max(Decimal(0), v - Decimal(rng.randrange(0, 60)) / 2) for k, v in own.items()}
        asvc.assessor_score_save(scope=ALL, actor=None, assessment=a, scores=dict(upper.items()))
        asvc.assessment_assess(scope=ALL, actor=None, assessment=a, today=assessed_on)
        if i % 4 != 3:  # every fourth waits for the assessor to make it final
            asvc.assessment_finalize(scope=ALL, actor=None, assessment=a, today=today)
    _org_review(ctx, street, year)
    _department_review(ctx, street, today.year)
    ctx.say(f"考评：{len(streets)} 个街道的千分制季度考评，2 场述职评议")


def _score(rng: random.Random, weight: Decimal, floor: float) -> Decimal:
    share = floor + (1 - floor) * rng.random()
    return (weight * Decimal(str(round(share, 3)))).quantize(Decimal("0.5"))


def _org_review(ctx: DemoContext, street: Organization, year: int) -> None:
    rng = ctx.rng
    session = rsvc.review_create(
        scope=ALL,
        actor=None,
        org=street,
        title=f"{year}年度社区党组织书记抓基层党建述职评议",
        year=year,
        kind=ReviewKind.ORG,
        pools=[
            rsvc.PoolInput(PoolKind.UPPER, 30, 5),
            rsvc.PoolInput(PoolKind.MEMBERS, 40, 5),
            rsvc.PoolInput(PoolKind.RESIDENTS, 20, 5),
            rsvc.PoolInput(PoolKind.DEPUTIES, 10, 3),
        ],
    )
    sizes = {PoolKind.UPPER: 7, PoolKind.MEMBERS: 12, PoolKind.RESIDENTS: 9, PoolKind.DEPUTIES: 4}
    raters = [
        rsvc.rater_add(scope=ALL, actor=None, pool=pool, name=f"{pool.get_kind_display()}{k + 1}号")
        for pool in RaterPool.objects.filter(session=session)
        for k in range(sizes[PoolKind(pool.kind)])
    ]
    communities = list(_children(street).order_by("path")[:6])
    reps = [rsvc.reporter_add(scope=ALL, actor=None, session=session, org=c) for c in communities]
    for rep in reps:
        rsvc.report_save(
            scope=ALL,
            actor=None,
            reporter=rep,
            text=f"{rep.name}书记述职：一年来，我们坚持党建引领，推进网格化服务管理，"
            "办好民生实事，开展“双报到”志愿服务……存在的不足：议事协商机制还不够常态化。",
        )
    rsvc.review_open(scope=ALL, actor=None, session=session)
    grades = [Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE, Grade.POOR]
    for rep in reps:
        bias = rng.random()
        for rater in raters:
            roll = rng.random() * (0.6 + bias)
            grade = grades[0 if roll < 0.5 else 1 if roll < 0.9 else 2 if roll < 1.3 else 3]
            rsvc.ballot_enter(scope=ALL, actor=None, rater=rater, reporter=rep, grade=grade)
    rsvc.review_close(scope=ALL, actor=None, session=session)
    rsvc.review_announce(scope=ALL, actor=None, session=session)
    for rep in reps:
        item = rsvc.item_add(
            scope=ALL,
            actor=None,
            reporter=rep,
            title="议事协商每月至少开展1次并公开结果",
            owner="社区党委书记",
            deadline=ctx.today + dt.timedelta(days=90),
        )
        rsvc.item_progress(
            scope=ALL,
            actor=None,
            item=item,
            progress=rng.choice([20, 40, 60, 100]),
            note="已制定计划",
        )


def _department_review(ctx: DemoContext, street: Organization, year: int) -> None:
    session = rsvc.review_create(
        scope=ALL,
        actor=None,
        org=street,
        title=f"{year}年度区级部门向基层述职评议",
        year=year,
        kind=ReviewKind.DEPARTMENT,
        pools=[
            rsvc.PoolInput(PoolKind.GRASSROOTS, 70, 1),
            rsvc.PoolInput(PoolKind.RESIDENTS, 30, 1),
        ],
    )
    grassroots, residents = list(RaterPool.objects.filter(session=session).order_by("id"))
    for username, pool in (("dangyuan", grassroots), ("zhibu", grassroots), ("jumin", residents)):
        u = User.objects.filter(username=username).first()
        if u is not None:
            rsvc.rater_add(
                scope=ALL, actor=None, pool=pool, name=u.display_name or username, user=u
            )
    for agency in agencies()[:4]:
        rsvc.reporter_add(scope=ALL, actor=None, session=session, agency=agency)
    try:
        rsvc.review_open(scope=ALL, actor=None, session=session)
    except ServiceError as err:  # a demo without the phone accounts: the session stays a draft
        ctx.say(f"部门述职评议未开始：{err.message}")


def wipe() -> None:
    RectificationItem.objects.all().delete()
    Ballot.objects.all().delete()
    Rater.objects.all().delete()
    Reporter.objects.all().delete()
    RaterPool.objects.all().delete()
    ReviewSession.objects.all().delete()
    Appeal.objects.all().delete()
    Score.objects.all().delete()
    Assessment.objects.all().delete()
    Indicator.objects.all().delete()
    IndicatorSet.objects.all().delete()
