from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import FileResponse, Http404, HttpRequest
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import request_scope, set_request_scope
from tongxin.members.selectors import MemberFilters, pii_query_kind
from tongxin.orgs.selectors import get_org_for
from tongxin.rosters import jobs, selectors, services
from tongxin.rosters.models import ImportJob, ImportKind
from tongxin.rosters.views import export_response

router = Router(tags=["名册导入导出"])


class RowError(Schema):
    row: int
    name: str
    field: str
    column: str
    message: str


class JobOut(Schema):
    id: int
    status: str
    file_name: str
    rows_total: int
    rows_done: int
    error_rows: int
    to_create: int
    to_update: int
    unchanged: int
    message: str
    errors: list[RowError]
    warnings: list[RowError]
    warning_rows: int
    org_id: int | None = None
    org_name: str = ""
    org_rows: int = 0
    created_at: dt.datetime
    finished_at: dt.datetime | None = None

    @staticmethod
    def resolve_file_name(obj: ImportJob) -> str:
        return obj.original_name

    @staticmethod
    def resolve_errors(obj: ImportJob) -> list[dict[str, Any]]:
        return list(obj.report.get("errors", []))

    @staticmethod
    def resolve_warnings(obj: ImportJob) -> list[dict[str, Any]]:
        return list(obj.report.get("warnings", []))

    @staticmethod
    def resolve_warning_rows(obj: ImportJob) -> int:
        return int(obj.report.get("warning_rows", 0))

    @staticmethod
    def resolve_org_id(obj: ImportJob) -> int | None:
        return (obj.report.get("target") or {}).get("id")

    @staticmethod
    def resolve_org_name(obj: ImportJob) -> str:
        return str((obj.report.get("target") or {}).get("name", ""))

    @staticmethod
    def resolve_org_rows(obj: ImportJob) -> int:
        return int(obj.report.get("target_rows", 0))


@router.post("/imports", response={201: JobOut}, summary="上传党员名册（先检查，不写入）")
def import_create(request: HttpRequest, file: File[UploadedFile], org_id: Form[int | None] = None):
    """`org_id`: the organization rows without 所在党组织 go to (one the user manages members
    in); by default the user's own 党支部, when they have one."""
    scope = request_scope(request)
    if not scope.has("members.manage"):
        raise Http404(gettext("页面不存在。"))
    if org_id is None:
        org = selectors.default_import_target(scope, request.user)
    else:
        try:
            org = selectors.get_import_target_for(scope, org_id)
        except ServiceError as e:
            raise ServiceError(e.message, fields={"org_id": e.fields["org"]}) from None
    job = services.job_create(actor=request_user(request), scope=scope, upload=file, org=org)
    services.start(job, "check")
    job.refresh_from_db()
    return Status(201, job)


@router.get("/imports/{job_id}", response=JobOut, summary="导入进度、计数和逐行错误")
def import_detail(request: HttpRequest, job_id: int):
    return jobs.recover(selectors.get_job_for(request_scope(request), job_id))


@router.post("/imports/{job_id}/commit", response=JobOut, summary="确认导入（全部写入或全部不写）")
def import_commit(request: HttpRequest, job_id: int):
    job = selectors.get_job_for(request_scope(request), job_id)
    services.job_commit_request(actor=request_user(request), job=job, scope=request_scope(request))
    services.start(job, "commit")
    job.refresh_from_db()
    return job


@router.post("/org-imports", response={201: JobOut}, summary="上传党组织名册（先检查，不写入）")
def org_import_create(request: HttpRequest, file: File[UploadedFile]):
    scope = request_scope(request)
    if not scope.has("orgs.manage"):
        raise Http404(gettext("页面不存在。"))
    job = services.job_create(
        actor=request_user(request), scope=scope, upload=file, kind=ImportKind.ORGS
    )
    services.start(job, "check")
    job.refresh_from_db()
    return Status(201, job)


@router.get("/org-imports/{job_id}", response=JobOut, summary="党组织名册导入进度、计数和逐行错误")
def org_import_detail(request: HttpRequest, job_id: int):
    return jobs.recover(selectors.get_job_for(request_scope(request), job_id, ImportKind.ORGS))


@router.post(
    "/org-imports/{job_id}/commit",
    response=JobOut,
    summary="确认导入党组织名册（全部写入或全部不写）",
)
def org_import_commit(request: HttpRequest, job_id: int):
    job = selectors.get_job_for(request_scope(request), job_id, ImportKind.ORGS)
    services.job_commit_request(actor=request_user(request), job=job, scope=request_scope(request))
    services.start(job, "commit")
    job.refresh_from_db()
    return job


class ExportQuery(Schema):
    org_id: int | None = None
    status: str = ""
    sector: str = ""
    flag: list[str] = []
    q: str = ""
    reveal: bool = False


@router.get("/export/members", summary="导出党员名册（xlsx；身份证号、手机号默认脱敏，留痕）")
@decorate_view(reads_from_replica())
def export_members(request: HttpRequest, query: Query[ExportQuery]) -> FileResponse:
    scope = request_scope(request)
    set_request_scope(request, scope)
    org = get_org_for(scope, query.org_id) if query.org_id else None
    text = "" if query.q and pii_query_kind(query.q) else query.q
    filters = MemberFilters(
        org=org, status=query.status, sector=query.sector, flags=query.flag, text=text
    )
    return export_response(request, filters, query.reveal)
