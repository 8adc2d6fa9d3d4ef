from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ForbiddenError, ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import request_scope
from tongxin.members import selectors, services
from tongxin.members.models import Member
from tongxin.orgs.selectors import get_org_for

router = Router(tags=["党员"])


class MemberOut(Schema):
    """Personal data masked. The birth date is given as a year: with the masked ID number
    it would leave only two digits to guess."""

    id: int
    name: str
    gender: str
    ethnicity: str
    education: str
    status: str
    standing: str
    birth_year: int
    joined_on: dt.date
    confirmed_on: dt.date | None = None
    id_number: str = Field(..., alias="id_number_masked")
    phone: str = Field(..., alias="phone_masked")
    org_id: int
    org_name: str = Field(..., alias="org.name")
    is_floating: bool
    is_lost_contact: bool
    is_model_post: bool
    is_party_household: bool

    @staticmethod
    def resolve_birth_year(obj: Member) -> int:
        return obj.birth_date.year


class MemberPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MemberOut]


class MemberIn(Schema):
    name: str = Field(..., max_length=50)
    id_number: str = Field(..., max_length=30)
    education: Literal["primary", "junior", "senior", "college", "bachelor", "postgraduate"]
    joined_on: dt.date
    status: Literal["probationary", "full"]
    org_id: int
    ethnicity: str = Field("汉族", max_length=20)
    # On update, leave out (or null) to keep the stored number; "" removes it.
    phone: str | None = Field(None, max_length=20)
    confirmed_on: dt.date | None = None
    standing: Literal["normal", "reserved", "suspended"] = "normal"
    is_floating: bool = False
    floating_to: str = Field("", max_length=200)
    is_lost_contact: bool = False
    is_model_post: bool = False
    is_party_household: bool = False


class MemberListQuery(PageQuery):
    org_id: int | None = None
    status: str = ""
    sector: str = ""
    flag: list[str] = []
    q: str = ""


def _page(request: HttpRequest, query: MemberListQuery, *, posted: bool) -> dict:
    scope = request_scope(request)
    kind = selectors.pii_query_kind(query.q) if query.q else None
    if kind and not scope.has("members.reveal_pii"):
        raise ForbiddenError(
            str(selectors.PII_SEARCH_REFUSED), fields={"q": gettext("无权按号码查找。")}
        )
    if kind and not posted:
        raise ServiceError(
            gettext(
                "按身份证号码或手机号码查找请使用 POST /api/v1/members/search，号码不应出现在网址中。"
            ),
            fields={"q": gettext("请改用 POST /api/v1/members/search。")},
        )
    org = get_org_for(scope, query.org_id) if query.org_id else None
    qs = selectors.member_list(
        scope,
        selectors.MemberFilters(
            org=org, status=query.status, sector=query.sector, flags=query.flag, text=query.q
        ),
    )
    page = api_page(qs, query.page)
    if kind:
        services.member_pii_search_logged(
            actor=request_user(request), kind=kind, found=page["results"], scope=scope
        )
    return page


@router.get("/", response=MemberPage, summary="党员名册（分页、筛选；q 按姓名）")
@decorate_view(reads_from_replica())
def member_list(request: HttpRequest, query: Query[MemberListQuery]):
    return _page(request, query, posted=False)


@router.post(
    "/search",
    response=MemberPage,
    summary="按姓名、身份证号码或手机号码查找（号码查找须有查看权限，留痕）",
)
def member_search(request: HttpRequest, payload: MemberListQuery):
    return _page(request, payload, posted=True)


@router.get("/{member_id}", response=MemberOut, summary="党员详情（身份证号、手机号已脱敏）")
def member_detail(request: HttpRequest, member_id: int):
    return selectors.get_member_for(request_scope(request), member_id)


def _input(request: HttpRequest, payload: MemberIn, member: Member | None) -> services.MemberInput:
    scope = request_scope(request)
    data = payload.dict()
    org = get_org_for(scope, data.pop("org_id"), "members.manage")
    if member is not None and org.pk != member.org_id:
        raise ServiceError(
            gettext("组织关系变动请通过组织关系转接办理。"),
            fields={"org_id": gettext("不能直接修改所在党组织。")},
        )
    if data["phone"] is None:  # the API shows only masked numbers: absent means unchanged
        data["phone"] = member.reveal_phone() if member is not None else ""
    return services.MemberInput(
        org=org,
        residence=member.residence if member else None,
        work_unit=member.work_unit if member else None,
        **data,
    )


# Service field names that the API calls differently.
API_FIELD_NAMES = {"org": "org_id"}


def _api_fields(err: ServiceError) -> ServiceError:
    err.fields = {API_FIELD_NAMES.get(k, k): v for k, v in err.fields.items()}
    return err


@router.post("/", response={201: MemberOut}, summary="登记党员")
def member_create(request: HttpRequest, payload: MemberIn):
    try:
        member = services.member_create(
            actor=request_user(request),
            data=_input(request, payload, None),
            scope=request_scope(request),
        )
    except ServiceError as e:
        raise _api_fields(e) from None
    return Status(201, member)


@router.put("/{member_id}", response=MemberOut, summary="修改党员信息")
def member_update(request: HttpRequest, member_id: int, payload: MemberIn):
    member = selectors.get_member_for(request_scope(request), member_id, "members.manage")
    try:
        return services.member_update(
            actor=request_user(request),
            member=member,
            data=_input(request, payload, member),
            scope=request_scope(request),
        )
    except ServiceError as e:
        raise _api_fields(e) from None
