"""Pages of 双报到: the list (my members' reports / reports to my communities), filing a report
from the member page, the report with its hours, the community's decisions; and a member's own
page (我的双报到), where they file their own report and see their reports and hours."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error, offer
from tongxin.core.pagination import paginate
from tongxin.core.scope import request_scope
from tongxin.dual_reports import selectors, services
from tongxin.dual_reports.forms import DualReportForm, HoursForm, OwnReportForm, parse_hours
from tongxin.dual_reports.models import OPEN_DUAL_REPORT_STATUSES, DualReport
from tongxin.members.selectors import get_member_for, member_queryset, own_member
from tongxin.orgs.selectors import get_org_for

TAB_LABELS = {"members": _("本组织党员"), "community": _("到本社区报到")}
ACTIONS = ("accept", "decline", "end", "hours")


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    tab = request.GET.get("tab", "members")
    if tab not in selectors.DUAL_TABS:
        tab = "members"
    org = get_org_for(scope, request.GET["org"]) if request.GET.get("org") else None
    page = paginate(request, selectors.dual_report_list(scope, tab, org))
    for r in page:
        r.hours_label = selectors.hours_text(r.total_minutes)
    query = f"tab={tab}" + (f"&org={org.pk}" if org else "")
    return render(
        request,
        "dual_reports/list.html",
        {
            "page": page,
            "tab": tab,
            "tabs": TAB_LABELS.items(),
            "org": org,
            "query": query,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request: HttpRequest, member_pk: int) -> HttpResponse:
    scope = request_scope(request)
    member = get_member_for(scope, member_pk, "members.manage")
    default = selectors.residence_community(member)
    form = DualReportForm(
        request.POST or None,
        initial={"community": default.pk if default else None, "reported_on": timezone.localdate()},
    )
    offer(form.fields["community"], selectors.community_choices(), selected=default)
    if request.method == "POST" and form.is_valid():
        try:
            r = services.dual_report_create(
                actor=request_user(request), scope=scope, member=member, **form.cleaned_data
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已登记双报到，等待社区接收。"))
            return redirect("dual_reports:detail", pk=r.pk)
    return render(request, "dual_reports/form.html", {"member": member, "form": form})


def _detail(
    request: HttpRequest, r: DualReport, hours_form: HoursForm | None = None
) -> HttpResponse:
    scope = request_scope(request)
    community_side = selectors.manages_community(scope, r.community)
    member_side = scope.reaches_org("members.manage", r.member.org_path)
    page = paginate(request, selectors.dual_report_hours(r))
    return render(
        request,
        "dual_reports/detail.html",
        {
            "r": r,
            "page": page,
            "community_side": community_side,
            "member_side": member_side,
            "hours_form": hours_form or HoursForm(initial={"served_on": timezone.localdate()}),
            "total": selectors.hours_text(r.total_minutes),  # type: ignore[attr-defined]
            "can_see_member": member_queryset(scope).filter(pk=r.member_id).exists(),
        },
    )


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = selectors.get_dual_report_for(request_scope(request), pk)
    return _detail(request, r)


@login_required
@require_POST
def report_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = request_scope(request)
    if action not in ACTIONS:
        raise Http404
    r = selectors.get_dual_report_for(scope, pk)
    if action == "hours":
        r = selectors.get_dual_report_for(scope, pk, "community")
        form = HoursForm(request.POST)
        if form.is_valid():
            try:
                minutes = parse_hours(form.cleaned_data["hours"])
                services.dual_report_hours_log(
                    actor=request_user(request),
                    scope=scope,
                    dual_report=r,
                    served_on=form.cleaned_data["served_on"],
                    minutes=minutes,
                    note=form.cleaned_data["note"],
                )
            except ServiceError as e:
                if "minutes" in e.fields:
                    e.fields["hours"] = e.fields.pop("minutes")
                apply_service_error(form, e)
            else:
                messages.success(request, gettext("已登记服务时长。"))
                return redirect("dual_reports:detail", pk=r.pk)
        return _detail(request, r, form)
    note = request.POST.get("note", "")[:500]
    actor = request_user(request)
    try:
        if action == "accept":
            services.dual_report_accept(
                actor=actor,
                scope=scope,
                report=r,
                service_post=request.POST.get("service_post", ""),
            )
        elif action == "decline":
            services.dual_report_decline(actor=actor, scope=scope, report=r, note=note)
        else:
            services.dual_report_end(actor=actor, scope=scope, report=r, note=note)
    except ServiceError as e:
        messages.error(request, next(iter(e.fields.values()), e.message))
    else:
        messages.success(request, gettext("已处理。"))
    return redirect("dual_reports:detail", pk=r.pk)


@login_required
@require_http_methods(["GET", "POST"])
def report_mine(request: HttpRequest) -> HttpResponse:
    """我的双报到: a member files their own report (to the community where they live) and
    sees their reports and the hours logged; only their own, whatever their roles."""
    member = own_member(request.user)
    reports = list(selectors.own_dual_reports(request.user)) if member else []
    open_report = next((r for r in reports if r.status in OPEN_DUAL_REPORT_STATUSES), None)
    default = selectors.residence_community(member) if member else None
    form = OwnReportForm(request.POST or None, initial={"community": default})
    offer(form.fields["community"], selectors.community_choices(), selected=default)
    if request.method == "POST":
        if member is None:
            raise Http404
        if form.is_valid():
            try:
                services.dual_report_file_own(actor=request_user(request), **form.cleaned_data)
            except ServiceError as e:
                apply_service_error(form, e)
            else:
                messages.success(request, gettext("已提交双报到，等待社区接收。"))
                return redirect("dual_reports:mine")
    shown = None
    if request.GET.get("report"):
        shown = next((r for r in reports if str(r.pk) == request.GET["report"]), None)
        if shown is None:
            raise Http404(gettext("双报到记录不存在。"))
    elif reports:
        shown = reports[0]
    page = paginate(request, shown.hours.order_by("-served_on", "-id")) if shown else None
    for h in page or []:
        h.label = selectors.hours_text(h.minutes)
    for r in reports:
        r.hours_label = selectors.hours_text(r.total_minutes)  # type: ignore[attr-defined]
    total = sum(r.total_minutes for r in reports)  # type: ignore[attr-defined]
    return render(
        request,
        "dual_reports/mine.html",
        {
            "member": member,
            "reports": reports,
            "open_report": open_report,
            "shown": shown,
            "page": page,
            "form": form,
            "default": default,
            "total_label": selectors.hours_text(total),
            "query": f"report={shown.pk}" if shown else "",
        },
    )
