"""Staff pages (desktop first, work at 375 px): managing sites, their door screen, lessons,
and a branch's group visits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.centers.hours import parse_closed_dates, parse_opening_hours
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error, set_queryset
from tongxin.core.pagination import paginate
from tongxin.core.scope import Scope, request_scope
from tongxin.meetings.card import qr_svg_data_uri
from tongxin.redmap import door, selectors, services
from tongxin.redmap.checks import SiteInput
from tongxin.redmap.forms import BookForm, FileForm, LessonForm, RouteForm, SiteForm
from tongxin.redmap.models import RedSite
from tongxin.redmap.views import base_for


def _manager(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not scope.has(selectors.PERM):
        raise Http404
    return scope


def _site_form(scope: Scope, data: object = None, initial: object = None) -> SiteForm:
    form = SiteForm(data, initial=initial)  # type: ignore[arg-type]
    set_queryset(form.fields["org"], selectors.site_org_choices(scope))
    set_queryset(form.fields["area"], selectors.site_area_choices(scope))
    return form


def _save_site(request: HttpRequest, scope: Scope, form: SiteForm, site: RedSite | None):
    d = form.cleaned_data
    try:
        data = SiteInput(
            name=d["name"],
            kind=d["kind"],
            address=d["address"],
            area=d["area"],
            org=d["org"],
            latitude=d["latitude"],
            longitude=d["longitude"],
            capacity=d["capacity"],
            radius_m=d["radius_m"],
            story=d["story"],
            opening_hours=parse_opening_hours(d["hours_text"] or ""),
            closed_dates=parse_closed_dates(d["closed_text"] or ""),
        )
        user = request_user(request)
        if site is None:
            return services.site_create(scope=scope, actor=user, data=data)
        return services.site_update(
            scope=scope, actor=user, site=site, data=data, is_active=d["is_active"]
        )
    except ServiceError as err:
        apply_service_error(form, err)
        return None


@login_required
@require_http_methods(["GET", "POST"])
def site_create(request: HttpRequest) -> HttpResponse:
    scope = _manager(request)
    form = _site_form(scope, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        site = _save_site(request, scope, form, None)
        if site is not None:
            messages.success(request, gettext("已登记红色基地。"))
            return redirect("redmap:site", site.pk)
    return render(request, "redmap/site_form.html", {"form": form, "site": None})


@login_required
@require_http_methods(["GET", "POST"])
def site_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    site = selectors.get_site_for(scope, pk)
    if request.method == "POST":
        form = _site_form(scope, request.POST)
        if form.is_valid() and _save_site(request, scope, form, site) is not None:
            messages.success(request, gettext("已保存。"))
            return redirect("redmap:site_edit", site.pk)
    else:
        form = _site_form(scope, initial=SiteForm.initial_for(site))
    return render(
        request,
        "redmap/site_form.html",
        {
            "form": form,
            "site": site,
            "file_form": FileForm(),
            "photos": selectors.site_photos(site),
        },
    )


@login_required
@require_POST
def site_file(request: HttpRequest, pk: int) -> HttpResponse:
    """A photo of the site, or (``lesson`` given) a file of one of its lessons."""
    scope = request_scope(request)
    site = selectors.get_site_for(scope, pk)
    lesson = None
    if request.POST.get("lesson"):
        lesson = selectors.get_lesson(scope, request.POST["lesson"])
    form = FileForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, gettext("请选择要上传的文件。"))
    else:
        try:
            services.site_file_add(
                scope=scope,
                actor=request_user(request),
                site=site,
                f=form.cleaned_data["file"],
                lesson=lesson,
            )
            messages.success(request, gettext("已上传。"))
        except ServiceError as err:
            messages.error(request, err.message)
    if lesson is not None:
        return redirect("redmap:lesson", lesson.pk)
    return redirect("redmap:site_edit", site.pk)


@login_required
@require_GET
def site_door(request: HttpRequest, pk: int) -> HttpResponse:
    """The door screen: today's code and its QR (print it, or leave the page open on a screen:
    it loads itself again when the day changes and so shows the new code)."""
    scope = request_scope(request)
    site = selectors.get_site_for(scope, pk)
    today = selectors.local_today()
    url = request.build_absolute_uri(reverse("redmap:checkin", args=[site.pk]))
    target = f"{url}?code={door.full_code(site, today)}"
    response = render(
        request,
        "redmap/door.html",
        {
            "site": site,
            "code": door.code_for(site, today),
            "qr": qr_svg_data_uri(target),
            "today": today,
        },
    )
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def site_door_reset(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    site = selectors.get_site_for(scope, pk)
    services.door_reset(scope=scope, actor=request_user(request), site=site)
    messages.success(request, gettext("已更换打卡码，此前打印的二维码全部失效。"))
    return redirect("redmap:door", site.pk)


@login_required
@require_http_methods(["GET", "POST"])
def lesson_create(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    site = selectors.get_site_for(scope, pk)
    form = LessonForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            lesson = services.lesson_create(
                scope=scope,
                actor=request_user(request),
                site=site,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ServiceError as err:
            apply_service_error(form, err)
        else:
            messages.success(request, gettext("已发布课程，可继续上传图片和附件。"))
            return redirect("redmap:lesson", lesson.pk)
    return render(request, "redmap/lesson_form.html", {"form": form, "site": site})


@login_required
@require_http_methods(["GET", "POST"])
def route_create(request: HttpRequest) -> HttpResponse:
    scope = _manager(request)
    form = RouteForm(
        request.POST if request.method == "POST" else None,
        sites=selectors.site_queryset(scope).only("id", "name").order_by("area_path", "name"),
    )
    set_queryset(form.fields["org"], selectors.site_org_choices(scope))
    if request.method == "POST" and form.is_valid():
        try:
            route = services.route_create(
                scope=scope,
                actor=request_user(request),
                org=form.cleaned_data["org"],
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                sites=form.stops(),
            )
        except ServiceError as err:
            apply_service_error(form, err)
        else:
            messages.success(request, gettext("已发布线路。"))
            return redirect("redmap:route", route.pk)
    return render(request, "redmap/route_form.html", {"form": form})


# ---- group visits --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    branches = selectors.booking_branch_choices(scope)
    if not branches.exists():
        raise Http404
    site = selectors.get_site(scope, pk)
    form = BookForm(request.POST if request.method == "POST" else None)
    set_queryset(form.fields["branch"], branches)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            visit = services.visit_book(
                scope=scope,
                actor=request_user(request),
                site=site,
                branch=d["branch"],
                date=d["date"],
                start_time=d["start_time"],
                end_time=d["end_time"],
                people=d["people"],
            )
        except ServiceError as err:
            apply_service_error(form, err)
        else:
            messages.success(request, gettext("已预约，并已安排为本支部的主题党日。"))
            return redirect("redmap:visit", visit.pk)
    return render(
        request, "redmap/book.html", {"base": base_for(request), "form": form, "site": site}
    )


@login_required
@require_GET
def visits(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not scope.has("meetings.view"):
        raise Http404
    return render(
        request, "redmap/visits.html", {"page": paginate(request, selectors.visit_list(scope))}
    )


@login_required
@require_GET
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    visit = selectors.get_visit_for(scope, pk)
    present = selectors.visit_checkins(visit)
    members = selectors.branch_member_count(visit.branch)
    return render(
        request,
        "redmap/visit.html",
        {
            "visit": visit,
            "present": present,
            "need": selectors.threshold(visit, members),
            "members": members,
            "can_cancel": selectors.may_book_for(scope, visit.branch),
        },
    )


@login_required
@require_POST
def visit_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    visit = selectors.get_visit_for(scope, pk)
    try:
        services.visit_cancel(scope=scope, actor=request_user(request), visit=visit)
        messages.success(request, gettext("已取消预约，对应的主题党日安排已一并取消。"))
    except ServiceError as err:
        messages.error(request, err.message)
    return redirect("redmap:visit", visit.pk)
