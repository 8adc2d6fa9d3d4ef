"""/api/v1/appraisal: 千分制 indicator sets and quarterly assessments, 述职评议 sessions, their
results and the phone ballot; the same services and selectors as the pages."""

from __future__ import annotations

from decimal import Decimal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from tongxin.accounts.scope import request_user
from tongxin.appraisal import selectors
from tongxin.appraisal.services import assessment as asvc
from tongxin.appraisal.services import review as rsvc
from tongxin.core.errors import ForbiddenError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import Scope, request_scope

router = Router(tags=["考评"])


def _staff(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not (scope.is_superuser or scope.has(selectors.VIEW)):
        raise Http404
    return scope


class SetOut(Schema):
    id: int
    name: str
    year: int
    level: str
    org_id: int
    appeal_days: int
    published: bool


class SetPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SetOut]


class IndicatorOut(Schema):
    id: int
    parent_id: int | None
    name: str
    weight: Decimal
    check_method: str
    deduction_rule: str
    metric: str


class SetDetail(SetOut):
    indicators: list[IndicatorOut]
    leaf_total: Decimal


@router.get("/sets/", response=SetPage, summary="千分制考评标准")
def set_list(request: HttpRequest, query: Query[PageQuery]):
    return api_page(selectors.set_list(_staff(request)), query.page)


@router.get("/sets/{set_id}/", response=SetDetail, summary="考评标准及其指标")
def set_detail(request: HttpRequest, set_id: int):
    s = selectors.get_set_for(_staff(request), set_id)
    return {
        **{f: getattr(s, f) for f in SetOut.model_fields},
        "indicators": list(s.indicators.all()),
        "leaf_total": selectors.leaf_total(s),
    }


@router.post(
    "/sets/{set_id}/publish/", response=SetOut, summary="发布考评标准（末级指标合计须为1000分）"
)
def set_publish(request: HttpRequest, set_id: int):
    scope = _staff(request)
    s = selectors.get_set_for(scope, set_id)
    return asvc.indicator_set_publish(scope=scope, actor=request_user(request), indicator_set=s)


class ScoreOut(Schema):
    indicator_id: int
    name: str
    weight: Decimal
    self_score: Decimal | None
    assessor_score: Decimal | None
    metric: str
    metric_value: str


class AssessmentOut(Schema):
    id: int
    indicator_set_id: int
    org_id: int
    quarter: int
    status: str
    appeal_deadline: str | None
    final_total: Decimal | None
    scores: list[ScoreOut]


def _assessment_out(a: selectors.Assessment) -> dict[str, object]:
    rows = selectors.scores(a)
    wanted = {r.indicator.metric for r in rows if r.indicator.metric}
    figures = selectors.metrics([a.org], a.indicator_set.year, a.quarter, wanted)
    return {
        "id": a.pk,
        "indicator_set_id": a.indicator_set_id,
        "org_id": a.org_id,
        "quarter": a.quarter,
        "status": a.status,
        "appeal_deadline": a.appeal_deadline.isoformat() if a.appeal_deadline else None,
        "final_total": a.final_total,
        "scores": [
            {
                "indicator_id": r.indicator_id,
                "name": r.indicator.name,
                "weight": r.indicator.weight,
                "self_score": r.self_score,
                "assessor_score": r.assessor_score,
                "metric": r.indicator.metric,
                "metric_value": figures.get((a.org_id, r.indicator.metric), ""),
            }
            for r in rows
        ],
    }


@router.get("/assessments/{assessment_id}/", response=AssessmentOut, summary="季度考评")
def assessment_detail(request: HttpRequest, assessment_id: int):
    return _assessment_out(selectors.get_assessment_for(_staff(request), assessment_id))


class ScoresIn(Schema):
    scores: dict[int, Decimal]  # indicator id -> points, between 0 and the leaf's maximum
    notes: dict[int, str] = {}
    submit: bool = False  # self-score: submit to the upper level; assessor: open the appeal window


