"""微项目 API: the same selectors and services as the pages. Money in fen."""

from __future__ import annotations

import datetime as dt
from typing import cast

from django.http import Http404, HttpRequest
from django.utils.translation import gettext, gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view

from tongxin.accounts.scope import request_user
from tongxin.accounts.selectors import api_resident
from tongxin.centers.selectors import social_org_choices
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import Scope, request_scope
from tongxin.projects import selectors, services
from tongxin.projects.models import NeedCategory

NO_RESIDENT = gettext_lazy("您的账号还没有居民档案，不能参与微项目。")


router = Router(tags=["微项目"])


class ProjectOut(Schema):
    id: int
    name: str
    summary: str
    status: str
    category_id: int
    category: str = Field(..., alias="category.name")
    lead_org_id: int
    lead_org: str = Field(..., alias="lead_org.name")
    operator_id: int | None = None
    area_id: int
    area: str = Field(..., alias="area.name")
    budget_fen: int
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    outcome: str


class ProjectPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ProjectOut]


class ProjectIn(Schema):
    name: str = Field(..., max_length=100)
    category_id: int
    lead_org_id: int
    area_id: int
    budget_fen: int
    operator_id: int | None = None
    summary: str = Field("", max_length=2000)
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    suggestion_ids: list[int] = []


class BudgetLineIn(Schema):
    item: str = Field(..., max_length=100)
    amount_fen: int


class BudgetLineOut(Schema):
    id: int
    item: str
    amount_fen: int


class ProjectActivityIn(Schema):
    title: str = Field(..., max_length=100)
    held_on: dt.date
    place: str = Field("", max_length=100)
    participants: int = 0


class ProjectActivityOut(Schema):
    id: int
    title: str
    held_on: dt.date
    place: str
    participants: int


class OutcomeIn(Schema):
    outcome: str = Field(..., max_length=2000)


class SuggestionIn(Schema):
    title: str = Field(..., max_length=200)
    category_id: int
    body: str = Field("", max_length=1000)


class MeetingSuggestionIn(SuggestionIn):
    area_id: int
    meeting: str = Field(..., max_length=100)


class ProjectSuggestionOut(Schema):
    id: int
    title: str
    category_id: int
    area_id: int
    source: str
    meeting: str
    status: str
    project_id: int | None = None


class RatingIn(Schema):
    score: int
    comment: str = Field("", max_length=300)


class FiguresOut(Schema):
    total: int
    planned: int
    running: int
    completed: int
    budget: int
    participants: int
    suggestions: int
    adopted: int
    categories_answered: int
    aspects_answered: int
    by_category: dict[str, int]


class ProjectListQuery(PageQuery):
    status: str = ""
    category_id: int | None = None


def _manager(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not scope.has(selectors.MANAGE):
        raise Http404
    return scope


def _pick(qs, pk: int | None, field: str, message: str):
    """A row among the choices the user has (in scope), or a field error."""
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields={field: message})
    return obj


@router.get("/", response=ProjectPage, summary="辖区内的微项目")
@decorate_view(reads_from_replica())
def project_list(request: HttpRequest, query: Query[ProjectListQuery]):
    scope = _manager(request)
    qs = selectors.project_list(scope, status=query.status, category=query.category_id)
    return api_page(qs, query.page)


@router.post("/", response={201: ProjectOut}, summary="立项（预算以分计）")
def project_create(request: HttpRequest, payload: ProjectIn):
    scope = _manager(request)
    not_found = gettext("不存在或不在您的管辖范围内。")
    data = services.ProjectInput(
        name=payload.name,
        summary=payload.summary,
        budget_fen=payload.budget_fen,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        category=_pick(selectors.categories(), payload.category_id, "category_id", not_found),
        lead_org=_pick(
            selectors.lead_org_choices(scope), payload.lead_org_id, "lead_org_id", not_found
        ),
        area=_pick(selectors.area_choices(scope), payload.area_id, "area_id", not_found),
        operator=_pick(social_org_choices(scope), payload.operator_id, "operator_id", not_found),
        suggestions=list(selectors.suggestion_list(scope).filter(pk__in=payload.suggestion_ids)),
    )
    if len(data.suggestions) != len(set(payload.suggestion_ids)):
        raise ServiceError(gettext("请按提示修改后再提交。"), fields={"suggestion_ids": not_found})
    try:
        project = services.project_create(scope=scope, actor=request_user(request), data=data)
    except ServiceError as e:
        e.fields = {
            {"category": "category_id", "lead_org": "lead_org_id", "area": "area_id"}.get(k, k): v
            for k, v in e.fields.items()
        }
        raise
    return Status(201, selectors.get_project_for(scope, project.pk))


