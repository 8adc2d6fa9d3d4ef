"""/api/v1/points: 锋领指数. The member's own score and ledger, a member's ledger for staff
(404 outside reach), a branch's ranking, and the approvals queue with its decisions; and
民主评议党员: the reviews in reach, opening one, the committee's proposal and the 党员大会's
decision (staff holding members.manage over the branch), and the member's own self-assessment
and ballot (members of the branch only; a ballot goes into the tally, never stored as such)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import request_scope
from tongxin.members.selectors import get_member_for, own_member
from tongxin.orgs.selectors import get_org_for
from tongxin.points import selectors, services
from tongxin.points.closing import Standing
from tongxin.points.models import MemberReview, PointEntry
from tongxin.points.scores import parse_month, today_month

router = Router(tags=["锋领指数"])


class StandingOut(Schema):
    member_id: int
    name: str
    score: Decimal
    base: Decimal
    earned: Decimal
    month: Decimal
    tier: str
    rank: int
    size: int


class PointsCategoryOut(Schema):
    category: str
    points: Decimal


class MyPointsOut(Schema):
    year: int
    month: str
    standing: StandingOut
    categories: list[PointsCategoryOut]
    pending_claims: int


class EntryOut(Schema):
    id: int
    on: dt.date
    period: dt.date
    late_for: dt.date | None
    category: str
    kind: str
    rule_code: str | None
    requested: Decimal
    granted: Decimal
    cap_note: str
    source_key: str
    source_note: str
    reverses_id: int | None


class EntryPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[EntryOut]


class RankingQuery(Schema):
    org_id: int = Field(..., ge=1, le=2**63 - 1)
    month: str = Field("", max_length=7, description="YYYY-MM，默认本月")


class AwardOut(Schema):
    id: int
    member_id: int
    member_name: str
    rule_code: str
    points: Decimal
    on: dt.date
    reason: str
    is_claim: bool
    state: str


class AwardPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[AwardOut]


class AwardDecisionIn(Schema):
    note: str = Field("", max_length=200)


class ApprovedOut(Schema):
    entry_id: int
    granted: Decimal
    cap_note: str


def _standing(s: Standing) -> dict[str, object]:
    return {
        "member_id": s.member_id,
        "name": s.name,
        "score": s.score,
        "base": s.base,
        "earned": s.earned,
        "month": s.month,
        "tier": s.tier,
        "rank": s.rank,
        "size": s.size,
    }


def _entry(e: PointEntry) -> dict[str, object]:
    return {
        **{k: getattr(e, k) for k in EntryOut.model_fields if k != "rule_code"},
        "rule_code": e.rule.code if e.rule is not None else None,
    }


def _month(text: str) -> dt.date:
    if not text:
        return today_month()
    month = parse_month(text)
    if month is None:
        msg = gettext("月份格式应为YYYY-MM，例如 2026-11。")
        raise ServiceError(msg, fields={"month": msg})
    return month


@router.get(
    "/mine", response=MyPointsOut, summary="我的锋领指数（本人：积分、分类、支部排名、等次）"
)
def my_points(request: HttpRequest):
    member = own_member(request.user)
    if member is None:
        raise Http404(gettext("您的账号尚未关联党员信息。"))
    mine = selectors.my_points(member)
    return {
        "year": mine.year,
        "month": f"{mine.month:%Y-%m}",
        "standing": _standing(mine.standing),
        "categories": [{"category": c, "points": v} for c, v in mine.standing.by_category.items()],
        "pending_claims": mine.pending,
    }


@router.get("/mine/entries", response=EntryPage, summary="我的积分明细（本人，今年）")
def my_entries(request: HttpRequest, query: Query[PageQuery]):
    member = own_member(request.user)
    if member is None:
        raise Http404(gettext("您的账号尚未关联党员信息。"))
    page = api_page(selectors.member_entries(member, today_month().year), query.page)
    page["results"] = [_entry(e) for e in page["results"]]
    return page


@router.get("/members/{member_id}/entries", response=EntryPage, summary="党员的积分明细（今年）")
def member_entries(request: HttpRequest, member_id: int, query: Query[PageQuery]):
    member = get_member_for(request_scope(request), member_id, "members.view")
    page = api_page(selectors.member_entries(member, today_month().year), query.page)
    page["results"] = [_entry(e) for e in page["results"]]
    return page


@router.get("/rankings", response=list[StandingOut], summary="支部排名（年度累计积分、等次）")
def ranking(request: HttpRequest, query: Query[RankingQuery]):
    org = get_org_for(request_scope(request), query.org_id, "members.view")
    return [_standing(s) for s in selectors.branch_ranking(org, _month(query.month))]


@router.get("/awards", response=AwardPage, summary="待审批的积分申报")
def awards(request: HttpRequest, query: Query[PageQuery]):
    page = api_page(selectors.pending_awards(request_scope(request)), query.page)
    page["results"] = [
        {
            "id": a.pk,
            "member_id": a.member_id,
            "member_name": a.member.name,
            "rule_code": a.rule.code,
            "points": a.rule.points,
            "on": a.on,
            "reason": a.reason,
            "is_claim": a.is_claim,
            "state": a.state,
        }
        for a in page["results"]
    ]
    return page


@router.post(
    "/awards/{award_id}/approve",
    response=ApprovedOut,
    summary="批准积分申报（须为该党员所在党组织的书记、副书记或上级党组织；不能批准自己的提名）",
)
def award_approve(request: HttpRequest, award_id: int, payload: AwardDecisionIn):
    scope = request_scope(request)
    award = selectors.get_award_for(scope, award_id)
    entry = services.award_approve(
        actor=request_user(request), scope=scope, award=award, note=payload.note
    )
    return {"entry_id": entry.pk, "granted": entry.granted, "cap_note": entry.cap_note}


@router.post("/awards/{award_id}/reject", response=AwardOut, summary="退回积分申报（须写明理由）")
def award_reject(request: HttpRequest, award_id: int, payload: AwardDecisionIn):
    scope = request_scope(request)
    award = selectors.get_award_for(scope, award_id)
    a = services.award_reject(
        actor=request_user(request), scope=scope, award=award, note=payload.note
    )
    return {
        "id": a.pk,
        "member_id": a.member_id,
        "member_name": award.member.name,
        "rule_code": award.rule.code,
        "points": award.rule.points,
        "on": a.on,
        "reason": a.reason,
        "is_claim": a.is_claim,
        "state": a.state,
    }


# --- 民主评议党员 ---

MANAGE = "members.manage"


class MemberReviewOut(Schema):
    id: int
    org_id: int
    org_name: str
    year: int
    state: str
    decided_on: dt.date | None


class MemberReviewPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MemberReviewOut]


class MemberReviewOpenIn(Schema):
    org_id: int = Field(..., ge=1, le=2**63 - 1)
    year: int = Field(..., ge=1, le=9999)


class MemberReviewRowOut(Schema):
    member_id: int
    name: str
    self_assessment: str
    tally: dict[str, int] = Field(description="互评票数：等次 → 票数（不含单张选票）")
    proposed: str
    final: str
    reason: str
    follow_up: str
    points_score: Decimal | None = Field(
        description="年度锋领指数：支委会提出意见时记录的分数；提出意见前为当前累计分数"
    )


class MemberReviewDetailOut(MemberReviewOut):
    ballots: int
    rows: list[MemberReviewRowOut]


class MemberReviewGradeIn(Schema):
    member_id: int = Field(..., ge=1, le=2**63 - 1)
    grade: str = Field(
        ..., max_length=12, description="excellent / qualified / basic / unqualified"
    )
    reason: str = Field("", max_length=300)
    follow_up: str = Field("", max_length=300)


class MemberReviewProposalIn(Schema):
    grades: list[MemberReviewGradeIn] = Field(..., max_length=2000)


class MemberReviewChangeIn(Schema):
    member_id: int = Field(..., ge=1, le=2**63 - 1)
    grade: str = Field(..., max_length=12)


class MemberReviewDecisionIn(Schema):
    decided_on: dt.date
    changes: list[MemberReviewChangeIn] = Field(default_factory=list, max_length=2000)


class MemberReviewPeerOut(Schema):
    member_id: int
    name: str


class MemberReviewMineOut(MemberReviewOut):
    assessed: bool
    voted: bool
    others: list[MemberReviewPeerOut]


class MemberReviewSelfIn(Schema):
    text: str = Field(..., max_length=4000)


class MemberReviewMarkIn(Schema):
    member_id: int = Field(..., ge=1, le=2**63 - 1)
    grade: str = Field(..., max_length=12)


class MemberReviewBallotIn(Schema):
    grades: list[MemberReviewMarkIn] = Field(..., max_length=2000)


class MemberReviewDoneOut(Schema):
    review_id: int
    graded: int = Field(description="本张选票评了几名党员（自评时为0）")


def _review(r: MemberReview) -> dict[str, object]:
    return {
        "id": r.pk,
        "org_id": r.org_id,
        "org_name": r.org.name,
        "year": r.year,
        "state": r.state,
        "decided_on": r.decided_on,
    }


def _review_detail(r: MemberReview) -> dict[str, object]:
    rows = []
    for row in selectors.review_rows(r):
        g = row.grade
        rows.append(
            {
                "member_id": row.member.pk,
                "name": row.member.name,
                "self_assessment": row.self_text,
                "tally": row.tally,
                "proposed": g.proposed if g else "",
                "final": g.final if g else "",
                "reason": g.reason if g else "",
                "follow_up": g.follow_up if g else "",
                "points_score": row.points,
            }
        )
    return {**_review(r), "ballots": selectors.review_votes(r), "rows": rows}


def _once_each(ids: list[int], field: str) -> None:
    """A list naming the same member twice is refused (a dict would keep only the last)."""
    if len(set(ids)) != len(ids):
        msg = gettext("同一名党员只能出现一次。")
        raise ServiceError(msg, fields={field: msg})


@router.get("/reviews", response=MemberReviewPage, summary="民主评议党员（管辖范围内的支部）")
def reviews(request: HttpRequest, query: Query[PageQuery]):
    qs = selectors.review_queryset(request_scope(request)).select_related("org")
    page = api_page(qs, query.page)
    page["results"] = [_review(r) for r in page["results"]]
    return page


@router.post("/reviews", response={201: MemberReviewOut}, summary="开始一个支部的年度民主评议党员")
def review_open(request: HttpRequest, payload: MemberReviewOpenIn):
    scope = request_scope(request)
    org = get_org_for(scope, payload.org_id, MANAGE)
    r = services.review_open(actor=request_user(request), scope=scope, org=org, year=payload.year)
    return Status(201, _review(r))


@router.get(
    "/reviews/mine",
    response=MemberReviewMineOut,
    summary="我的民主评议（本人所在支部正在进行的评议：自评、互评）",
)
def my_review(request: HttpRequest):
    member = own_member(request.user)
    r = selectors.own_review(member) if member is not None else None
    if r is None or member is None:
        raise Http404(gettext("您所在的支部目前没有进行中的民主评议。"))
    return {
        **_review(r),
        "assessed": selectors.has_assessed(r, member),
        "voted": selectors.has_voted(r, member),
        "others": [
            {"member_id": row.member.pk, "name": row.member.name}
            for row in selectors.review_rows(r)
            if row.member.pk != member.pk
        ],
    }


@router.get(
    "/reviews/{review_id}",
    response=MemberReviewDetailOut,
    summary="民主评议详情：自评、互评票数（只有合计）、支委会意见与党员大会决定",
)
def review_detail(request: HttpRequest, review_id: int):
    return _review_detail(selectors.get_review_for(request_scope(request), review_id))


@router.post(
    "/reviews/{review_id}/self",
    response={201: MemberReviewDoneOut},
    summary="提交个人自评（本支部党员本人，一次）",
)
def review_self(request: HttpRequest, review_id: int, payload: MemberReviewSelfIn):
    user = request_user(request)
    r = selectors.get_own_review_for(own_member(user), review_id)
    services.review_self_assess(actor=user, review=r, text=payload.text)
    return Status(201, {"review_id": r.pk, "graded": 0})


@router.post(
    "/reviews/{review_id}/ballot",
    response={201: MemberReviewDoneOut},
    summary="互评投票（本支部党员本人，一次；只计入票数）",
)
def review_ballot(request: HttpRequest, review_id: int, payload: MemberReviewBallotIn):
    user = request_user(request)
    r = selectors.get_own_review_for(own_member(user), review_id)
    _once_each([m.member_id for m in payload.grades], "grades")
    n = services.review_ballot(
        actor=user, review=r, grades={m.member_id: m.grade for m in payload.grades}
    )
    return Status(201, {"review_id": r.pk, "graded": n})


@router.post(
    "/reviews/{review_id}/proposal",
    response=MemberReviewDetailOut,
    summary="支委会提出等次意见（附年度锋领指数；优秀不超过三分之一）",
)
def review_propose(request: HttpRequest, review_id: int, payload: MemberReviewProposalIn):
    scope = request_scope(request)
    r = selectors.get_review_for(scope, review_id, MANAGE)
    _once_each([g.member_id for g in payload.grades], "grades")
    services.review_propose(
        actor=request_user(request),
        scope=scope,
        review=r,
        grades={g.member_id: (g.grade, g.reason, g.follow_up) for g in payload.grades},
    )
    return _review_detail(r)


@router.post(
    "/reviews/{review_id}/decision",
    response=MemberReviewDetailOut,
    summary="记录党员大会的决定（可改变个别等次，规则同上）",
)
def review_decide(request: HttpRequest, review_id: int, payload: MemberReviewDecisionIn):
    scope = request_scope(request)
    r = selectors.get_review_for(scope, review_id, MANAGE)
    _once_each([c.member_id for c in payload.changes], "changes")
    services.review_decide(
        actor=request_user(request),
        scope=scope,
        review=r,
        decided_on=payload.decided_on,
        changes={c.member_id: c.grade for c in payload.changes},
    )
    return _review_detail(r)
