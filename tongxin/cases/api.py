from __future__ import annotations

import datetime as dt
from typing import Literal

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view

from tongxin.accounts.scope import request_user
from tongxin.cases import selectors, services
from tongxin.cases.models import Case
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery
from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import request_scope

router = Router(tags=["事件"])


class CategoryOut(Schema):
    code: str
    name: str
    deadline_class: str
    hours_normal: int
    hours_urgent: int


class CaseOut(Schema):
    """No reporter name or phone: the case page shows them to those who handle it."""

    id: int
    tracking_code: str
    title: str
    description: str
    category: str = Field(..., alias="category.code")
    category_name: str = Field(..., alias="category.name")
    area_id: int
    area_name: str = Field(..., alias="area.name")
    state: str
    priority: str
    source: str
    agency: str | None = None
    reported_at: dt.datetime
    deadline_at: dt.datetime
    overdue_level: int
    escalations: int
    rating: int | None = None
    light: str = ""

    @staticmethod
    def resolve_agency(obj: Case) -> str | None:
        return obj.agency.name if obj.agency_id and obj.agency else None

    @staticmethod
    def resolve_light(obj: Case) -> str:
        return selectors.light(obj, timezone.now())


class EventOut(Schema):
    kind: str
    at: dt.datetime
    actor: str | None = None
    from_state: str
    to_state: str
    note: str = Field(..., description="内部办理说明（工作人员和处置部门可见）")
    reply: str = Field("", description="答复居民（居民和 Open311 可见）")

    @staticmethod
    def resolve_actor(obj) -> str | None:
        return str(obj.actor) if obj.actor_id else None


class CaseDetailOut(CaseOut):
    events: list[EventOut]

    @staticmethod
    def resolve_events(obj: Case) -> list:
        # Set by case_detail from the reader's scope: a department reads the steps from the
        # dispatch to its agency on.
        return getattr(obj, "history", [])


class CasePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[CaseOut]


class CaseListQuery(PageQuery):
    inbox: Literal[
        "grid", "accept", "dispatch", "claim", "handling", "verify", "close", "overdue", "all"
    ] = "all"
    category: str = ""
    state: str = ""
    q: str = Field("", max_length=50)


class CaseIn(Schema):
    area_id: int
    category: str = Field(..., max_length=40)
    description: str = Field(..., max_length=4000)
    title: str = Field("", max_length=100)
    priority: Literal["normal", "urgent"] = "normal"
    address: str = Field("", max_length=200)
    reporter_name: str = Field("", max_length=50)
    reporter_phone: str = Field("", max_length=20)


class ActionIn(Schema):
    note: str = Field("", max_length=500, description="内部办理说明")
    reply: str = Field("", max_length=300, description="答复居民（可选；居民和 Open311 可见）")
    agency: str = Field("", max_length=40, description="派遣时的处置部门代码")


@router.get("/categories", response=list[CategoryOut], summary="事件类别（启用的）")
def category_list(request: HttpRequest):
    return list(selectors.case_categories())


@router.get("/", response=CasePage, summary="事件列表（按待办箱筛选、分页）")
@decorate_view(reads_from_replica())
def case_list(request: HttpRequest, query: Query[CaseListQuery]):
    scope = request_scope(request)
    if not scope.has("cases.view"):
        raise Http404
    qs = selectors.case_list(
        scope,
        selectors.CaseFilters(
            inbox=query.inbox, category=query.category, state=query.state, text=query.q
        ),
    )
    size = settings.PAGE_SIZE
    start = (query.page - 1) * size
    return {
        "count": qs.count(),
        "page": query.page,
        "page_size": size,
        "results": list(qs[start : start + size]),
    }


@router.get("/{case_id}", response=CaseDetailOut, summary="事件详情与办理经过")
def case_detail(request: HttpRequest, case_id: int):
    scope = request_scope(request)
    case = selectors.get_case_for(scope, case_id)
    case.history = list(selectors.case_history(scope, case))  # type: ignore[attr-defined]  # read by CaseDetailOut.resolve_events
    return case


@router.post("/", response={201: CaseOut}, summary="上报事件")
def case_create(request: HttpRequest, payload: CaseIn):
    scope = request_scope(request)
    if not scope.has("cases.report"):
        raise Http404
    area = selectors.report_areas(scope).filter(pk=payload.area_id).first()
    if area is None:
        raise ServiceError(
            gettext("地点不存在或不在您的管辖范围内。"),
            fields={"area_id": gettext("请选择您管辖范围内的社区、小区或楼栋。")},
        )
    category = selectors.get_category(payload.category)
    if category is None:
        raise ServiceError(
            gettext("没有这个事件类别。"), fields={"category": gettext("请选择事件类别。")}
        )
    case = services.case_report(
        actor=request_user(request),
        area=area,
        category=category,
        description=payload.description,
        title=payload.title,
        priority=payload.priority,
        address=payload.address,
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        source="grid" if not scope.has("cases.manage") else "web",
    )
    return Status(201, selectors.get_case_for(scope, case.pk))


@router.post(
    "/{case_id}/actions/{action}",
    response=CaseOut,
    summary="办理：grid_call/grid_resolve（网格员）、accept/dispatch/claim/return/resolve/verify/reject/close/escalate/cancel；不允许的操作返回 409",
)
def case_action(request: HttpRequest, case_id: int, action: str, payload: ActionIn):
    scope = request_scope(request)
    case = selectors.get_case_for(scope, case_id)
    if action not in services.TRANSITIONS or not selectors.can(
        scope, case, services.TRANSITIONS[action][2]
    ):
        raise Http404
    agency = selectors.agencies().filter(code=payload.agency).first() if payload.agency else None
    services.case_transition(
        actor=request_user(request),
        case=case,
        action=action,
        note=payload.note,
        reply=payload.reply,
        agency=agency,
    )
    return selectors.get_case_for(scope, case.pk)
