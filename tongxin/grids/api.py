from __future__ import annotations

from typing import Literal

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest
from django.utils.translation import gettext, gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from pydantic import ConfigDict

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery
from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import request_scope
from tongxin.grids import coverage, selectors, services
from tongxin.orgs.models import Organization

router = Router(tags=["网格"])


class GridOut(Schema):
    id: int
    name: str
    code: str
    community_id: int
    community_name: str = Field(..., alias="community.name")
    serving_branch_id: int
    serving_branch_name: str = Field(..., alias="serving_branch.name")
    instructor_id: int | None = None
    instructor_name: str | None = None
    member_count: int = 0

    @staticmethod
    def resolve_instructor_name(obj) -> str | None:
        return obj.instructor.name if obj.instructor_id else None


class CompoundOut(Schema):
    id: int
    name: str


class UnitOut(Schema):
    id: int
    name: str


class WorkerOut(Schema):
    id: int
    role: str
    user_id: int | None = None
    username: str | None = None
    member_id: int | None = None
    name: str


class GridDetailOut(GridOut):
    compounds: list[CompoundOut] = Field(..., alias="compounds_out")
    units: list[UnitOut] = Field(..., alias="units_out")
    workers: list[WorkerOut] = Field(..., alias="workers_out")


class GridPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[GridOut]


class GridListQuery(PageQuery):
    community_id: int | None = None
    q: str = ""
    no_instructor: bool = False


@router.get("/", response=GridPage, summary="网格列表（分页、筛选）")
@decorate_view(reads_from_replica())
def grid_list(request: HttpRequest, query: Query[GridListQuery]):
    scope = request_scope(request)
    community = (
        selectors.get_community_for(scope, query.community_id, selectors.VIEW)
        if query.community_id
        else None
    )
    qs = selectors.grid_list(
        scope,
        selectors.GridFilters(community=community, text=query.q, no_instructor=query.no_instructor),
    )
    size = settings.PAGE_SIZE
    start = (query.page - 1) * size
    return {
        "count": qs.count(),
        "page": query.page,
        "page_size": size,
        "results": list(qs[start : start + size]),
    }


@router.get("/coverage", summary="应建尽建检查：各类问题数量，及某一类的问题清单（分页）")
@decorate_view(reads_from_replica())
def coverage_audit(
    request: HttpRequest, org_id: int | None = None, category: str = "", page: int = 1
):
    scope = request_scope(request)
    root = coverage.get_audit_root_for(scope, org_id)
    audit = coverage.CoverageAudit(scope, root)
    out: dict[str, object] = {"org_id": root.pk, "org_name": root.name, "counts": audit.counts()}
    if category:
        pager = Paginator(audit.rows(category), settings.PAGE_SIZE)
        p = pager.get_page(page)
        out["category"] = category
        out["count"] = pager.count
        out["page"] = p.number
        out["results"] = [
            {"id": g.pk, "name": g.name, "detail": g.detail, "figure": g.figure, "fix_url": g.url}
            for g in p
        ]
    return out


def _detail(scope, grid):
    grid.member_count = selectors.grid_members(scope, grid).count()
    grid.compounds_out = [{"id": c.pk, "name": c.name} for c in selectors.grid_compounds(grid)]
    grid.units_out = [{"id": u.pk, "name": u.name} for u in selectors.grid_units(grid)]
    grid.workers_out = [
        {
            "id": w.pk,
            "role": w.role,
            "user_id": w.user_id,
            "member_id": w.member_id,
            "username": w.user.username if w.user else None,
            "name": (w.user.display_name or w.user.username)
            if w.user
            else (w.member.name if w.member else ""),
        }
        for w in selectors.grid_workers(scope, grid)
    ]
    return grid


@router.get("/{grid_id}", response=GridDetailOut, summary="网格详情")
def grid_detail(request: HttpRequest, grid_id: int):
    scope = request_scope(request)
    return _detail(scope, selectors.get_grid_for(scope, grid_id))


# --- create and edit ---------------------------------------------------------------------------

