"""The public register (phone first, no login): every village's and community's list of powers
with their flowcharts, and every use of a power past its draft, personal names masked. A
resident or Party member of the power's place may object during a 公示."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import paginate
from tongxin.geo.models import Area
from tongxin.members.selectors import belongs_to_place
from tongxin.powers import selectors, services
from tongxin.powers.forms import ObjectionForm
from tongxin.powers.views import pk_param


def register(request: HttpRequest) -> HttpResponse:
    areas = list(selectors.public_areas()[:500])
    area = pk_param(request.GET.get("area", ""))
    page = paginate(request, selectors.public_instances(area=area))
    return render(
        request,
        "powers/public_register.html",
        {
            "areas": areas,
            "area": area,
            "page": page,
            "rows": [(i, selectors.public_name(i.applicant)) for i in page.object_list],
            "today": selectors.local_today(),
        },
    )


def area_catalogue(request: HttpRequest, area_pk: int) -> HttpResponse:
    area = Area.objects.filter(pk=area_pk).first() if area_pk < 2**62 else None
    groups = selectors.public_items(area) if area is not None else []
    if area is None or not groups:
        return render(request, "404.html", status=404)
    return render(request, "powers/public_catalogue.html", {"area": area, "groups": groups})


def item(request: HttpRequest, pk: int) -> HttpResponse:
    power = selectors.get_public_item(pk)
    instances = selectors.public_instances(item=power.pk)[:20]
    return render(
        request,
        "powers/public_item.html",
        {
            "item": power,
            "nodes": selectors.flow_of(None, selectors.steps_of(power)),
            "rows": [(i, selectors.public_name(i.applicant)) for i in instances],
        },
    )


def instance(request: HttpRequest, pk: int) -> HttpResponse:
    inst = selectors.get_public_instance(pk)
    steps = selectors.steps_of(inst.item)
    nodes = selectors.flow_of(inst, steps)
    current = next((n for n in nodes if n.state == "current"), None)
    today = selectors.local_today()
    in_publicity = bool(
        current is not None
        and current.publicity_ends_on is not None
        and today <= current.publicity_ends_on
    )
    objections = list(selectors.objections_of(inst))
    # Asked only of a signed-in user during a 公示 (the form is shown then).
    may_object = (
        in_publicity
        and request.user.is_authenticated
        and belongs_to_place(request.user, inst.area_path)
    )
    return render(
        request,
        "powers/public_instance.html",
        {
            "instance": inst,
            "applicant": selectors.public_name(inst.applicant),
            "nodes": nodes,
            "current": current,
            "in_publicity": in_publicity,
            "objections": [(o, selectors.public_name(o.filer_name)) for o in objections],
            "form": ObjectionForm(),
            "may_object": may_object,
            # one objection at a time: the next after the answer (services.objection_file)
            "awaiting_answer": may_object
            and any(o.filed_by_id == request.user.pk and o.answered_at is None for o in objections),
            "refusal": selectors.objection_refusal(inst) if in_publicity else "",
        },
    )


@login_required
@require_POST
def object_to(request: HttpRequest, pk: int) -> HttpResponse:
    inst = selectors.get_public_instance(pk)
    form = ObjectionForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请写明您的异议（500字以内）。"))
        return redirect("powers:public_instance", pk=inst.pk)
    try:
        services.objection_file(
            actor=request_user(request), instance=inst, text=form.cleaned_data["text"]
        )
    except ServiceError as e:
        messages.error(request, e.fields.get("text") or e.message)
    else:
        messages.success(request, gettext("您的异议已提交，办理前须先答复。"))
    return redirect("powers:public_instance", pk=inst.pk)
