"""/api/v1/redmap: the sites (list, map points, one site), 打卡, group visits."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from tongxin.accounts.scope import request_user
from tongxin.core.inputs import LocalTime
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import request_scope
from tongxin.orgs.selectors import get_org_for
from tongxin.redmap import selectors, services
from tongxin.redmap.models import Route, SiteKind

router = Router(tags=["初心图谱"])


class RedSiteOut(Schema):
    id: int
    name: str
    kind: str
    address: str
    area_id: int
    latitude: float
    longitude: float
    radius_m: int
    capacity: int
    opening_hours: dict[str, list[list[str]]]
    story: str = ""


class RedSitePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[RedSiteOut]


class RedSiteQuery(PageQuery):
    district: int | None = Field(None, ge=1, le=2**31 - 1)
    kind: SiteKind | None = None
    q: str = Field("", max_length=50)


class MapPointOut(Schema):
    id: int
    name: str
    kind: str
    lat: float
    lng: float
    address: str


class RedCheckInIn(Schema):
    code: str = Field("", max_length=40)
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)
    accuracy: float | None = Field(None, ge=0, le=100000)


class RedCheckInOut(Schema):
    id: int
    site_id: int
    on: dt.date
    visit_id: int | None = None
    distance_m: int | None = None


class GroupVisitIn(Schema):
    site_id: int = Field(..., ge=1, le=2**31 - 1)
    branch_id: int = Field(..., ge=1, le=2**31 - 1)
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime
    people: int = Field(..., ge=1, le=100000)


class GroupVisitOut(Schema):
    id: int
    site_id: int
    branch_id: int
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime
    people: int
    status: str
    meeting_id: int | None = None


class GroupVisitPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[GroupVisitOut]


class RouteIn(Schema):
    name: str = Field(..., max_length=100)
    org_id: int = Field(..., ge=1, le=2**31 - 1)
    site_ids: list[int] = Field(..., max_length=30)
    description: str = Field("", max_length=2000)


class RouteOut(Schema):
    id: int
    name: str
    description: str
    org_id: int
    site_ids: list[int]


class RoutePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[RouteOut]


def _route_out(route: Route) -> dict[str, object]:
    return {
        "id": route.pk,
        "name": route.name,
        "description": route.description,
        "org_id": route.org_id,
        "site_ids": [s.site_id for s in route.stops.all()],  # prefetched, by position
    }


def _filters(query: RedSiteQuery) -> selectors.SiteFilters:
    return selectors.SiteFilters(
        district=query.district, kind=query.kind.value if query.kind else "", q=query.q
    )


@router.get("/sites/", response=RedSitePage, summary="红色基地（可按区县、类型筛选）")
def site_list(request: HttpRequest, query: Query[RedSiteQuery]):
    scope = request_scope(request)
    qs = selectors.site_queryset(scope, _filters(query)).order_by("area_path", "name", "id")
    return api_page(qs, query.page)


@router.get("/map/", response=list[MapPointOut], summary="地图标记（全部开放的红色基地）")
def map_points(request: HttpRequest, query: Query[RedSiteQuery]):
    return selectors.map_points(request_scope(request), _filters(query))


@router.get("/sites/{site_id}/", response=RedSiteOut, summary="红色基地详情")
def site_detail(request: HttpRequest, site_id: int):
    return selectors.get_site(request_scope(request), site_id)


@router.post(
    "/sites/{site_id}/check-in/", response={201: RedCheckInOut}, summary="打卡（党员本人）"
)
def checkin(request: HttpRequest, site_id: int, payload: RedCheckInIn):
    scope = request_scope(request)
    site = selectors.get_site(scope, site_id)
    row = services.checkin_record(
        scope=scope,
        actor=request_user(request),
        site=site,
        code=payload.code,
        latitude=payload.latitude,
        longitude=payload.longitude,
        accuracy=payload.accuracy,
    )
    return Status(201, row)


@router.get("/routes/", response=RoutePage, summary="初心之旅线路")
def route_list(request: HttpRequest, query: Query[PageQuery]):
    routes = selectors.route_list(request_scope(request)).prefetch_related("stops")
    out = api_page(routes, query.page)
    out["results"] = [_route_out(r) for r in out["results"]]
    return out


@router.post("/routes/", response={201: RouteOut}, summary="发布初心之旅线路（按参观顺序）")
def route_create(request: HttpRequest, payload: RouteIn):
    scope = request_scope(request)
    if not scope.has(selectors.PERM):
        raise Http404
    org = selectors.site_org_choices(scope).filter(pk=payload.org_id).first()
    if org is None:
        raise Http404
    sites = [selectors.get_site(scope, pk) for pk in payload.site_ids]
    route = services.route_create(
        scope=scope,
        actor=request_user(request),
        org=org,
        name=payload.name,
        sites=sites,
        description=payload.description,
    )
    return Status(201, _route_out(route))


@router.get("/visits/", response=GroupVisitPage, summary="集体参观预约（管辖范围内的党支部）")
def visit_list(request: HttpRequest, query: Query[PageQuery]):
    return api_page(
        selectors.visit_queryset(request_scope(request)).order_by("-date", "-id"), query.page
    )


@router.post("/visits/", response={201: GroupVisitOut}, summary="预约集体参观（计为主题党日）")
def visit_book(request: HttpRequest, payload: GroupVisitIn):
    scope = request_scope(request)
    branch = get_org_for(scope, payload.branch_id, "meetings.manage")
    site = selectors.get_site(scope, payload.site_id)
    visit = services.visit_book(
        scope=scope,
        actor=request_user(request),
        site=site,
        branch=branch,
        date=payload.date,
        start_time=payload.start_time,
        end_time=payload.end_time,
        people=payload.people,
    )
    return Status(201, visit)


@router.post("/visits/{visit_id}/cancel/", response=GroupVisitOut, summary="取消集体参观预约")
def visit_cancel(request: HttpRequest, visit_id: int):
    scope = request_scope(request)
    visit = selectors.get_visit_for(scope, visit_id)
    if not selectors.may_book_for(scope, visit.branch):
        raise Http404
    return services.visit_cancel(scope=scope, actor=request_user(request), visit=visit)
