"""Pages of 双报到: the list (my members' reports / reports to my communities), filing a report
from the member page, the report with its hours, the community's decisions; and a member's own
page (我的双报到), where they file their own report and see their reports and hours."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error, offer
from tongxin.core.pagination import paginate
from tongxin.geo.models import Area
from tongxin.members import dual_report, selectors
from tongxin.members.models import OPEN_DUAL_REPORT_STATUSES
from tongxin.orgs.selectors import get_org_for

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TAB_LABELS = {"members": _("本组织党员"), "community": _("到本社区报到")}


class DualReportForm(forms.Form):
    community = forms.ModelChoiceField(label=_("报到社区（村）"), queryset=Area.objects.none())
    reported_on = forms.DateField(label=_("报到日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class OwnReportForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("报到社区（村）"),
        queryset=Area.objects.none(),
        help_text=_("请选择您居住地所在的社区（村）；社区接收后会为您安排服务岗位。"),
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=200,
        required=False,
        help_text=_("选填，例如可服务的时间、特长。"),
    )


class HoursForm(forms.Form):
    served_on = forms.DateField(label=_("服务日期"), widget=DATE)
    hours = forms.CharField(
        label=_("服务时长（小时）"), max_length=10, help_text=_("例如 1.5 表示1小时30分钟")
    )
    note = forms.CharField(label=_("服务内容"), max_length=200, required=False)


@login_required
def dual_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    tab = request.GET.get("tab", "members")
    if tab not in dual_report.DUAL_TABS:
        tab = "members"
    org = get_org_for(scope, request.GET["org"]) if request.GET.get("org") else None
    page = paginate(request, dual_report.dual_report_list(scope, tab, org))
    for r in page:
        r.hours_label = dual_report.hours_text(r.total_minutes)
    query = f"tab={tab}" + (f"&org={org.pk}" if org else "")
    return render(
        request,
        "members/dual/list.html",
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
def dual_create(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    member = selectors.get_member_for(scope, pk, "members.manage")
    default = dual_report.residence_community(member)
    form = DualReportForm(
        request.POST or None,
        initial={"community": default.pk if default else None, "reported_on": timezone.localdate()},
    )
    offer(form.fields["community"], dual_report.community_choices(), selected=default)
    if request.method == "POST" and form.is_valid():
        try:
            r = dual_report.dual_report_create(
                actor=request.user, member=member, **form.cleaned_data
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已登记双报到，等待社区接收。"))
            return redirect("members:dual_detail", pk=r.pk)
    return render(request, "members/dual/form.html", {"member": member, "form": form})


def _detail(request: HttpRequest, r, hours_form: HoursForm | None = None) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    community_side = dual_report.manages_community(scope, r.community)
    member_side = scope.reaches_org("members.manage", r.member.org_path)
    page = paginate(request, dual_report.dual_report_hours(r))
    return render(
        request,
        "members/dual/detail.html",
        {
            "r": r,
            "page": page,
            "community_side": community_side,
            "member_side": member_side,
            "hours_form": hours_form or HoursForm(initial={"served_on": timezone.localdate()}),
            "total": dual_report.hours_text(r.total_minutes),
            "can_see_member": selectors.member_queryset(scope).filter(pk=r.member_id).exists(),
        },
    )


@login_required
def dual_detail(request: HttpRequest, pk: int) -> HttpResponse:
    r = dual_report.get_dual_report_for(request.scope, pk)  # type: ignore[attr-defined]
    return _detail(request, r)


DUAL_ACTIONS = ("accept", "decline", "end", "hours")


@login_required
@require_POST
def dual_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    if action not in DUAL_ACTIONS:
        raise Http404
    r = dual_report.get_dual_report_for(scope, pk)
    if action == "hours":
        r = dual_report.get_dual_report_for(scope, pk, "community")
        form = HoursForm(request.POST)
        if form.is_valid():
            try:
                minutes = dual_report.parse_hours(form.cleaned_data["hours"])
                dual_report.dual_report_hours_log(
                    actor=request.user,
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
                return redirect("members:dual_detail", pk=r.pk)
        return _detail(request, r, form)
    note = request.POST.get("note", "")[:500]
    try:
        if action == "accept":
            dual_report.dual_report_accept(
                actor=request.user,
                scope=scope,
                report=r,
                service_post=request.POST.get("service_post", ""),
            )
        elif action == "decline":
            dual_report.dual_report_decline(actor=request.user, scope=scope, report=r, note=note)
        else:
            dual_report.dual_report_end(actor=request.user, scope=scope, report=r, note=note)
    except ServiceError as e:
        messages.error(request, next(iter(e.fields.values()), e.message))
    else:
        messages.success(request, gettext("已处理。"))
    return redirect("members:dual_detail", pk=r.pk)


@login_required
@require_http_methods(["GET", "POST"])
def dual_mine(request: HttpRequest) -> HttpResponse:
    """我的双报到: a member files their own report (to the community where they live) and
    sees their reports and the hours logged; only their own, whatever their roles."""
    member = selectors.own_member(request.user)
    reports = list(dual_report.own_dual_reports(request.user)) if member else []
    open_report = next((r for r in reports if r.status in OPEN_DUAL_REPORT_STATUSES), None)
    default = dual_report.residence_community(member) if member else None
    form = OwnReportForm(request.POST or None, initial={"community": default})
    offer(form.fields["community"], dual_report.community_choices(), selected=default)
    if request.method == "POST":
        if member is None:
            raise Http404
        if form.is_valid():
            try:
                dual_report.dual_report_file_own(actor=request.user, **form.cleaned_data)
            except ServiceError as e:
                apply_service_error(form, e)
            else:
                messages.success(request, gettext("已提交双报到，等待社区接收。"))
                return redirect("members:dual_mine")
    shown = None
    if request.GET.get("report"):
        shown = next((r for r in reports if str(r.pk) == request.GET["report"]), None)
        if shown is None:
            raise Http404(gettext("双报到记录不存在。"))
    elif reports:
        shown = reports[0]
    page = paginate(request, shown.hours.order_by("-served_on", "-id")) if shown else None
    for h in page or []:
        h.label = dual_report.hours_text(h.minutes)
    for r in reports:
        r.hours_label = dual_report.hours_text(r.total_minutes)  # type: ignore[attr-defined]
    total = sum(r.total_minutes for r in reports)  # type: ignore[attr-defined]
    return render(
        request,
        "members/dual/mine.html",
        {
            "member": member,
            "reports": reports,
            "open_report": open_report,
            "shown": shown,
            "page": page,
            "form": form,
            "default": default,
            "total_label": dual_report.hours_text(total),
            "query": f"report={shown.pk}" if shown else "",
        },
    )
