from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.accounts.selectors import page_resident
from tongxin.cases import selectors, services
from tongxin.cases.forms import ApiKeyForm, ReportForm, ResidentReportForm
from tongxin.cases.models import Source, State
from tongxin.core import uploads
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.inputs import parse_pk
from tongxin.core.pagination import paginate
from tongxin.core.scope import Scope, request_scope


def _need(scope: Scope, perm: str) -> None:
    # Without the permission the page does not exist for this user (404, never 403).
    if not scope.has(perm):
        raise Http404


@login_required
def index(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not scope.has("cases.view") and scope.has("visits.view"):
        # The 事件 nav item also leads cadres who record 三访 but handle no cases.
        return redirect("visits:index")
    _need(scope, "cases.view")
    boxes = selectors.inboxes_for(scope)
    keys = [k for k, _label in boxes]
    default = next((k for k in ("accept", "claim", "grid") if k in keys), "all")
    filters = selectors.CaseFilters(
        inbox=request.GET.get("inbox", "") if request.GET.get("inbox") in keys else default,
        category=request.GET.get("category", ""),
        state=request.GET.get("state", "") if request.GET.get("state") in State.values else "",
        text=request.GET.get("q", "")[:50],
    )
    now = timezone.now()
    page = paginate(request, selectors.case_list(scope, filters, now))
    rows = [(c, selectors.light(c, now)) for c in page]
    params = QueryDict(mutable=True)
    for k, v in (
        ("inbox", filters.inbox),
        ("category", filters.category),
        ("state", filters.state),
        ("q", filters.text),
    ):
        if v:
            params[k] = v
    return render(
        request,
        "cases/index.html",
        {
            "page": page,
            "rows": rows,
            "boxes": boxes,
            "filters": filters,
            "categories": selectors.case_categories(),
            "states": State.choices,
            "query": params.urlencode(),
            "can_report": scope.has("cases.report"),
            "can_keys": scope.has("cases.manage"),
            "can_visits": scope.has("visits.view"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    _need(scope, "cases.report")
    form = ReportForm(
        request.POST or None,
        request.FILES or None,
        areas=selectors.report_areas(scope),
        categories=selectors.case_categories(),
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_report(
                actor=request_user(request),
                area=d["area"],
                category=d["category"],
                description=d["description"],
                title=d["title"],
                priority=d["priority"],
                address=d["address"],
                reporter_name=d["reporter_name"],
                reporter_phone=d["reporter_phone"],
                photos=d["photos"],
                source=Source.GRID if not scope.has("cases.manage") else Source.WEB,
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(
                request, gettext("事件已上报，查询码 %(code)s。") % {"code": case.tracking_code}
            )
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/form.html", {"form": form})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    case = selectors.get_case_for(scope, pk)
    now = timezone.now()
    actions = [
        (action, services.ACTION_LABELS[action])
        for action, (froms, _to, perm) in services.TRANSITIONS.items()
        if case.state in froms and selectors.can(scope, case, perm)
    ]
    can_manage = selectors.can(scope, case, "cases.manage")
    duplicates = (
        selectors.possible_duplicates(case)
        if can_manage and case.state in services.MERGEABLE_STATES
        else []
    )
    events = list(selectors.case_history(scope, case))
    return render(
        request,
        "cases/detail.html",
        {
            "case": case,
            "light": selectors.light(case, now),
            "events": events,
            "photos": selectors.case_photos(case),
            "actions": actions,
            "agencies": selectors.agencies() if can_manage else [],
            "duplicates": duplicates,
            "can_photo": can_manage or selectors.can(scope, case, "cases.handle"),
            "note_required": services.NOTE_REQUIRED,
            "note_labels": [
                str(label) for action, label in actions if action in services.NOTE_REQUIRED
            ],
            "media": selectors.case_media(case),
            "map_tiles": getattr(settings, "TONGXIN_MAP_TILES", "") or "",
        },
    )


@login_required
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = request_scope(request)
    case = selectors.get_case_for(scope, pk)
    if action not in services.TRANSITIONS:
        raise Http404
    perm = services.TRANSITIONS[action][2]
    if not selectors.can(scope, case, perm):
        raise Http404
    agency = None
    agency_pk = parse_pk(request.POST.get("agency", ""))
    if agency_pk is not None:
        agency = selectors.agencies().filter(pk=agency_pk).first()
    try:
        services.case_transition(
            actor=request_user(request),
            case=case,
            action=action,
            note=request.POST.get("note", ""),
            reply=request.POST.get("reply", ""),
            agency=agency,
        )
    except ConflictError as e:
        # Not allowed from the case's state: 409 with the reason, on the case page itself.
        messages.error(request, e.message)
        response = detail(request, case.pk)
        response.status_code = 409
        return response
    except ServiceError as e:
        messages.error(
            request,
            e.fields.get("note") or e.fields.get("reply") or e.fields.get("agency") or e.message,
        )
        return redirect("cases:detail", pk=case.pk)
    done = {
        "grid_call": gettext("已网格呼叫，事件转街道受理。"),
        "grid_resolve": gettext("已就地解决，等待街道核查。"),
    }.get(action) or gettext("已%(action)s。") % {"action": services.ACTION_LABELS[action]}
    messages.success(request, done)
    return redirect("cases:detail", pk=case.pk)


@login_required
@require_POST
def merge(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    case = selectors.get_case_for(scope, pk)
    if not selectors.can(scope, case, "cases.manage"):
        raise Http404
    into = selectors.get_case_for(scope, request.POST.get("into", ""))
    try:
        services.case_merge(actor=request_user(request), case=case, into=into)
    except ServiceError as e:
        messages.error(request, e.message)
        return redirect("cases:detail", pk=case.pk)
    messages.success(request, gettext("已合并到事件 %(code)s。") % {"code": into.tracking_code})
    return redirect("cases:detail", pk=into.pk)


@login_required
@require_POST
def add_photos(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    case = selectors.get_case_for(scope, pk)
    if not (
        selectors.can(scope, case, "cases.manage") or selectors.can(scope, case, "cases.handle")
    ):
        raise Http404
    try:
        n = services.case_add_photos(
            actor=request_user(request), case=case, photos=request.FILES.getlist("photos")
        )
    except ServiceError as e:
        messages.error(request, e.fields.get("photos") or e.message)
    else:
        messages.success(request, gettext("已上传%(n)s张照片。") % {"n": n})
    return redirect("cases:detail", pk=case.pk)


@login_required
def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    p = selectors.get_photo_for(request_scope(request), pk, photo_pk)
    return uploads.serve(p.file, p.content_type, f"case-{pk}-photo-{p.pk}")


# ---------------------------------------------------------------- residents


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest) -> HttpResponse:
    resident = page_resident(request, gettext("只有登记的居民可以报事，请先到社区登记。"))
    form = ResidentReportForm(
        request.POST or None,
        request.FILES or None,
        areas=selectors.resident_areas(resident),
        categories=selectors.case_categories(),
        initial={"area": resident.home_id},
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            case = services.case_report_resident(
                actor=request_user(request),
                resident=resident,
                area=d["area"],
                category=d["category"],
                description=d["description"],
                address=d["address"],
                photos=d["photos"],
                latitude=d["latitude"],
                longitude=d["longitude"],
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(
                request,
                gettext("已收到您反映的问题，查询码 %(code)s，可凭查询码查看办理进度。")
                % {"code": case.tracking_code},
            )
            return redirect("cases:mine_detail", pk=case.pk)
    return render(
        request,
        "cases/report.html",
        {
            "form": form,
            "points": selectors.resident_map_points(resident),
            "map_tiles": getattr(settings, "TONGXIN_MAP_TILES", "") or "",
        },
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    page_resident(request, gettext("只有登记的居民可以报事，请先到社区登记。"))
    page = paginate(request, selectors.resident_cases(request.user))
    return render(request, "cases/mine.html", {"page": page})


@login_required
def mine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.resident_case_for(request.user, pk)
    return render(
        request,
        "cases/mine_detail.html",
        {
            "case": case,
            "events": selectors.resident_history(case),
            "photos": selectors.case_photos(case),
            "can_rate": case.state == "closed" and case.rating is None,
        },
    )


@login_required
@require_POST
def rate(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.resident_case_for(request.user, pk)  # someone else's case: 404
    try:
        rating = int(request.POST.get("rating", "0"))
    except ValueError:
        rating = 0
    try:
        case = services.case_rate(
            actor=request_user(request), case=case, rating=rating, note=request.POST.get("note", "")
        )
    except ServiceError as e:
        messages.error(request, e.fields.get("rating") or e.message)
    else:
        if case.state == "closed":
            messages.success(request, gettext("感谢您的评价。"))
        else:
            messages.success(request, gettext("很抱歉没有让您满意，事件已重新交办。"))
    return redirect("cases:mine_detail", pk=case.pk)


@login_required
def mine_photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    case = selectors.resident_case_for(request.user, pk)
    p = selectors.case_photos(case).filter(pk=parse_pk(photo_pk) or 0).first()
    if p is None:
        raise Http404
    return uploads.serve(p.file, p.content_type, f"case-{pk}-photo-{p.pk}")


def track(request: HttpRequest) -> HttpResponse:
    """Follow a case by its tracking code, signed in or not: the category, state and dates
    only (no names, phones, description or notes)."""
    code = request.GET.get("code", "").strip()
    case = None
    error = ""
    if code:
        try:
            case = selectors.public_case_by_code(code)
        except Http404 as e:
            error = str(e)
    base = "cases/track.html"
    return render(
        request,
        base,
        {
            "case": case,
            "code": code,
            "error": error,
            "label": State(case.state).label if case else "",
        },
    )


# ---------------------------------------------------------------- Open311 keys


@login_required
@require_http_methods(["GET", "POST"])
def keys(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    _need(scope, "cases.manage")
    form = ApiKeyForm(request.POST or None, areas=selectors.key_areas(scope))
    raw = ""
    if request.method == "POST" and form.is_valid():
        try:
            _key, raw = services.api_key_issue(
                actor=request_user(request),
                name=form.cleaned_data["name"],
                area=form.cleaned_data["area"],
                per_minute=form.cleaned_data["per_minute"],
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            form = ApiKeyForm(areas=selectors.key_areas(scope))
    page = paginate(request, selectors.api_keys_for(scope))
    response = render(request, "cases/keys.html", {"form": form, "page": page, "raw": raw})
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    _need(scope, "cases.manage")
    key = selectors.get_api_key_for(scope, pk)
    try:
        services.api_key_revoke(actor=request_user(request), key=key)
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, gettext("密钥已吊销。"))
    return redirect("cases:keys")