@router.get("/figures", response=FiguresOut, summary="成效数据：项目、参与人次、回应需求类别")
@decorate_view(reads_from_replica())
def figures(request: HttpRequest):
    fig = selectors.project_figures(_manager(request))
    assert fig is not None
    rows = cast("list[tuple[NeedCategory, int]]", fig.pop("by_category"))
    by_category = {f"{c.aspect.name} · {c.name}": n for c, n in rows}
    return {**fig, "by_category": by_category}


@router.get(
    "/suggestions", response=list[ProjectSuggestionOut], summary="辖区内的居民建议（最近200条）"
)
def suggestion_list(request: HttpRequest, status: str = ""):
    return list(selectors.suggestion_list(_manager(request), status=status)[:200])


@router.post("/suggestions", response={201: ProjectSuggestionOut}, summary="居民在线提建议")
def suggestion_submit(request: HttpRequest, payload: SuggestionIn):
    resident = api_resident(request, NO_RESIDENT)
    category = selectors.categories().filter(pk=payload.category_id).first()
    return Status(
        201,
        services.suggestion_submit(
            actor=request_user(request),
            resident=resident,
            title=payload.title,
            body=payload.body,
            category=category,
        ),
    )


@router.post(
    "/suggestions/meeting", response={201: ProjectSuggestionOut}, summary="录入线下会议上的居民建议"
)
def suggestion_enter(request: HttpRequest, payload: MeetingSuggestionIn):
    scope = _manager(request)
    area = selectors.area_choices(scope).filter(pk=payload.area_id).first()
    category = selectors.categories().filter(pk=payload.category_id).first()
    return Status(
        201,
        services.suggestion_enter(
            scope=scope,
            actor=request_user(request),
            area=area,
            title=payload.title,
            body=payload.body,
            category=category,
            meeting=payload.meeting,
        ),
    )


@router.get("/mine", response=ProjectPage, summary="我居住社区的微项目（居民）")
def resident_projects(request: HttpRequest, page: int = 1):
    return api_page(selectors.resident_projects(api_resident(request, NO_RESIDENT)), max(page, 1))


@router.post("/mine/{project_id}/signup", response={201: None}, summary="报名参加")
def resident_signup(request: HttpRequest, project_id: int):
    resident = api_resident(request, NO_RESIDENT)
    project = selectors.get_project_for_resident(resident, project_id)
    services.project_signup(actor=request_user(request), resident=resident, project=project)
    return Status(201, None)


@router.post("/mine/{project_id}/rating", response={201: None}, summary="评价（1-5分，每人一次）")
def resident_rate(request: HttpRequest, project_id: int, payload: RatingIn):
    resident = api_resident(request, NO_RESIDENT)
    project = selectors.get_project_for_resident(resident, project_id)
    services.project_rate(
        actor=request_user(request),
        resident=resident,
        project=project,
        score=payload.score,
        comment=payload.comment,
    )
    return Status(201, None)


@router.get("/{project_id}", response=ProjectOut, summary="微项目详情")
def project_detail(request: HttpRequest, project_id: int):
    return selectors.get_project_for(_manager(request), project_id)


@router.get("/{project_id}/budget-lines", response=list[BudgetLineOut], summary="预算明细")
def budget_lines(request: HttpRequest, project_id: int):
    project = selectors.get_project_for(_manager(request), project_id)
    return list(project.budget_lines.all())


@router.post(
    "/{project_id}/budget-lines",
    response={201: BudgetLineOut},
    summary="添加预算明细（合计不得超过预算）",
)
def budget_line_add(request: HttpRequest, project_id: int, payload: BudgetLineIn):
    scope = _manager(request)
    project = selectors.get_project_for(scope, project_id)
    return Status(
        201,
        services.budget_line_add(
            scope=scope,
            actor=request_user(request),
            project=project,
            item=payload.item,
            amount_fen=payload.amount_fen,
        ),
    )


@router.post("/{project_id}/activities", response={201: ProjectActivityOut}, summary="登记项目活动")
def activity_add(request: HttpRequest, project_id: int, payload: ProjectActivityIn):
    scope = _manager(request)
    project = selectors.get_project_for(scope, project_id)
    return Status(
        201,
        services.activity_add(
            scope=scope, actor=request_user(request), project=project, **payload.dict()
        ),
    )


@router.post("/{project_id}/complete", response=ProjectOut, summary="结项（写明成效）")
def project_complete(request: HttpRequest, project_id: int, payload: OutcomeIn):
    scope = _manager(request)
    project = selectors.get_project_for(scope, project_id)
    services.project_complete(
        scope=scope, actor=request_user(request), project=project, outcome=payload.outcome
    )
    return selectors.get_project_for(scope, project_id)
