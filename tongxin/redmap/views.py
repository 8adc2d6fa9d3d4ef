"""The 初心图谱 for everyone signed in: the map and list, a site's page, lessons, routes, the
member's 打卡 (phone first) and their own check-ins."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.accounts.scope import request_user
from tongxin.core import uploads
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.inputs import has_control
from tongxin.core.pagination import paginate
from tongxin.core.permissions import works_at_desk
from tongxin.core.scope import request_scope
from tongxin.redmap import checks, selectors, services
from tongxin.redmap.forms import CheckInForm
from tongxin.redmap.models import SiteKind


def base_for(request: HttpRequest) -> str:
    """Members and residents get the phone layout, staff the console."""
    return "base.html" if works_at_desk(request_scope(request)) else "resident_base.html"


def filters_from(request: HttpRequest) -> selectors.SiteFilters:
    district = request.GET.get("district", "")
    kind = request.GET.get("kind", "")
    q = request.GET.get("q", "")[:50]
    return selectors.SiteFilters(
        district=int(district) if district.isdigit() and len(district) < 10 else None,
        kind=kind if kind in SiteKind.values else "",
        q="" if has_control(q) else q,  # a NUL byte cannot be searched for (PostgreSQL)
    )


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The map (drawn by redmap-map.js from map.json) above the accessible list."""
    scope = request_scope(request)
    f = filters_from(request)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "redmap/index.html",
        {
            "base": base_for(request),
            "page": paginate(request, selectors.site_list(scope, f)),
            "f": f,
            "query": query.urlencode(),
            "kinds": SiteKind.choices,
            "districts": selectors.district_choices(),
            "counts": selectors.kind_counts(scope),
            "can_manage": scope.has(selectors.PERM),
            "show_visits": works_at_desk(scope) and scope.has("meetings.view"),
        },
    )


@login_required
@require_GET
def map_json(request: HttpRequest) -> JsonResponse:
    scope = request_scope(request)
    return JsonResponse(
        {
            "points": selectors.map_points(scope, filters_from(request)),
            "districts": selectors.district_outlines(scope),
        }
    )


@login_required
@require_GET
def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    site = selectors.get_site(scope, pk)
    member = getattr(request.user, "member", None)
    return render(
        request,
        "redmap/site.html",
        {
            "base": base_for(request),
            "site": site,
            "hours": checks.hours_rows(site),
            "photos": selectors.site_photos(site),
            "lessons": selectors.lessons_of(site),
            "routes": selectors.routes_through(site),
            "manage": selectors.may_manage(scope, site),
            "can_book": selectors.booking_branch_choices(scope).exists(),
            "checked_in": member is not None
            and selectors.checked_in_today(site, member, selectors.local_today()),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """打卡 on the phone: the code from the door QR (``?code=``) or typed, and the phone's
    position when it gives one (redmap-checkin.js fills the hidden fields)."""
    scope = request_scope(request)
    site = selectors.get_site(scope, pk)
    user = request_user(request)
    if request.method == "POST":
        form = CheckInForm(request.POST)
        if form.is_valid():
            try:
                row = services.checkin_record(
                    scope=scope,
                    actor=user,
                    site=site,
                    code=form.cleaned_data["code"] or "",
                    latitude=form.cleaned_data["latitude"],
                    longitude=form.cleaned_data["longitude"],
                    accuracy=form.cleaned_data["accuracy"],
                )
            except ServiceError as err:
                apply_service_error(form, err)
            else:
                msg = gettext("打卡成功：%(name)s。") % {"name": site.name}
                if row.visit_id:
                    msg += gettext("已计入本支部的集体参观。")
                messages.success(request, msg)
                return redirect("redmap:mine")
    else:
        form = CheckInForm(initial={"code": request.GET.get("code", "")[:40]})
    return render(
        request,
        "redmap/checkin.html",
        {"base": base_for(request), "site": site, "form": form, "is_member": user.member_id},
    )


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    member = getattr(request.user, "member", None)
    rows: Any = selectors.my_checkins(member) if member is not None else []
    return render(
        request,
        "redmap/mine.html",
        {"base": base_for(request), "page": paginate(request, rows) if member else None},
    )


@login_required
@require_GET
def lesson_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    lesson = selectors.get_lesson(scope, pk)
    return render(
        request,
        "redmap/lesson.html",
        {
            "base": base_for(request),
            "lesson": lesson,
            "files": selectors.lesson_files(lesson),
            "manage": selectors.may_manage(scope, lesson.site),
        },
    )


@login_required
@require_GET
def routes(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    return render(
        request,
        "redmap/routes.html",
        {
            "base": base_for(request),
            "page": paginate(request, selectors.route_list(scope)),
            "can_manage": scope.has(selectors.PERM),
        },
    )


@login_required
@require_GET
def route_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    route = selectors.get_route(scope, pk)
    return render(
        request,
        "redmap/route.html",
        {"base": base_for(request), "route": route, "stops": selectors.route_stops(route)},
    )


@login_required
@require_GET
def file_view(request: HttpRequest, pk: int) -> FileResponse:
    """A site's photo or a lesson's file: public like the site, served with the checked type."""
    row = selectors.get_file(request_scope(request), pk)
    return uploads.serve(row.name, row.content_type, f"redsite-{row.site_id}-file-{row.pk}")
