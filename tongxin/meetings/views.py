from __future__ import annotations

import datetime as dt
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.core import uploads
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.pagination import paginate
from tongxin.core.replica import reads_from_replica
from tongxin.core.request_context import is_htmx
from tongxin.core.scope import request_scope
from tongxin.meetings import selectors, services
from tongxin.meetings.forms import (
    AttachmentForm,
    CheckInForm,
    GuestForm,
    PlanForm,
    RecordForm,
    ReviewForm,
    SeriesForm,
)
from tongxin.meetings.models import AttendanceState, Meeting, MeetingKind, MeetingStatus
from tongxin.orgs.selectors import get_org_for


def _need(request: HttpRequest, perm: str) -> None:
    if not request_scope(request).has(perm):
        raise Http404(gettext("页面不存在或不在您的管辖范围内。"))


def _month(request: HttpRequest) -> tuple[int, int]:
    text = request.GET.get("month", "")
    try:
        year, _sep, month = text.partition("-")
        d = dt.date(int(year), int(month), 1)
        if 2000 <= d.year <= 2100:
            return d.year, d.month
    except ValueError:
        pass
    today = selectors.local_today()
    return today.year, today.month


def _shift(year: int, month: int, by: int) -> str:
    n = year * 12 + (month - 1) + by
    return f"{n // 12:04d}-{n % 12 + 1:02d}"


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The month's calendar (desktop) and the month's meetings as a list (phone and desktop)."""
    scope = request_scope(request)
    _need(request, "meetings.view")
    org = get_org_for(scope, request.GET["org"]) if request.GET.get("org") else None
    kind = request.GET.get("kind", "") if request.GET.get("kind") in MeetingKind.values else ""
    status = request.GET.get("status", "")
    status = status if status in MeetingStatus.values else ""
    year, month = _month(request)
    filters = selectors.MeetingFilters(org=org, kind=kind, status=status)
    weeks = selectors.month_calendar(scope, filters, year, month)
    filters.start, filters.end = weeks[0][0].date, weeks[-1][-1].date
    filters.start = dt.date(year, month, 1)
    filters.end = max(d.date for d in weeks[-1] if d.in_month)
    page = paginate(request, selectors.meeting_list(scope, filters))
    params = QueryDict(mutable=True)
    for key, value in (("org", org.pk if org else ""), ("kind", kind), ("status", status)):
        if value:
            params[key] = str(value)
    base = params.urlencode()
    params["month"] = f"{year:04d}-{month:02d}"
    return render(
        request,
        "meetings/index.html",
        {
            "weeks": weeks,
            "page": page,
            "year": year,
            "month": month,
            "org": org,
            "kind": kind,
            "status": status,
            "kinds": MeetingKind.choices,
            "statuses": MeetingStatus.choices,
            "query": params.urlencode(),
            "base": base,
            "prev_month": _shift(year, month, -1),
            "next_month": _shift(year, month, 1),
            "today": selectors.local_today(),
            "can_manage": scope.has("meetings.manage"),
            "weekday_names": [
                gettext("一"),
                gettext("二"),
                gettext("三"),
                gettext("四"),
                gettext("五"),
                gettext("六"),
                gettext("日"),
            ],
        },
    )


def _plan_input(org, cleaned: dict) -> services.PlanInput:
    fields = {k: v for k, v in cleaned.items() if k != "org"}
    return services.PlanInput(org=org, **fields)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    _need(request, "meetings.manage")
    orgs = selectors.meeting_org_choices(scope)
    initial: dict[str, object] = {
        "date": request.GET.get("date") or selectors.local_today(),
        "start_time": "19:00",
        "end_time": "20:30",
    }
    if request.GET.get("org"):
        initial["org"] = get_org_for(scope, request.GET["org"], "meetings.manage").pk
    if request.GET.get("kind") in MeetingKind.values:
        initial["kind"] = request.GET["kind"]
    form = PlanForm(request.POST or None, orgs=orgs, initial=initial)
    if request.method == "POST" and form.is_valid():
        org = get_org_for(scope, form.cleaned_data["org"].pk, "meetings.manage")
        try:
            meeting = services.meeting_plan(
                scope=request_scope(request),
                actor=request_user(request),
                data=_plan_input(org, form.cleaned_data),
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已安排会议“%(t)s”。") % {"t": meeting.title})
            return redirect("meetings:detail", pk=meeting.pk)
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "title": gettext("安排会议"),
            "cancel_url": reverse("meetings:index"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for(request_scope(request), pk, "meetings.manage")
    initial = {
        f: getattr(meeting, f)
        for f in (
            "kind",
            "title",
            "date",
            "start_time",
            "end_time",
            "location",
            "presenter",
            "recorder",
        )
    }
    form = PlanForm(request.POST or None, initial=initial, fixed_org=True)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_update(
                scope=request_scope(request),
                actor=request_user(request),
                meeting=meeting,
                data=_plan_input(meeting.org, form.cleaned_data),
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已保存。"))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "title": gettext("修改会议安排"),
            "meeting": meeting,
            "cancel_url": reverse("meetings:detail", args=[meeting.pk]),
        },
    )


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    meeting = selectors.get_meeting_for(scope, pk)
    can_manage = selectors.can(scope, "meetings.manage", meeting)
    rows = selectors.roll(meeting)
    return render(
        request,
        "meetings/detail.html",
        {
            "meeting": meeting,
            "rows": rows,
            "attachments": selectors.attachments(meeting),
            "can_manage": can_manage,
            "can_review": selectors.can(scope, "meetings.review", meeting),
            "attachment_form": AttachmentForm(),
            "review_form": ReviewForm(),
            "counts": selectors.roll_counts(rows),
            "absent": [r for r in rows if r.state == AttendanceState.ABSENT],
            "is_today": meeting.date == selectors.local_today(),
        },
    )


@login_required
@require_POST
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for(request_scope(request), pk, "meetings.manage")
    try:
        services.meeting_cancel(
            scope=request_scope(request), actor=request_user(request), meeting=meeting
        )
        messages.success(request, gettext("会议已取消。"))
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect("meetings:detail", pk=meeting.pk)


def _attendance_from_post(request: HttpRequest, rows: list) -> dict[int, tuple[str, str]]:
    out = {}
    for r in rows:
        state = request.POST.get(f"att_{r.member_id}", "")
        if state:
            out[r.member_id] = (state, request.POST.get(f"reason_{r.member_id}", ""))
    return out


@login_required
@require_http_methods(["GET", "POST"])
def record(request: HttpRequest, pk: int) -> HttpResponse:
    """The minutes: topic, presenter, recorder, content, decisions and each member's attendance."""
    meeting = selectors.get_meeting_for(request_scope(request), pk, "meetings.manage")
    rows = selectors.roll(meeting)
    initial = {
        f: getattr(meeting, f) for f in ("title", "presenter", "recorder", "content", "decisions")
    }
    form = RecordForm(request.POST or None, initial=initial)
    error = ""
    if request.method == "POST":
        posted = _attendance_from_post(request, rows)
        for r in rows:
            if r.member_id in posted:
                r.state, r.reason = posted[r.member_id]
        if form.is_valid():
            data = services.RecordInput(attendance=posted, **form.cleaned_data)
            try:
                services.meeting_record(
                    scope=request_scope(request),
                    actor=request_user(request),
                    meeting=meeting,
                    data=data,
                )
            except ServiceError as e:
                apply_service_error(form, e)
                error = e.fields.get("attendance", "")
            else:
                messages.success(request, gettext("会议记录已保存，会议已记为已召开。"))
                return redirect("meetings:detail", pk=meeting.pk)
    return render(
        request,
        "meetings/record.html",
        {
            "form": form,
            "meeting": meeting,
            "rows": rows,
            "attendance_error": error,
            "counts": selectors.roll_counts(rows),
            "states": AttendanceState.choices,
        },
    )


