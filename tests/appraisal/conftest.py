from __future__ import annotations

from typing import Any

import pytest

from tests import factories
from tests.stranger_setup import scope_of
from tongxin.appraisal.models import (
    Assessment,
    IndicatorSet,
    Metric,
    PoolKind,
    Reporter,
    ReviewKind,
    ReviewSession,
)
from tongxin.appraisal.services import assessment as asvc
from tongxin.appraisal.services import review as rsvc
from tongxin.cases.models import Agency

W = dict[str, Any]
SYS = {"scope": scope_of(None), "actor": None}


def make_set(w: W, *, publish: bool = True, appeal_days: int = 5) -> IndicatorSet:
    """Street A's 2026 standard for its communities: two top-level indicators, three leaves
    adding up to 1,000 points."""
    s = asvc.indicator_set_create(
        **SYS,
        org=w["street_a"],
        year=2026,
        level="community",
        name="2026年社区千分制",
        appeal_days=appeal_days,
    )
    basic = asvc.indicator_add(**SYS, indicator_set=s, data=asvc.IndicatorInput(name="基础工作"))
    service = asvc.indicator_add(**SYS, indicator_set=s, data=asvc.IndicatorInput(name="服务实绩"))
    asvc.indicator_add(
        **SYS,
        indicator_set=s,
        data=asvc.IndicatorInput(
            name="三会一课",
            weight=400,
            parent=basic,
            check_method="documents",
            deduction_rule="每少开1次专题会扣0.5分",
            metric=Metric.MEETING_COMPLIANCE,
        ),
    )
    asvc.indicator_add(
        **SYS,
        indicator_set=s,
        data=asvc.IndicatorInput(
            name="阵地建设", weight=200, parent=basic, check_method="site_visit"
        ),
    )
    asvc.indicator_add(
        **SYS,
        indicator_set=s,
        data=asvc.IndicatorInput(
            name="事件办理",
            weight=400,
            parent=service,
            check_method="spot_check",
            metric=Metric.CASE_ON_TIME,
        ),
    )
    if publish:
        asvc.indicator_set_publish(**SYS, indicator_set=s)
    return s


def leaf_ids(a: Assessment) -> dict[str, int]:
    return {s.indicator.name: s.indicator_id for s in a.scores.select_related("indicator")}


def open_assessment(w: W, **kw: Any) -> Assessment:
    s = make_set(w, **kw)
    return asvc.assessment_open(**SYS, indicator_set=s, org=w["comm_a_org"], quarter=1)


def submitted(w: W, **kw: Any) -> Assessment:
    a = open_assessment(w, **kw)
    ids = leaf_ids(a)
    asvc.self_score_save(
        **SYS,
        assessment=a,
        scores={ids["三会一课"]: 390, ids["阵地建设"]: 200, ids["事件办理"]: 380},
    )
    return asvc.self_score_submit(**SYS, assessment=a)


def make_session(w: W, kind: str = ReviewKind.ORG, n: int = 6) -> ReviewSession:
    """Street A's 述职评议: members 60% (n raters with accounts), upper 40% (5 by name)."""
    session = rsvc.review_create(
        **SYS,
        org=w["street_a"],
        title="2026年度党组织书记述职评议",
        year=2026,
        kind=kind,
        pools=[
            rsvc.PoolInput(kind=PoolKind.MEMBERS, weight=60, min_size=5),
            rsvc.PoolInput(kind=PoolKind.UPPER, weight=40, min_size=5),
        ],
    )
    members, upper = list(session.pools.order_by("id"))
    w["voters"] = []
    for i in range(n):
        u = factories.user(f"voter{i}", "member", org=w["branch_a1"])
        rsvc.rater_add(**SYS, pool=members, name=f"评议人{i}", user=u)
        w["voters"].append(u)
    w["upper_raters"] = [rsvc.rater_add(**SYS, pool=upper, name=f"上级{i}") for i in range(5)]
    if kind == ReviewKind.DEPARTMENT:
        agency, _ = Agency.objects.get_or_create(code="zj", defaults={"name": "区住建局"})
        rsvc.reporter_add(**SYS, session=session, agency=agency)
    else:
        rsvc.reporter_add(**SYS, session=session, org=w["comm_a_org"])
    return session


def reporter(session: ReviewSession) -> Reporter:
    return session.reporters.get()


@pytest.fixture
def aset(world):
    return make_set(world)
