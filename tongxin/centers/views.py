from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.centers import hours, selectors, services
from tongxin.centers.forms import (
    BookingForm,
    CenterForm,
    EventForm,
    ItemForm,
    RoomForm,
    SocialOrgForm,
)
from tongxin.centers.models import (
    WEEKDAYS,
    CenterLevel,
    ServiceCenter,
    SocialOrganization,
    SocialOrgKind,
)
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error, offer, set_choices
from tongxin.core.pagination import paginate
from tongxin.core.scope import request_scope
from tongxin.orgs.selectors import org_queryset

DAY_LABELS = dict(
    zip(
        WEEKDAYS,
        [
            gettext_lazy("周一"),
            gettext_lazy("周二"),
            gettext_lazy("周三"),
            gettext_lazy("周四"),
            gettext_lazy("周五"),
            gettext_lazy("周六"),
            gettext_lazy("周日"),
        ],
        strict=True,
    )
)


STAFF_PERMS = (
    "members.view",
    "centers.manage",
    "volunteering.manage",
    "orgs.manage",
    "cases.view",
    "geo.view",
)


def _base(request: HttpRequest) -> str:
    """Residents and plain members (no working role) get the phone layout."""
    scope = request_scope(request)
    staff = scope.is_superuser or any(scope.has(p) for p in STAFF_PERMS)
    return "base.html" if staff else "resident_base.html"


@login_required
def hub(request: HttpRequest) -> HttpResponse:
    """服务: the four services, each shown to whoever may use it."""
    scope = request_scope(request)
    return render(
        request,
        "centers/hub.html",
        {
            "base": _base(request),
            "manages_centers": scope.has("centers.manage"),
            "manages_volunteering": scope.has("volunteering.manage"),
            "views_social": scope.has("orgs.view"),
        },
    )


def _hours_rows(hours: dict[str, list[list[str]]]) -> list[tuple[str, str]]:
    return [
        (
            str(DAY_LABELS[d]),
            " ".join(f"{a}–{b}" for a, b in hours.get(d, [])) or gettext("休息"),
        )
        for d in WEEKDAYS
    ]


@login_required
@require_GET
def center_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    text = request.GET.get("q", "").strip()[:50]
    level = request.GET.get("level", "")
    managed = request.GET.get("managed") == "1" and scope.has("centers.manage")
    page = paginate(request, selectors.center_list(scope, text=text, level=level, managed=managed))
    params = QueryDict(mutable=True)
    for k, v in (("q", text), ("level", level), ("managed", "1" if managed else "")):
        if v:
            params[k] = v
    return render(
        request,
        "centers/list.html",
        {
            "base": _base(request),
            "page": page,
            "q": text,
            "level": level,
            "managed": managed,
            "levels": CenterLevel.choices,
            "query": params.urlencode(),
            "can_manage": scope.has("centers.manage"),
        },
    )


@login_required
@require_GET
def center_map(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "centers/map.html",
        {"base": _base(request), "tiles": getattr(settings, "TONGXIN_MAP_TILES", "") or ""},
    )


@login_required
@require_GET
def map_points(request: HttpRequest) -> JsonResponse:
    bbox = None
    raw = request.GET.get("bbox", "")
    if raw:
        try:
            s, w, n, e = (float(x) for x in raw.split(","))
            bbox = (s, w, n, e)
        except ValueError:
            return JsonResponse(
                {"message": gettext("bbox参数应为“南,西,北,东”四个数字。")}, status=400
            )
    return JsonResponse({"points": selectors.map_points(bbox=bbox)})


@login_required
@require_GET
def center_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    center = selectors.get_center(pk)
    manage = selectors.may_manage_center(scope, center)
    ctx: dict[str, Any] = {
        "base": _base(request),
        "center": center,
        "hours": _hours_rows(center.opening_hours),
        "closed": selectors.upcoming_closed_dates(center),
        "items": list(selectors.center_items(center)),
        "rooms": list(selectors.center_rooms(center)),
        "events": list(selectors.center_events(center)),
        "manage": manage,
    }
    if manage:
        ctx["bookings"] = list(selectors.center_bookings(center)[:50])
        ctx["room_form"] = RoomForm()
        ctx["item_form"] = ItemForm()
        ctx["event_form"] = EventForm()
    return render(request, "centers/detail.html", ctx)