def _checkin_context(request: HttpRequest, meeting: Meeting) -> dict[str, object]:
    scope = request_scope(request)
    rows = selectors.roll(meeting)
    return {
        "meeting": meeting,
        "rows": rows,
        "form": CheckInForm(),
        "guest_form": GuestForm(members=selectors.guest_candidates(scope, meeting)),
        "counts": selectors.roll_counts(rows),
        "is_today": meeting.date == selectors.local_today(),
    }


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """Staff check-in: a scanned QR (BarcodeDetector, meetings-checkin.js), a typed short code,
    or roll call. htmx posts get the result and the refreshed roll back."""
    meeting = selectors.get_meeting_for(request_scope(request), pk, "meetings.manage")
    result, ok = "", False
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if not form.is_valid():
            result = gettext("请扫描党员卡二维码或输入签到码。")
        else:
            try:
                att = services.meeting_check_in(
                    scope=request_scope(request),
                    actor=request_user(request),
                    meeting=meeting,
                    text=form.cleaned_data["code"],
                )
            except ServiceError as e:
                result = e.message
            else:
                ok = True
        if is_htmx(request):
            ctx = _checkin_context(request, meeting)
            if ok:
                rows = cast("list[selectors.RollRow]", ctx["rows"])
                name = next((r.name for r in rows if r.member_id == att.member_id), "")
                result = gettext("%(name)s 签到成功。") % {"name": name}
            ctx.update(result=result, ok=ok)
            return render(request, "meetings/_checkin_result.html", ctx)
        if ok:
            result = gettext("%(name)s 签到成功。") % {"name": att.member.name}
        (messages.success if ok else messages.error)(request, result)
        return redirect("meetings:checkin", pk=meeting.pk)
    return render(request, "meetings/checkin.html", _checkin_context(request, meeting))