@router.post("/assessments/{assessment_id}/self-scores/", response=AssessmentOut, summary="自评")
def self_scores(request: HttpRequest, assessment_id: int, payload: ScoresIn):
    scope = _staff(request)
    a = selectors.get_assessment_for(scope, assessment_id)
    actor = request_user(request)
    asvc.self_score_save(
        scope=scope,
        actor=actor,
        assessment=a,
        scores=dict(payload.scores),
        notes={k: v[:500] for k, v in payload.notes.items()},
    )
    if payload.submit:
        asvc.self_score_submit(scope=scope, actor=actor, assessment=a)
    return _assessment_out(a)


@router.post(
    "/assessments/{assessment_id}/assessor-scores/", response=AssessmentOut, summary="上级考评"
)
def assessor_scores(request: HttpRequest, assessment_id: int, payload: ScoresIn):
    scope = _staff(request)
    a = selectors.get_assessment_for(scope, assessment_id)
    actor = request_user(request)
    asvc.assessor_score_save(
        scope=scope,
        actor=actor,
        assessment=a,
        scores=dict(payload.scores),
        notes={k: v[:500] for k, v in payload.notes.items()},
    )
    if payload.submit:
        asvc.assessment_assess(scope=scope, actor=actor, assessment=a)
    return _assessment_out(a)


class AppealIn(Schema):
    indicator_id: int
    reason: str = Field(..., max_length=500)


class AppealOut(Schema):
    id: int
    status: str
    reason: str


@router.post("/assessments/{assessment_id}/appeals/", response={201: AppealOut}, summary="申诉")
def appeal_create(request: HttpRequest, assessment_id: int, payload: AppealIn):
    scope = _staff(request)
    a = selectors.get_assessment_for(scope, assessment_id)
    appeal = asvc.appeal_file(
        scope=scope,
        actor=request_user(request),
        assessment=a,
        indicator_id=payload.indicator_id,
        reason=payload.reason,
    )
    return Status(201, appeal)


@router.post("/assessments/{assessment_id}/finalize/", response=AssessmentOut, summary="定分")
def assessment_finalize(request: HttpRequest, assessment_id: int):
    scope = _staff(request)
    a = selectors.get_assessment_for(scope, assessment_id)
    asvc.assessment_finalize(scope=scope, actor=request_user(request), assessment=a)
    return _assessment_out(a)


class ReviewOut(Schema):
    id: int
    title: str
    year: int
    kind: str
    org_id: int
    status: str


class ReviewPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ReviewOut]


@router.get("/reviews/", response=ReviewPage, summary="述职评议")
def review_list(request: HttpRequest, query: Query[PageQuery]):
    return api_page(selectors.review_list(_staff(request)), query.page)


class PoolResultOut(Schema):
    kind: str
    weight: int
    ballots: int
    paper: int
    score: float | None  # null below 5 ballots


class ResultOut(Schema):
    reporter_id: int
    name: str
    pools: list[PoolResultOut]
    score: float | None
    grade: str | None


@router.get("/reviews/{review_id}/results/", response=list[ResultOut], summary="评议结果")
def review_results(request: HttpRequest, review_id: int):
    session = selectors.get_review_for(_staff(request), review_id)
    return [
        {
            "reporter_id": r.reporter.pk,
            "name": r.reporter.name,
            "pools": [
                {
                    "kind": p.pool.kind,
                    "weight": p.pool.weight,
                    "ballots": p.ballots,
                    "paper": p.paper,
                    "score": p.score,
                }
                for p in r.pools
            ],
            "score": r.score,
            "grade": r.grade,
        }
        for r in selectors.results(session)
    ]


class BallotIn(Schema):
    reporter_id: int
    grade: str = Field(..., max_length=16)


class BallotOut(Schema):
    reporter_id: int
    grade: str
    origin: str


@router.post("/ballots/{token}/", response={201: BallotOut}, summary="扫码投票（评议人本人）")
def ballot_cast(request: HttpRequest, token: str, payload: BallotIn):
    """The phone ballot: the session's QR token and the signed-in rater; anyone outside the
    session's pools gets 404, like an unknown session."""
    reporter = selectors.reporter_by_token(token, payload.reporter_id)
    try:
        ballot = rsvc.ballot_cast(
            scope=request_scope(request),
            actor=request_user(request),
            session=reporter.session,
            reporter=reporter,
            grade=payload.grade,
        )
    except ForbiddenError:
        raise Http404 from None
    return Status(201, ballot)
