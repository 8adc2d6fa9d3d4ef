"""/api/v1/points: 锋领指数. The member's own score and ledger, a member's ledger for staff
(404 outside reach), a branch's ranking, and the approvals queue with its decisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import request_scope
from tongxin.members.selectors import get_member_for, own_member
from tongxin.orgs.selectors import get_org_for
from tongxin.points import selectors, services
from tongxin.points.closing import Standing
from tongxin.points.models import PointEntry
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
    "/awards/{award_id}/approve", response=ApprovedOut, summary="批准积分申报（不能批准自己的提名）"
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
