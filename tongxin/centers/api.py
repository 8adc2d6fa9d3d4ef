"""/api/v1/centers: the centre directory, bookings and the social organization registry."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view

from tongxin.accounts.scope import request_user
from tongxin.centers import selectors, services
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import request_scope
from tongxin.geo.models import Area
from tongxin.orgs.selectors import get_org_for

router = Router(tags=["党群服务中心"])


class CenterOut(Schema):
    """The public directory entry: the centre's own telephone as is, a contact person's
    mobile masked."""

    id: int
    name: str
    level: str
    area_id: int
    address: str
    latitude: float | None = None
    longitude: float | None = None
    opening_hours: dict[str, list[list[str]]]
    closed_dates: list[dict[str, str]]
    services: str
    phone: str
    contact_name: str
    contact_phone: str = Field(..., alias="contact_phone_masked")


class CenterPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CenterOut]


class CenterPageQuery(PageQuery):
    q: str = Field("", max_length=50)


class CenterListQuery(CenterPageQuery):
    level: str = ""
    managed: bool = False


@router.get("/", response=CenterPage, summary="党群服务中心名录（分页）")
@decorate_view(reads_from_replica())
def center_list(request: HttpRequest, query: Query[CenterListQuery]):
    scope = request_scope(request)
    managed = query.managed and scope.has("centers.manage")  # as the page: ignored without it
    qs = selectors.center_list(scope, text=query.q, level=query.level, managed=managed)
    return api_page(qs, query.page)


@router.get("/{center_id}", response=CenterOut, summary="党群服务中心详情（联系人手机已脱敏）")
def center_detail(request: HttpRequest, center_id: int):
    return selectors.get_center(center_id)


class CenterIn(Schema):
    name: str = Field(..., max_length=200)
    level: Literal["district", "street", "community"]
    org_id: int
    area_id: int
    address: str = Field("", max_length=200)
    latitude: float | None = None
    longitude: float | None = None
    opening_hours: dict[str, list[list[str]]] = {}
    closed_dates: list[dict[str, str]] = []
    services: str = Field("", max_length=2000)
    contact_name: str = Field("", max_length=50)
    phone: str = Field("", max_length=20)
    contact_phone: str = Field("", max_length=20)


@router.post("/", response={201: CenterOut}, summary="登记党群服务中心")
def center_create(request: HttpRequest, payload: CenterIn):
    scope = request_scope(request)
    data = payload.dict()
    org = get_org_for(scope, data.pop("org_id"), "centers.manage")
    area = Area.objects.filter(pk=data.pop("area_id")).first()
    if area is None:
        raise ServiceError(
            gettext("所在区域不存在，请重新选择。"),
            fields={"area_id": gettext("请重新选择所在区域。")},
        )
    try:
        center = services.center_create(
            scope=scope, actor=request_user(request), org=org, area=area, **data
        )
    except ServiceError as e:
        e.fields = {_API_FIELDS.get(k, k): v for k, v in e.fields.items()}
        raise
    return Status(201, center)


# The service names the model's fields; the API's payload names the ids.
_API_FIELDS = {"org": "org_id", "area": "area_id", "guiding_org": "guiding_org_id"}


class BookingIn(Schema):
    room_id: int | None = None
    item_id: int | None = None
    purpose: str = Field(..., max_length=200)
    start: dt.datetime
    end: dt.datetime


class BookingOut(Schema):
    id: int
    center_id: int
    room_id: int | None = None
    item_id: int | None = None
    purpose: str
    start: dt.datetime
    end: dt.datetime
    status: str


@router.post("/{center_id}/bookings", response={201: BookingOut}, summary="预约场地或服务")
def booking_create(request: HttpRequest, center_id: int, payload: BookingIn):
    center = selectors.get_center(center_id)
    room = selectors.get_room(center, payload.room_id) if payload.room_id else None
    item = selectors.get_item(center, payload.item_id) if payload.item_id else None
    booking = services.booking_create(
        scope=request_scope(request),
        actor=request_user(request),
        center=center,
        room=room,
        item=item,
        purpose=payload.purpose,
        start=payload.start,
        end=payload.end,
    )
    return Status(201, booking)


@router.get("/{center_id}/bookings", response=list[BookingOut], summary="中心近期预约（管理）")
def center_bookings(request: HttpRequest, center_id: int):
    center = selectors.get_center_for(request_scope(request), center_id)
    return list(selectors.center_bookings(center)[:200])


@router.get("/bookings/mine", response=list[BookingOut], summary="我的预约")
def my_bookings(request: HttpRequest):
    return list(selectors.my_bookings(request_user(request))[:100])


@router.post("/bookings/{booking_id}/cancel", response=BookingOut, summary="取消我的预约")
def booking_cancel(request: HttpRequest, booking_id: int):
    booking = selectors.get_my_booking(request_user(request), booking_id)
    return services.booking_cancel(
        scope=request_scope(request), actor=request_user(request), booking=booking
    )


# --- social organizations --------------------------------------------------------------


class SocialOrgOut(Schema):
    id: int
    name: str
    credit_code: str
    kind: str
    area_id: int
    guiding_org_id: int | None = None
    guiding_rule: str
    services: str


class SocialOrgPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[SocialOrgOut]


class SocialOrgIn(Schema):
    name: str = Field(..., max_length=200)
    credit_code: str = Field("", max_length=30)
    kind: Literal["social_group", "service_agency", "foundation", "community"]
    area_id: int
    guiding_org_id: int | None = None
    services: str = Field("", max_length=300)


@router.get("/social-orgs/", response=SocialOrgPage, summary="社会组织名录（分页）")
@decorate_view(reads_from_replica())
def social_list(request: HttpRequest, query: Query[CenterPageQuery]):
    scope = request_scope(request)
    return api_page(selectors.social_org_list(scope, text=query.q), query.page)


@router.get("/social-orgs/{so_id}", response=SocialOrgOut, summary="社会组织详情")
def social_detail(request: HttpRequest, so_id: int):
    return selectors.get_social_org_for(request_scope(request), so_id)


@router.post(
    "/social-orgs/",
    response={201: SocialOrgOut},
    summary="登记社会组织（默认按属地为主、行业为辅、区域兜底确定指导党组织）",
)
def social_create(request: HttpRequest, payload: SocialOrgIn):
    scope = request_scope(request)
    if not scope.has("orgs.manage"):
        raise Http404
    area = selectors.social_org_area_choices(scope).filter(pk=payload.area_id).first()
    if area is None:
        raise ServiceError(
            gettext("所在区域不在您的管辖范围内，请重新选择。"),
            fields={"area_id": gettext("请重新选择所在区域。")},
        )
    guiding = (
        get_org_for(scope, payload.guiding_org_id, "orgs.manage")
        if payload.guiding_org_id
        else None
    )
    so = services.social_org_create(
        scope=request_scope(request),
        actor=request_user(request),
        name=payload.name,
        kind=payload.kind,
        area=area,
        credit_code=payload.credit_code,
        guiding_org=guiding,
        services=payload.services,
    )
    return Status(201, so)
