from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from tongxin.core.errors import ServiceError
from tongxin.core.scope import request_scope
from tongxin.grids import coverage, selectors, services

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
    def resolve_instructor_name(obj) -> str | None:  # type: ignore[no-untyped-def]
        return obj.instructor.name if obj.instructor_id else None


class CompoundOut(Schema):
    id: int
    name: str


class WorkerOut(Schema):
    id: int
    role: str
    member_id: int | None = None
    name: str


class GridDetailOut(GridOut):
    compounds: list[CompoundOut] = Field(..., alias="compounds_out")
    workers: list[WorkerOut] = Field(..., alias="workers_out")


class GridPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[GridOut]


class GridListQuery(Schema):
    community_id: int | None = None
    q: str = ""
    no_instructor: bool = False
    page: int = Field(1, ge=1, le=1_000_000)


@router.get("/", response=GridPage, summary="网格列表（分页、筛选）")
def grid_list(request: HttpRequest, query: Query[GridListQuery]):  # type: ignore[no-untyped-def]
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
    return {"count": qs.count(), "page": query.page, "page_size": size,
            "results": list(qs[start : start + size])}  # fmt: skip


@router.get("/coverage", summary="应建尽建检查：各类问题数量，及某一类的问题清单（分页）")
def coverage_audit(  # type: ignore[no-untyped-def]
    request: HttpRequest, org_id: int | None = None, category: str = "", page: int = 1
):
    scope = request_scope(request)
    root = coverage.get_audit_root_for(scope, org_id)
    audit = coverage.CoverageAudit(scope, root)
    out: dict[str, object] = {"org_id": root.pk, "org_name": root.name, "counts": audit.counts()}
    if category:
        pager = Paginator(audit.rows(category), settings.PAGE_SIZE)  # type: ignore[arg-type, var-annotated]
        p = pager.get_page(page)
        out["category"] = category
        out["count"] = pager.count
        out["page"] = p.number
        out["results"] = [
            {"id": g.pk, "name": g.name, "detail": g.detail, "figure": g.figure, "fix_url": g.url}
            for g in p
        ]
    return out


@router.get("/{grid_id}", response=GridDetailOut, summary="网格详情")
def grid_detail(request: HttpRequest, grid_id: int):  # type: ignore[no-untyped-def]
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, grid_id)
    grid.member_count = selectors.grid_members(scope, grid).count()  # type: ignore[attr-defined]
    grid.compounds_out = [  # type: ignore[attr-defined]
        {"id": c.pk, "name": c.name} for c in selectors.grid_compounds(grid)
    ]
    grid.workers_out = [  # type: ignore[attr-defined]
        {"id": w.pk, "role": w.role, "member_id": w.member_id,
         "name": w.member.name if w.member else str(getattr(w.user, "display_name", "")
                                                    or getattr(w.user, "username", ""))}
        for w in selectors.grid_workers(scope, grid)
    ]  # fmt: skip
    return grid


class AssignIn(Schema):
    member_id: int


class AssignOut(Schema):
    grid_id: int
    member_id: int


@router.post("/{grid_id}/members", response={201: AssignOut},
             summary="将一名党员编入网格（如已在其他网格则调入）")  # fmt: skip
def grid_assign(request: HttpRequest, grid_id: int, payload: AssignIn):  # type: ignore[no-untyped-def]
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, grid_id, selectors.MANAGE)
    member = selectors.get_member_for(scope, payload.member_id)
    services.grid_assign_member(actor=request.user, grid=grid, member=member)
    return Status(201, {"grid_id": grid.pk, "member_id": member.pk})


class ByResidenceIn(Schema):
    move_assigned: bool = False


@router.post("/{grid_id}/assign-by-residence", summary="按居住地批量编入网格")
def grid_assign_by_residence(request: HttpRequest, grid_id: int, payload: ByResidenceIn):  # type: ignore[no-untyped-def]
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, grid_id, selectors.MANAGE)
    n = services.grid_assign_by_residence(
        actor=request.user, grid=grid, move_assigned=payload.move_assigned
    )
    return {"assigned": n}


class InstructorIn(Schema):
    member_id: int
    replace: bool = False


@router.post("/{grid_id}/instructor", response=GridOut,
             summary="设置网格党建指导员（已有指导员时须 replace=true）")  # fmt: skip
def grid_instructor(request: HttpRequest, grid_id: int, payload: InstructorIn):  # type: ignore[no-untyped-def]
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, grid_id, selectors.MANAGE)
    member = selectors.get_member_for(scope, payload.member_id)
    try:
        services.grid_set_instructor(actor=request.user, grid=grid, member=member,
                                     replace=payload.replace)  # fmt: skip
    except ServiceError as e:
        e.fields = {"member_id" if k == "member" else k: v for k, v in e.fields.items()}
        raise
    return selectors.get_grid_for(scope, grid_id)
