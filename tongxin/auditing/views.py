"""审计日志: the page and its xlsx export. Who did what, where, and who saw which personal
data, in words: action names from the catalogue (auditing.actions), places by name, the
object as a link where the auditor may open it."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from typing import Any

import xlsxwriter
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from tongxin.auditing.selectors import (
    ACTION_LABELS,
    PERM,
    AuditFilters,
    Place,
    action_label,
    area_in_reach,
    audit_list,
    audited_area_path,
    audited_org_path,
    place_names,
    readable_repr,
    subtree_choices,
)
from tongxin.core.audit import audit
from tongxin.core.models import AuditLog
from tongxin.core.pagination import paginate
from tongxin.core.scope import Scope, request_scope

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The export is a record for people, not a backup: a bound keeps one request's file sane.
EXPORT_LIMIT = 100_000

# object type -> (URL name of its page, the permission that page asks for). Rows of other
# types show their text without a link.
OBJECT_PAGES = {
    "members.member": ("members:detail", "members.view"),
    "transfers.transfer": ("transfers:detail", "members.view"),
    "dual_reports.dualreport": ("dual_reports:detail", "members.view"),
    # Rows written before transfers and 双报到 left the members app.
    "members.transfer": ("transfers:detail", "members.view"),
    "members.dualreport": ("dual_reports:detail", "members.view"),
    "orgs.organization": ("orgs:detail", "orgs.view"),
    "meetings.meeting": ("meetings:detail", "meetings.view"),
    "cases.case": ("cases:detail", "cases.view"),
    "visits.visit": ("visits:detail", "visits.view"),
    "visits.patrolpost": ("visits:post_detail", "visits.view"),
    "grids.grid": ("grids:detail", "grids.manage"),
    "centers.servicecenter": ("centers:detail", "centers.manage"),
    "projects.microproject": ("projects:detail", "projects.manage"),
    "volunteering.activity": ("volunteering:detail", "volunteering.manage"),
    "rosters.importjob": ("rosters:job", "members.manage"),
}


@dataclass
class Row:
    log: AuditLog
    action: str
    obj: str
    url: str
    org: Place | None
    area: Place | None


def parse_filters(scope: Scope, params: QueryDict) -> tuple[AuditFilters, list[str]]:
    """The page's filters from the query string, and a Chinese sentence for each value that
    cannot be used (the list is then empty rather than wider than asked)."""
    errors: list[str] = []
    f = AuditFilters(action=params.get("action", "").strip(), actor=params.get("actor", "")[:150])
    if f.action and f.action not in ACTION_LABELS and not f.action.startswith("admin."):
        errors.append(gettext("没有这种动作，请从列表中选择。"))
    if params.get("org"):
        path = audited_org_path(scope, params["org"])
        if path is None:
            errors.append(gettext("所选党组织不存在或不在您的审计范围内，请从列表中选择。"))
        else:
            f.org_path = path
    if params.get("area"):
        path = audited_area_path(scope, params["area"])
        if path is None:
            errors.append(gettext("所选区域不存在或不在您的审计范围内，请从列表中选择。"))
        else:
            f.area_path = path
    for key, label in (("date_from", gettext("开始日期")), ("date_to", gettext("结束日期"))):
        raw = params.get(key, "").strip()
        if not raw:
            continue
        try:
            setattr(f, key, dt.date.fromisoformat(raw))
        except ValueError:
            errors.append(
                gettext("%(field)s“%(value)s”不是有效日期，请按 2026-12-07 的格式填写。")
                % {"field": label, "value": raw[:20]}
            )
    if f.date_from and f.date_to and f.date_from > f.date_to:
        errors.append(gettext("开始日期晚于结束日期，请调换或修改日期。"))
    return f, errors


def _link(scope: Scope, log: AuditLog) -> str:
    page = OBJECT_PAGES.get(log.object_type)
    if page is None or not log.object_id or not log.action or log.action.startswith("admin.delete"):
        return ""
    name, perm = page
    in_reach = (log.org_path and scope.reaches_org(perm, log.org_path, log.area_path or None)) or (
        log.area_path and scope.has(perm) and area_in_reach(scope, log.area_path)
    )
    if not (scope.is_superuser or in_reach):
        return ""
    try:
        return reverse(name, args=[log.object_id])
    except NoReverseMatch:
        return ""


def rows_for(scope: Scope, logs: list[AuditLog]) -> list[Row]:
    orgs, areas = place_names(logs)
    return [
        Row(
            log=log,
            action=action_label(log.action),
            obj=readable_repr(log.object_repr, orgs),
            url=_link(scope, log),
            org=orgs.get(log.org_path),
            area=areas.get(log.area_path),
        )
        for log in logs
    ]


def _query(params: QueryDict) -> QueryDict:
    out = QueryDict(mutable=True)
    for key in ("action", "actor", "org", "area", "date_from", "date_to"):
        value = params.get(key, "")
        if value:
            out[key] = value
    return out


@login_required
@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not scope.has(PERM):
        raise Http404
    filters, errors = parse_filters(scope, request.GET)
    return _render(request, scope, filters, errors)


def _render(
    request: HttpRequest, scope: Scope, filters: AuditFilters, errors: list[str], status: int = 200
) -> HttpResponse:
    qs = audit_list(scope, filters) if not errors else AuditLog.objects.none()
    page = paginate(request, qs)
    orgs, areas = subtree_choices(scope)
    return render(
        request,
        "auditing/audit.html",
        {
            "page": page,
            "rows": rows_for(scope, list(page)),
            "filters": filters,
            "params": request.GET,
            "errors": errors,
            "actions": sorted(((k, str(v)) for k, v in ACTION_LABELS.items()), key=lambda a: a[0]),
            "org_choices": orgs,
            "area_choices": areas,
            # a subtree chosen by clicking a row's place may lie below the levels listed
            "org_listed": any(str(o.pk) == request.GET.get("org") for o in orgs),
            "area_listed": any(str(a.pk) == request.GET.get("area") for a in areas),
            "query": _query(request.GET).urlencode(),
        },
        status=status,
    )


@login_required
@require_GET
def audit_export(request: HttpRequest) -> HttpResponse | FileResponse:
    """The rows the page shows for the same filters, as xlsx. The export is audited itself:
    it stands where its filter does (the subtree chosen), else at the auditor's home."""
    scope = request_scope(request)
    if not scope.has(PERM):
        raise Http404
    filters, errors = parse_filters(scope, request.GET)
    if errors:
        return _render(request, scope, filters, errors, status=400)
    out, n = export_file(scope, audit_list(scope, filters))
    audit(
        actor=request.user,
        action="audit.export",
        object_type="core.auditlog",
        org_path=filters.org_path,
        area_path=filters.area_path,
        diff={"rows": n, "filters": _query(request.GET).dict()},
    )
    name = f"audit-{timezone.localdate():%Y%m%d}.xlsx"
    response = FileResponse(out, as_attachment=True, filename=name, content_type=XLSX)
    response["Cache-Control"] = "private, no-store"
    return response