@login_required
@require_POST
def reveal_phone(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    center = selectors.get_center_for(scope, pk)
    phone = services.center_phone_revealed(
        scope=request_scope(request), actor=request_user(request), center=center
    )
    return HttpResponse(phone or "—")


def _center_form(request: HttpRequest, center: ServiceCenter | None) -> HttpResponse:
    scope = request_scope(request)
    initial: dict[str, Any] = {}
    if center is not None:
        initial = {
            "name": center.name,
            "level": center.level,
            "org": center.org_id,
            "area": center.area_id,
            "address": center.address,
            "latitude": center.latitude,
            "longitude": center.longitude,
            "services": center.services,
            "contact_name": center.contact_name,
            "phone": center.phone,
            "contact_phone": center.reveal_contact_phone(),
            "opening_text": hours.format_opening_hours(center.opening_hours),
            "closed_text": hours.format_closed_dates(center.closed_dates),
        }
    form = CenterForm(request.POST or None, initial=initial)
    orgs = selectors.center_org_choices(scope)
    offer(form.fields["org"], orgs, selected=center.org_id if center else None)
    areas = selectors.center_area_choices(scope)
    offer(form.fields["area"], areas, selected=center.area_id if center else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        text = data.pop("opening_text")
        closed_text = data.pop("closed_text")
        try:
            data["opening_hours"] = hours.parse_opening_hours(text)
            data["closed_dates"] = hours.parse_closed_dates(closed_text)
            if center is None:
                center = services.center_create(scope=scope, actor=request_user(request), **data)
            else:
                center = services.center_update(
                    scope=scope, actor=request_user(request), center=center, **data
                )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已保存“%(name)s”。") % {"name": center.name})
            return redirect("centers:detail", center.pk)
    return render(request, "centers/form.html", {"form": form, "center": center})


@login_required
@require_http_methods(["GET", "POST"])
def center_create(request: HttpRequest) -> HttpResponse:
    if not request_scope(request).has("centers.manage"):
        raise Http404
    return _center_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def center_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _center_form(request, selectors.get_center_for(request_scope(request), pk))


@login_required
@require_POST
def room_add(request: HttpRequest, pk: int) -> HttpResponse:
    center = selectors.get_center_for(request_scope(request), pk)
    form = RoomForm(request.POST)
    if form.is_valid():
        try:
            services.room_create(
                scope=request_scope(request),
                actor=request_user(request),
                center=center,
                **form.cleaned_data,
            )
            messages.success(request, gettext("已添加场地。"))
        except ServiceError as e:
            messages.error(request, e.message)
    else:
        messages.error(request, gettext("场地信息不完整，请填写名称和容纳人数。"))
    return redirect("centers:detail", center.pk)


@login_required
@require_POST
def item_add(request: HttpRequest, pk: int) -> HttpResponse:
    center = selectors.get_center_for(request_scope(request), pk)
    form = ItemForm(request.POST)
    if form.is_valid():
        try:
            services.item_create(
                scope=request_scope(request),
                actor=request_user(request),
                center=center,
                **form.cleaned_data,
            )
            messages.success(request, gettext("已添加服务事项。"))
        except ServiceError as e:
            messages.error(request, e.message)
    else:
        messages.error(request, gettext("服务事项信息不完整，请填写名称和办理时长。"))
    return redirect("centers:detail", center.pk)


@login_required
@require_POST
def event_add(request: HttpRequest, pk: int) -> HttpResponse:
    center = selectors.get_center_for(request_scope(request), pk)
    form = EventForm(request.POST)
    if form.is_valid():
        try:
            services.event_create(
                scope=request_scope(request),
                actor=request_user(request),
                center=center,
                **form.cleaned_data,
            )
            messages.success(request, gettext("已添加活动。"))
        except ServiceError as e:
            messages.error(request, e.message)
    else:
        messages.error(request, gettext("活动信息不完整，请填写类型、名称和起止日期。"))
    return redirect("centers:detail", center.pk)


@login_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest, pk: int) -> HttpResponse:
    """Book a room or a bookable service (residents, members and staff alike)."""
    center = selectors.get_center(pk)
    rooms = list(selectors.center_rooms(center))
    items = [i for i in selectors.center_items(center) if i.bookable]
    choices = [(f"room:{r.pk}", f"{gettext('场地')} · {r.name}") for r in rooms] + [
        (f"item:{i.pk}", f"{gettext('服务')} · {i.name}") for i in items
    ]
    form = BookingForm(request.POST or None)
    set_choices(form.fields["target"], choices)
    if request.method == "POST" and form.is_valid():
        kind, _sep, tpk = form.cleaned_data["target"].partition(":")
        room = selectors.get_room(center, tpk) if kind == "room" else None
        item = selectors.get_item(center, tpk) if kind == "item" else None
        try:
            services.booking_create(
                scope=request_scope(request),
                actor=request_user(request),
                center=center,
                room=room,
                item=item,
                purpose=form.cleaned_data["purpose"],
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("预约成功。"))
            return redirect("centers:my_bookings")
    return render(
        request,
        "centers/book.html",
        {
            "base": _base(request),
            "center": center,
            "form": form,
            "has_targets": bool(choices),
            "hours": _hours_rows(center.opening_hours),
            "closed": selectors.upcoming_closed_dates(center),
        },
    )


@login_required
@require_GET
def my_bookings(request: HttpRequest) -> HttpResponse:
    page = paginate(request, selectors.my_bookings(request_user(request)))
    return render(
        request,
        "centers/my_bookings.html",
        {"base": _base(request), "page": page, "now": timezone.now()},
    )


@login_required
@require_POST
def booking_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    booking = selectors.get_my_booking(request_user(request), pk)
    try:
        services.booking_cancel(
            scope=request_scope(request), actor=request_user(request), booking=booking
        )
        messages.success(request, gettext("已取消预约。"))
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect("centers:my_bookings")


# --- social organizations --------------------------------------------------------------


@login_required
@require_GET
def social_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not scope.has("orgs.view"):
        raise Http404
    text = request.GET.get("q", "").strip()[:50]
    kind = request.GET.get("kind", "")
    page = paginate(request, selectors.social_org_list(scope, text=text, kind=kind))
    params = QueryDict(mutable=True)
    for k, v in (("q", text), ("kind", kind)):
        if v:
            params[k] = v
    return render(
        request,
        "centers/social_list.html",
        {
            "page": page,
            "q": text,
            "kind": kind,
            "kinds": SocialOrgKind.choices,
            "query": params.urlencode(),
            "can_add": scope.has("orgs.manage"),
        },
    )


@login_required
@require_GET
def social_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    so = selectors.get_social_org_for(scope, pk)
    can_edit = so.guiding_org is not None and scope.reaches_org("orgs.manage", so.guiding_org.path)
    return render(request, "centers/social_detail.html", {"so": so, "can_edit": can_edit})


def _social_form(request: HttpRequest, so: SocialOrganization | None) -> HttpResponse:
    scope = request_scope(request)
    initial = {}
    if so is not None:
        initial = {
            "name": so.name,
            "credit_code": so.credit_code,
            "kind": so.kind,
            "area": so.area_id,
            "guiding_org": so.guiding_org_id if so.guiding_rule == "manual" else None,
            "services": so.services,
        }
    form = SocialOrgForm(request.POST or None, initial=initial)
    offer(
        form.fields["area"],
        selectors.social_org_area_choices(scope),
        selected=so.area_id if so else None,
    )
    offer(
        form.fields["guiding_org"],
        org_queryset(scope, "orgs.manage").order_by("path"),
        selected=so.guiding_org_id if so else None,
    )
    if request.method == "POST" and form.is_valid():
        try:
            if so is None:
                so = services.social_org_create(
                    scope=request_scope(request), actor=request_user(request), **form.cleaned_data
                )
            else:
                so = services.social_org_update(
                    scope=request_scope(request),
                    actor=request_user(request),
                    social_org=so,
                    **form.cleaned_data,
                )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已保存社会组织“%(name)s”。") % {"name": so.name})
            return redirect("centers:social_detail", so.pk)
    return render(request, "centers/social_form.html", {"form": form, "so": so})


@login_required
@require_http_methods(["GET", "POST"])
def social_create(request: HttpRequest) -> HttpResponse:
    if not request_scope(request).has("orgs.manage"):
        raise Http404
    return _social_form(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def social_edit(request: HttpRequest, pk: int) -> HttpResponse:
    so = selectors.get_social_org_for(request_scope(request), pk, "orgs.manage")
    return _social_form(request, so)