WorkerRole = Literal["head", "full_time", "part_time"]


class WorkerIn(Schema):
    model_config = ConfigDict(extra="forbid")
    user_id: int
    role: WorkerRole


class GridCreateIn(Schema):
    model_config = ConfigDict(extra="forbid")
    community_id: int
    name: str = Field(..., max_length=100)
    code: str = Field("", max_length=40)
    serving_branch_id: int
    compound_ids: list[int] = []
    unit_ids: list[int] = []


class GridPatchIn(Schema):
    """Fields left out keep their value. ``workers``, when given, is the complete list."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=100)
    code: str | None = Field(None, max_length=40)
    serving_branch_id: int | None = None
    compound_ids: list[int] | None = None
    unit_ids: list[int] | None = None
    workers: list[WorkerIn] | None = None


# Service field names that the API calls differently.
API_FIELDS = {
    "community": "community_id",
    "serving_branch": "serving_branch_id",
    "compounds": "compound_ids",
    "units": "unit_ids",
    "user": "user_id",
}


def _api_fields(err: ServiceError) -> ServiceError:
    err.fields = {API_FIELDS.get(k, k): v for k, v in err.fields.items()}
    return err


def _pick(qs, ids: list[int], message: str, errors: dict[str, str], field: str) -> list:
    """The rows of ``qs`` with these ids, in the given order; an id that is not among them
    (unknown, or out of reach: the two look alike) is a field error naming it."""
    rows = {o.pk: o for o in qs.filter(pk__in=ids)}
    missing = [i for i in ids if i not in rows]
    if missing:
        errors[field] = message % {"id": missing[0]}
    return [rows[i] for i in dict.fromkeys(ids) if i in rows]


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)


NO_COMPOUND = gettext_lazy("编号为%(id)s的小区不存在或不在该社区，请重新选择。")
NO_UNIT = gettext_lazy("编号为%(id)s的单位不存在或不在您的管辖范围内，请重新选择。")
NO_BRANCH = gettext_lazy("服务党支部不存在或不在您的管辖范围内，请选择一个党支部。")
NO_USER = gettext_lazy("编号为%(id)s的账号不存在或不在您的管辖范围内，请重新选择。")


@router.post(
    "/",
    response={201: GridDetailOut},
    summary="新建网格（社区须在管辖范围内；小区、单位各只能属于一个网格）",
)
def grid_create(request: HttpRequest, payload: GridCreateIn):
    scope = request_scope(request)
    if not scope.has(selectors.MANAGE):
        raise Http404
    community = selectors.community_in_reach(scope, payload.community_id)
    if community is None:
        msg = gettext("社区不存在或不在您的管辖范围内，请选择一个社区（村）。")
        raise ServiceError(msg, fields={"community_id": msg})
    errors: dict[str, str] = {}
    branch = selectors.branch_in_reach(scope, payload.serving_branch_id)
    if branch is None:
        errors["serving_branch_id"] = str(NO_BRANCH)
    compounds = _pick(
        selectors.compound_choices(community),
        payload.compound_ids,
        str(NO_COMPOUND),
        errors,
        "compound_ids",
    )
    units = _pick(
        selectors.unit_choices(scope, community).select_related("area"),
        payload.unit_ids,
        str(NO_UNIT),
        errors,
        "unit_ids",
    )
    _refuse(errors)
    assert branch is not None  # (refused above)
    try:
        grid = services.grid_create(
            actor=request_user(request),
            scope=scope,
            community=community,
            name=payload.name,
            code=payload.code,
            serving_branch=branch,
            compounds=compounds,
            units=units,
        )
    except ServiceError as e:
        raise _api_fields(e) from None
    return Status(201, _detail(scope, selectors.get_grid_for(scope, grid.pk)))


@router.patch(
    "/{grid_id}",
    response=GridDetailOut,
    summary="修改网格：名称、编号、服务党支部、覆盖小区和单位、网格员（workers 为完整名单）",
)
def grid_update(request: HttpRequest, grid_id: int, payload: GridPatchIn):
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, grid_id, selectors.MANAGE)
    errors: dict[str, str] = {}
    branch: Organization | None = grid.serving_branch
    if payload.serving_branch_id is not None:
        branch = selectors.branch_in_reach(scope, payload.serving_branch_id, grid.serving_branch)
        if branch is None:
            errors["serving_branch_id"] = str(NO_BRANCH)
    compounds = list(selectors.grid_compounds(grid))
    if payload.compound_ids is not None:
        compounds = _pick(
            selectors.compound_choices(grid.community),
            payload.compound_ids,
            str(NO_COMPOUND),
            errors,
            "compound_ids",
        )
    units = None
    if payload.unit_ids is not None:
        units = _pick(
            selectors.unit_choices(scope, grid.community, grid).select_related("area"),
            payload.unit_ids,
            str(NO_UNIT),
            errors,
            "unit_ids",
        )
    workers = None
    if payload.workers is not None:
        ids = [w.user_id for w in payload.workers]
        users = {
            u.pk: u
            for u in _pick(
                selectors.worker_user_choices(scope, grid), ids, str(NO_USER), errors, "workers"
            )
        }
        workers = [(users[w.user_id], w.role) for w in payload.workers if w.user_id in users]
    _refuse(errors)
    assert branch is not None  # (refused above)
    try:
        services.grid_update(
            actor=request_user(request),
            scope=scope,
            grid=grid,
            name=grid.name if payload.name is None else payload.name,
            code=grid.code if payload.code is None else payload.code,
            serving_branch=branch,
            compounds=compounds,
            units=units,
            workers=workers,
        )
    except ServiceError as e:
        raise _api_fields(e) from None
    return _detail(scope, selectors.get_grid_for(scope, grid.pk))


class AssignIn(Schema):
    member_id: int


class AssignOut(Schema):
    grid_id: int
    member_id: int


@router.post(
    "/{grid_id}/members",
    response={201: AssignOut},
    summary="将一名党员编入网格（如已在其他网格则调入）",
)
def grid_assign(request: HttpRequest, grid_id: int, payload: AssignIn):
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, grid_id, selectors.MANAGE)
    member = selectors.get_member_for(scope, payload.member_id)
    services.grid_assign_member(actor=request_user(request), grid=grid, member=member, scope=scope)
    return Status(201, {"grid_id": grid.pk, "member_id": member.pk})


class ByResidenceIn(Schema):
    move_assigned: bool = False


@router.post("/{grid_id}/assign-by-work-unit", summary="按工作单位批量编入单位网格")
def grid_assign_by_work_unit(request: HttpRequest, grid_id: int, payload: ByResidenceIn):
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, grid_id, selectors.MANAGE)
    n = services.grid_assign_by_work_unit(
        actor=request_user(request), scope=scope, grid=grid, move_assigned=payload.move_assigned
    )
    return {"assigned": n}


@router.post("/{grid_id}/assign-by-residence", summary="按居住地批量编入网格")
def grid_assign_by_residence(request: HttpRequest, grid_id: int, payload: ByResidenceIn):
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, grid_id, selectors.MANAGE)
    n = services.grid_assign_by_residence(
        actor=request_user(request), scope=scope, grid=grid, move_assigned=payload.move_assigned
    )
    return {"assigned": n}


class InstructorIn(Schema):
    member_id: int
    replace: bool = False


@router.post(
    "/{grid_id}/instructor",
    response=GridOut,
    summary="设置网格党建指导员（已有指导员时须 replace=true）",
)
def grid_instructor(request: HttpRequest, grid_id: int, payload: InstructorIn):
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, grid_id, selectors.MANAGE)
    member = selectors.get_member_for(scope, payload.member_id)
    try:
        services.grid_set_instructor(
            actor=request_user(request),
            scope=scope,
            grid=grid,
            member=member,
            replace=payload.replace,
        )
    except ServiceError as e:
        e.fields = {"member_id" if k == "member" else k: v for k, v in e.fields.items()}
        raise
    return selectors.get_grid_for(scope, grid_id)
