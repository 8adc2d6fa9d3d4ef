from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import paginate
from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import request_scope
from tongxin.members.selectors import MemberFilters, pii_query_kind
from tongxin.orgs.selectors import get_org_for
from tongxin.rosters import exports, jobs, selectors, services
from tongxin.rosters.forms import OrgUploadForm, UploadForm
from tongxin.rosters.member_columns import COLUMNS
from tongxin.rosters.models import ImportKind
from tongxin.rosters.org_columns import ORG_COLUMNS

WARNINGS_SHOWN = 200


def _may_import(request: HttpRequest) -> None:
    if not request_scope(request).has("members.manage"):
        raise Http404(gettext("页面不存在。"))


@login_required
@require_http_methods(["GET", "POST"])
def index(request: HttpRequest) -> HttpResponse:
    """Upload a roster; the user's earlier imports below."""
    scope = request_scope(request)
    _may_import(request)
    default = selectors.default_import_target(scope, request.user)
    form = UploadForm(
        request.POST or None,
        request.FILES or None,
        orgs=selectors.import_target_queryset(scope),
        initial={"org": default.pk if default else None},
    )
    if request.method == "POST" and form.is_valid():
        try:
            job = services.job_create(
                actor=request_user(request),
                scope=scope,
                upload=form.cleaned_data["file"],
                org=form.cleaned_data["org"],
            )
        except ServiceError as e:
            # The whole sentence (what is wrong, what to do) under the field it is about.
            form.add_error("org" if "org" in e.fields else "file", e.message)
        else:
            services.start(job, "check")
            return redirect("rosters:job", pk=job.pk)
    page = paginate(request, selectors.job_list(scope, ImportKind.MEMBERS))
    return render(request, "rosters/index.html", {"form": form, "page": page, "columns": COLUMNS})


def _may_import_orgs(request: HttpRequest) -> None:
    if not request_scope(request).has("orgs.manage"):
        raise Http404(gettext("页面不存在。"))


@login_required
@require_http_methods(["GET", "POST"])
def orgs(request: HttpRequest) -> HttpResponse:
    """Upload an organization roster (党组织名册); the user's earlier ones below."""
    scope = request_scope(request)
    _may_import_orgs(request)
    form = OrgUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.job_create(
                actor=request_user(request),
                scope=scope,
                kind=ImportKind.ORGS,
                upload=form.cleaned_data["file"],
            )
        except ServiceError as e:
            form.add_error("file", e.message)
        else:
            services.start(job, "check")
            return redirect("rosters:job", pk=job.pk)
    page = paginate(request, selectors.job_list(scope, ImportKind.ORGS))
    return render(
        request, "rosters/orgs.html", {"form": form, "page": page, "columns": ORG_COLUMNS}
    )


@login_required
@require_GET
def org_template(request: HttpRequest) -> FileResponse:
    _may_import_orgs(request)
    return FileResponse(
        exports.org_template_file(),
        as_attachment=True,
        filename=gettext("党组织名册导入模板.xlsx"),
        content_type=exports.XLSX,
    )


@login_required
@require_GET
def template(request: HttpRequest) -> FileResponse:
    _may_import(request)
    return FileResponse(
        exports.template_file(),
        as_attachment=True,
        filename=gettext("党员名册导入模板.xlsx"),
        content_type=exports.XLSX,
    )


@login_required
@require_GET
def job(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    job = jobs.recover(selectors.get_job_for(scope, pk))
    errors = paginate(request, job.report.get("errors", []), per_page=50)
    page = "rosters/org_job.html" if job.kind == ImportKind.ORGS else "rosters/job.html"
    # Warnings (rows that import but deserve a look) never block the import.
    warnings = job.report.get("warnings", [])[:WARNINGS_SHOWN]
    return render(request, page, {"job": job, "errors": errors, "warnings": warnings})


@login_required
@require_GET
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled every second by the job page while the job runs; once it has finished the
    page reloads to show the report."""
    job = jobs.recover(selectors.get_job_for(request_scope(request), pk))
    response = render(request, "rosters/_progress.html", {"job": job})
    if not job.running:
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def commit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    job = selectors.get_job_for(scope, pk)
    try:
        services.job_commit_request(
            actor=request_user(request), job=job, scope=request_scope(request)
        )
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("rosters:job", pk=job.pk)
    services.start(job, "commit")
    return redirect("rosters:job", pk=job.pk)


def export_filters(request: HttpRequest) -> MemberFilters:
    """The roster page's filters, from the query string. A whole ID or phone number is never
    taken from a URL (the roster page posts those): such a search is dropped."""
    scope = request_scope(request)
    params = request.GET
    org = get_org_for(scope, params["org"]) if params.get("org") else None
    text = params.get("q", "")
    if text and pii_query_kind(text):
        text = ""
    return MemberFilters(
        org=org,
        status=params.get("status", ""),
        sector=params.get("sector", ""),
        flags=params.getlist("flag"),
        text=text,
    )


def export_response(request: HttpRequest, filters: MemberFilters, reveal: bool) -> FileResponse:
    scope = request_scope(request)
    if not scope.has("members.view"):
        raise Http404(gettext("页面不存在。"))
    reveal = reveal and scope.has("members.reveal_pii")
    members = selectors.export_members(scope, filters).iterator(chunk_size=2000)
    out, rows, revealed = exports.members_file(scope, members, reveal=reveal)
    services.export_logged(
        actor=request_user(request),
        scope=scope,
        rows=rows,
        revealed=revealed > 0,
        filters={
            "org": filters.org.pk if filters.org else None,
            "status": filters.status,
            "sector": filters.sector,
            "flags": filters.flags,
            "name": filters.text,
            "revealed_rows": revealed,
        },
        org_path=filters.org.path if filters.org else "",
    )
    response = FileResponse(
        out, as_attachment=True, filename=exports.export_name(), content_type=exports.XLSX
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
@reads_from_replica()
def export(request: HttpRequest) -> FileResponse:
    return export_response(request, export_filters(request), request.GET.get("reveal") == "1")


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """Give up a checked roster instead of importing it: its file is deleted at once."""
    job = selectors.get_job_for(request_scope(request), pk)
    try:
        services.job_cancel(actor=request_user(request), job=job, scope=request_scope(request))
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("rosters:job", pk=job.pk)
    messages.success(request, gettext("已取消导入，上传的文件已删除。"))
    return redirect("rosters:orgs" if job.kind == ImportKind.ORGS else "rosters:index")