@login_required
@require_POST
def roll_call(request: HttpRequest, pk: int, member_id: int) -> HttpResponse:
    meeting = selectors.get_meeting_for(request_scope(request), pk, "meetings.manage")
    present = request.POST.get("present") == "1"
    result, ok = "", True
    try:
        services.meeting_roll_call(
            scope=request_scope(request),
            actor=request_user(request),
            meeting=meeting,
            member_id=member_id,
            present=present,
        )
    except ServiceError as e:
        result, ok = e.message, False
    if is_htmx(request):
        ctx = _checkin_context(request, meeting)
        ctx.update(result=result, ok=ok)
        return render(request, "meetings/_checkin_result.html", ctx)
    if result:
        messages.error(request, result)
    return redirect("meetings:checkin", pk=meeting.pk)


@login_required
@require_POST
def guest_add(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    meeting = selectors.get_meeting_for(scope, pk, "meetings.manage")
    form = GuestForm(request.POST, members=selectors.guest_candidates(scope, meeting))
    if form.is_valid():
        try:
            services.meeting_guest_add(
                scope=request_scope(request),
                actor=request_user(request),
                meeting=meeting,
                member=form.cleaned_data["member"],
            )
            messages.success(request, gettext("已添加列席人员。"))
        except ServiceError as e:
            messages.error(request, e.message)
    else:
        messages.error(request, gettext("请选择要添加的列席党员。"))
    return redirect("meetings:checkin", pk=meeting.pk)


@login_required
@require_POST
def attach(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for(request_scope(request), pk, "meetings.manage")
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.meeting_attach(
                scope=request_scope(request),
                actor=request_user(request),
                meeting=meeting,
                f=form.cleaned_data["file"],
            )
            messages.success(request, gettext("附件已上传。"))
        except ServiceError as e:
            messages.error(request, e.message)
    else:
        messages.error(request, gettext("请选择要上传的文件。"))
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_GET
def attachment(request: HttpRequest, pk: int) -> HttpResponseBase:
    att = selectors.get_attachment_for(request_scope(request), pk)
    return uploads.serve(
        att.name, att.content_type, f"meeting-{att.meeting_id}-attachment-{att.pk}"
    )


@login_required
@require_POST
def review(request: HttpRequest, pk: int) -> HttpResponse:
    meeting = selectors.get_meeting_for(request_scope(request), pk, "meetings.review")
    form = ReviewForm(request.POST)
    if form.is_valid():
        try:
            services.meeting_review(
                scope=request_scope(request),
                actor=request_user(request),
                meeting=meeting,
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
            )
            messages.success(request, gettext("审核意见已保存。"))
        except ServiceError as e:
            messages.error(request, e.message)
    return redirect("meetings:detail", pk=meeting.pk)


@login_required
@require_GET
def series_list(request: HttpRequest) -> HttpResponse:
    _need(request, "meetings.view")
    page = paginate(request, selectors.series_list(request_scope(request)))
    return render(
        request,
        "meetings/series_list.html",
        {
            "page": page,
            "can_manage": request_scope(request).has("meetings.manage"),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def series_create(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    _need(request, "meetings.manage")
    today = selectors.local_today()
    form = SeriesForm(
        request.POST or None,
        orgs=selectors.meeting_org_choices(scope),
        initial={"starts_on": today, "ends_on": today.replace(month=12, day=31)},
    )
    if request.method == "POST" and form.is_valid():
        cd = dict(form.cleaned_data)
        org = get_org_for(scope, cd.pop("org").pk, "meetings.manage")
        if cd.get("weekday") == "":
            cd["weekday"] = None
        try:
            _series, n = services.series_create(
                scope=request_scope(request),
                actor=request_user(request),
                data=services.SeriesInput(org=org, **cd),
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已生成%(n)d场计划会议。") % {"n": n})
            return redirect("meetings:series")
    return render(
        request,
        "meetings/form.html",
        {
            "form": form,
            "title": gettext("周期性会议计划"),
            "cancel_url": reverse("meetings:series"),
            "hint": gettext(
                "例如：周二夜学（每周二晚）、每月固定主题党日。一次最多生成一年的计划会议。"
            ),
        },
    )


@login_required
@require_GET
@reads_from_replica()
def compliance(request: HttpRequest) -> HttpResponse:
    """Which branches in reach fall behind: the warnings list."""
    scope = request_scope(request)
    _need(request, "meetings.view")
    org = get_org_for(scope, request.GET["org"]) if request.GET.get("org") else None
    state = request.GET.get("state", "")
    rows = selectors.compliance(scope, org=org)
    counts = dict.fromkeys(selectors.STATE_LABELS, 0)
    for r in rows:
        counts[r.state] += 1
    if state in selectors.STATE_LABELS:
        rows = [r for r in rows if r.state == state]
    else:
        state = ""
        rows.sort(key=lambda r: -selectors.STATE_RANK[r.state])
    page = Paginator(rows, 20).get_page(request.GET.get("page"))
    params = QueryDict(mutable=True)
    if org:
        params["org"] = str(org.pk)
    if state:
        params["state"] = state
    return render(
        request,
        "meetings/compliance.html",
        {
            "page": page,
            "org": org,
            "state": state,
            "counts": counts,
            "total": sum(counts.values()),
            "labels": selectors.STATE_LABELS,
            "query": params.urlencode(),
        },
    )