def export_file(scope: Scope, qs: Any) -> tuple[Any, int]:
    """(open temporary file, rows written). Rows are read a page at a time so that the
    places of each page are named with two queries."""
    out = tempfile.TemporaryFile()  # noqa: SIM115 -- returned open; the FileResponse closes it
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "tmpdir": tempfile.gettempdir()})
    ws = wb.add_worksheet(gettext("审计日志"))
    head = wb.add_format({"bold": True, "bg_color": "#F8E1E1", "border": 1})
    headers = [
        (gettext("时间"), 20),
        (gettext("操作人"), 18),
        (gettext("用户名"), 14),
        (gettext("动作"), 22),
        (gettext("对象"), 40),
        (gettext("党组织"), 28),
        (gettext("区域"), 20),
        (gettext("IP 地址"), 16),
        (gettext("动作代码"), 26),
    ]
    ws.freeze_panes(1, 0)
    for i, (label, width) in enumerate(headers):
        ws.set_column(i, i, width)
        ws.write_string(0, i, label, head)
    system = gettext("系统")
    n = 0
    chunk = 2000
    last: tuple[dt.datetime, int] | None = None
    while n < EXPORT_LIMIT:
        page_qs = qs
        if last is not None:
            # keyset pagination on (-at, -id): no OFFSET scans over a long log
            page_qs = qs.filter(Q(at__lt=last[0]) | Q(at=last[0], id__lt=last[1]))
        logs = list(page_qs.order_by("-at", "-id")[: min(chunk, EXPORT_LIMIT - n)])
        if not logs:
            break
        for row in rows_for(scope, logs):
            n += 1
            log = row.log
            values = (
                timezone.localtime(log.at).strftime("%Y-%m-%d %H:%M:%S"),
                str(log.actor) if log.actor else system,
                log.actor.username if log.actor else "",
                row.action,
                row.obj,
                row.org.name if row.org else "",
                row.area.name if row.area else "",
                log.ip or "",
                log.action,
            )
            for c, v in enumerate(values):
                ws.write_string(n, c, v)
        last = (logs[-1].at, logs[-1].pk)
    wb.close()
    out.seek(0)
    return out, n
