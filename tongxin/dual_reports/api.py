"""/api/v1/dual-reports: 双报到. The same services as the pages; every read through a Scope."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import request_scope
from tongxin.dual_reports import selectors, services
from tongxin.members.selectors import get_member_for
from tongxin.orgs.selectors import get_org_for

router = Router(tags=["双报到"])


class DualReportOut(Schema):
    id: int
    member_id: int
    member_name: str = Field(..., alias="member.name")
    org_name: str = Field(..., alias="member.org.name")
    community_id: int
    community_name: str = Field(..., alias="community.name")
    status: str
    reported_on: dt.date
    accepted_on: dt.date | None = None
    service_post: str
    note: str
    total_minutes: int


class DualReportPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[DualReportOut]


class DualReportIn(Schema):
    member_id: int
    community_id: int
    reported_on: dt.date | None = None
    note: str = Field("", max_length=200)


class AcceptIn(Schema):
    service_post: str = Field(..., max_length=100)


class NoteIn(Schema):
    note: str = Field("", max_length=200)


class HoursIn(Schema):
    served_on: dt.date
    minutes: int
    note: str = Field("", max_length=200)


class MemberHoursOut(Schema):
    id: int
    served_on: dt.date
    minutes: int
    note: str
    source: str


class DualQuery(PageQuery):
    tab: Literal["members", "community"] = "members"
    org_id: int | None = None


@router.get("/", response=DualReportPage, summary="双报到列表（含服务时长）")
def dual_list(request: HttpRequest, query: Query[DualQuery]):
    scope = request_scope(request)
    org = get_org_for(scope, query.org_id) if query.org_id else None
    return api_page(selectors.dual_report_list(scope, query.tab, org), query.page)


@router.post("/", response={201: DualReportOut}, summary="登记双报到")
def dual_create(request: HttpRequest, payload: DualReportIn):
    scope = request_scope(request)
    member = get_member_for(scope, payload.member_id, "members.manage")
    community = selectors.community_choices().filter(pk=payload.community_id).first()
    r = services.dual_report_create(
        actor=request_user(request),
        scope=scope,
        member=member,
        community=community,
        reported_on=payload.reported_on,
        note=payload.note,
    )
    return Status(201, selectors.get_dual_report_for(scope, r.pk))


class OwnReportIn(Schema):
    community_id: int
    note: str = Field("", max_length=200)


@router.get("/mine", response=DualReportPage, summary="我的双报到（本人，含服务时长）")
def dual_mine(request: HttpRequest, query: Query[PageQuery]):
    qs = selectors.own_dual_reports(request.user).select_related("member__org")
    return api_page(qs, query.page)


@router.post(
    "/mine",
    response={201: DualReportOut},
    summary="本人向居住地社区报到（一名党员同时只能有一条未结束的报到）",
)
def dual_file_own(request: HttpRequest, payload: OwnReportIn):
    community = selectors.community_choices().filter(pk=payload.community_id).first()
    try:
        r = services.dual_report_file_own(
            actor=request_user(request), community=community, note=payload.note
        )
    except ServiceError as e:
        e.fields = {"community_id" if k == "community" else k: v for k, v in e.fields.items()}
        raise
    return Status(201, selectors.get_own_dual_report(request.user, r.pk))


@router.get("/{report_id}", response=DualReportOut, summary="双报到详情")
def dual_detail(request: HttpRequest, report_id: int):
    return selectors.get_dual_report_for(request_scope(request), report_id)


@router.post("/{report_id}/accept", response=DualReportOut, summary="社区接收并安排岗位")
def dual_accept(request: HttpRequest, report_id: int, payload: AcceptIn):
    scope = request_scope(request)
    r = selectors.get_dual_report_for(scope, report_id)
    services.dual_report_accept(
        actor=request_user(request), scope=scope, report=r, service_post=payload.service_post
    )
    return selectors.get_dual_report_for(scope, r.pk)


@router.post("/{report_id}/decline", response=DualReportOut, summary="社区不接收")
def dual_decline(request: HttpRequest, report_id: int, payload: NoteIn):
    scope = request_scope(request)
    r = selectors.get_dual_report_for(scope, report_id)
    services.dual_report_decline(
        actor=request_user(request), scope=scope, report=r, note=payload.note
    )
    return selectors.get_dual_report_for(scope, r.pk)


@router.post("/{report_id}/end", response=DualReportOut, summary="结束双报到")
def dual_end(request: HttpRequest, report_id: int, payload: NoteIn):
    scope = request_scope(request)
    r = selectors.get_dual_report_for(scope, report_id)
    services.dual_report_end(actor=request_user(request), scope=scope, report=r, note=payload.note)
    return selectors.get_dual_report_for(scope, r.pk)


@router.post(
    "/{report_id}/hours",
    response={201: MemberHoursOut},
    summary="登记服务时长（分钟）",
)
def dual_hours(request: HttpRequest, report_id: int, payload: HoursIn):
    scope = request_scope(request)
    r = selectors.get_dual_report_for(scope, report_id, "community")
    h = services.dual_report_hours_log(
        actor=request_user(request),
        scope=scope,
        dual_report=r,
        served_on=payload.served_on,
        minutes=payload.minutes,
        note=payload.note,
    )
    return Status(201, h)
