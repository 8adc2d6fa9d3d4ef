"""共享小区 API: the same selectors and services as the pages. Residents act on their own
board; staff with sharing.moderate list and review the listings in their reach."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from tongxin.accounts.scope import request_user
from tongxin.accounts.selectors import api_resident
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import request_scope
from tongxin.sharing import selectors, services
from tongxin.sharing.models import Match

NO_RESIDENT = gettext_lazy("您的账号还没有居民档案，不能使用共享小区。")


router = Router(tags=["共享小区"])


class ListingOut(Schema):
    id: int
    direction: str
    kind: str
    title: str
    body: str
    visibility: str
    status: str
    compound: str = Field(..., alias="compound.name")
    available_from: dt.date
    available_until: dt.date | None = None
    contact_masked: bool
    created_at: dt.datetime


class ListingCreated(ListingOut):
    notice: str = ""


class SuggestionOut(ListingOut):
    proximity: int
    similarity: int


class ListingPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ListingOut]


class ListingIn(Schema):
    direction: Literal["need", "offer"]
    kind: Literal["idle_goods", "childcare", "elder_care", "skill", "tool", "other"]
    title: str = Field(..., max_length=200)
    body: str = Field("", max_length=2000)
    visibility: Literal["compound", "community", "street"] = "compound"
    available_from: dt.date | None = None
    available_until: dt.date | None = None


class BoardQuery(PageQuery):
    kind: str = ""
    direction: str = ""
    status: str = ""


class MatchOut(Schema):
    id: int
    status: str
    need_id: int
    offer_id: int
    need_title: str = Field(..., alias="need.title")
    offer_title: str = Field(..., alias="offer.title")
    need_confirmed: bool
    offer_confirmed: bool
    need_rating: int | None = None
    offer_rating: int | None = None

    @staticmethod
    def resolve_need_confirmed(obj: Match) -> bool:
        return obj.need_confirmed_at is not None

    @staticmethod
    def resolve_offer_confirmed(obj: Match) -> bool:
        return obj.offer_confirmed_at is not None


class ProposeIn(Schema):
    listing_id: int
    other_id: int


class FeedbackIn(Schema):
    rating: int
    feedback: str = Field("", max_length=300)


class ReportIn(Schema):
    reason: str = Field(..., max_length=500)


class ReviewIn(Schema):
    decision: Literal["restore", "remove"]


class ContactOut(Schema):
    name: str
    phone: str


@router.get("/listings", response=ListingPage, summary="本小区的共享信息（居民）")
def listing_board(request: HttpRequest, query: Query[BoardQuery]):
    resident = api_resident(request, NO_RESIDENT)
    qs = selectors.board(selectors.place_of(resident), kind=query.kind, direction=query.direction)
    return api_page(qs, query.page)


@router.post(
    "/listings", response={201: ListingCreated}, summary="发布需求或服务（联系方式自动隐藏）"
)
def listing_create(request: HttpRequest, payload: ListingIn):
    resident = api_resident(request, NO_RESIDENT)
    listing, masked = services.listing_create(
        actor=request_user(request), resident=resident, data=services.ListingInput(**payload.dict())
    )
    out = ListingCreated.from_orm(listing)
    out.notice = services.contact_notice() if masked else ""
    return Status(201, out)


@router.get("/listings/mine", response=ListingPage, summary="我发布的信息")
def listing_mine(request: HttpRequest, page: int = 1):
    return api_page(selectors.my_listings(api_resident(request, NO_RESIDENT)), max(page, 1))


@router.get("/listings/{listing_id}", response=ListingOut, summary="共享信息详情")
def listing_detail(request: HttpRequest, listing_id: int):
    resident = api_resident(request, NO_RESIDENT)
    return selectors.get_listing_for_resident(resident, selectors.place_of(resident), listing_id)


def _own_listing(request: HttpRequest, listing_id: int):
    resident = api_resident(request, NO_RESIDENT)
    listing = selectors.get_listing_for_resident(resident, selectors.place_of(resident), listing_id)
    if listing.resident_id != resident.pk:
        raise Http404
    return resident, listing


@router.get(
    "/listings/{listing_id}/suggestions",
    response=list[SuggestionOut],
    summary="为本人的信息推荐可对接的邻居",
)
def listing_suggestions(request: HttpRequest, listing_id: int):
    _, listing = _own_listing(request, listing_id)
    return list(selectors.suggestions(listing))


@router.post("/listings/{listing_id}/withdraw", response=ListingOut, summary="撤回本人的信息")
def listing_withdraw(request: HttpRequest, listing_id: int):
    resident, listing = _own_listing(request, listing_id)
    return services.listing_withdraw(
        actor=request_user(request), resident=resident, listing=listing
    )


@router.post(
    "/listings/{listing_id}/report", response={201: None}, summary="举报（3人举报后隐藏待审）"
)
def listing_report(request: HttpRequest, listing_id: int, payload: ReportIn):
    resident = api_resident(request, NO_RESIDENT)
    listing = selectors.get_listing_for_resident(resident, selectors.place_of(resident), listing_id)
    services.listing_report(
        actor=request_user(request), resident=resident, listing=listing, reason=payload.reason
    )
    return Status(201, None)


@router.get("/matches", response=list[MatchOut], summary="我的对接")
def match_list(request: HttpRequest):
    return list(selectors.my_matches(api_resident(request, NO_RESIDENT))[:100])


@router.post("/matches", response={201: MatchOut}, summary="发起对接（本人的信息与推荐的信息）")
def match_propose(request: HttpRequest, payload: ProposeIn):
    resident = api_resident(request, NO_RESIDENT)
    place = selectors.place_of(resident)
    mine = selectors.get_listing_for_resident(resident, place, payload.listing_id)
    other = selectors.get_listing_for_resident(resident, place, payload.other_id)
    return Status(
        201,
        services.match_propose(
            actor=request_user(request), resident=resident, mine=mine, other=other
        ),
    )


@router.get("/matches/{match_id}", response=MatchOut, summary="对接详情（仅双方）")
def match_detail(request: HttpRequest, match_id: int):
    return selectors.get_match_for_resident(api_resident(request, NO_RESIDENT), match_id)


def _step(request: HttpRequest, match_id: int, step) -> Match:
    resident = api_resident(request, NO_RESIDENT)
    m = selectors.get_match_for_resident(resident, match_id)
    return step(actor=request_user(request), resident=resident, match=m)


@router.post("/matches/{match_id}/confirm", response=MatchOut, summary="确认对接（仅对接双方）")
def match_confirm(request: HttpRequest, match_id: int):
    return _step(request, match_id, services.match_confirm)


@router.post("/matches/{match_id}/cancel", response=MatchOut, summary="取消尚未确认的对接")
def match_cancel(request: HttpRequest, match_id: int):
    return _step(request, match_id, services.match_cancel)


@router.post("/matches/{match_id}/complete", response=MatchOut, summary="标记对接已完成")
def match_complete(request: HttpRequest, match_id: int):
    return _step(request, match_id, services.match_complete)


@router.post(
    "/matches/{match_id}/feedback", response=MatchOut, summary="评价（第一条评价结束对接）"
)
def match_feedback(request: HttpRequest, match_id: int, payload: FeedbackIn):
    resident = api_resident(request, NO_RESIDENT)
    m = selectors.get_match_for_resident(resident, match_id)
    return services.match_feedback(
        actor=request_user(request),
        resident=resident,
        match=m,
        rating=payload.rating,
        feedback=payload.feedback,
    )


@router.post(
    "/matches/{match_id}/contact",
    response=ContactOut,
    summary="查看对方联系方式（双方确认后，留痕）",
)
def match_contact(request: HttpRequest, match_id: int):
    resident = api_resident(request, NO_RESIDENT)
    m = selectors.get_match_for_resident(resident, match_id)
    name, phone = services.match_reveal_contact(
        actor=request_user(request), resident=resident, match=m
    )
    return {"name": name, "phone": phone}


# ---- staff --------------------------------------------------------------------------------


@router.get("/board", response=ListingPage, summary="辖区内的共享信息（工作人员）")
def staff_board(request: HttpRequest, query: Query[BoardQuery]):
    scope = request_scope(request)
    if not scope.has(selectors.MODERATE):
        raise Http404
    return api_page(selectors.staff_board(scope, status=query.status, kind=query.kind), query.page)


@router.post("/board/{listing_id}/review", response=ListingOut, summary="审核被举报的信息")
def staff_review(request: HttpRequest, listing_id: int, payload: ReviewIn):
    scope = request_scope(request)
    listing = selectors.get_listing_for_staff(scope, listing_id)
    return services.listing_review(
        scope=scope, actor=request_user(request), listing=listing, decision=payload.decision
    )
