from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.pagination import paginate
from tongxin.core.scope import request_scope
from tongxin.geo.selectors import ANCHOR_LEVELS, area_choices_under, area_roots_for_choice
from tongxin.orgs import selectors, services
from tongxin.orgs.forms import LeadershipForm, MoveForm, OrgForm, UnitForm
from tongxin.orgs.hooks import member_reader
from tongxin.orgs.models import Organization, Unit


@login_required
def tree(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    text = request.GET.get("q", "").strip()
    results = list(selectors.org_search(scope, text)) if text else None
    return render(
        request,
        "orgs/tree.html",
        {
            "roots": selectors.with_visible_children(scope, selectors.org_roots(scope)[:200]),
            "results": results,
            "q": text,
        },
    )


@login_required
def children(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    parent = selectors.get_org_for(scope, pk)
    return render(
        request,
        "orgs/_children.html",
        {
            "nodes": selectors.with_visible_children(
                scope, selectors.org_children(scope, parent)[:500]
            )
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    org = selectors.get_org_for(scope, pk)
    area_path = org.area.path if org.area else None
    page = paginate(request, member_reader().in_subtree(scope, org))
    return render(
        request,
        "orgs/detail.html",
        {
            "org": org,
            "ancestors": selectors.org_ancestors(scope, org),
            "children": selectors.org_children(scope, org)[:200],
            "leaders": selectors.org_leadership(scope, org),
            "stats": selectors.org_subtree_stats(scope, org, page.paginator.count),
            "page": page,
            "can_manage": scope.reaches_org("orgs.manage", org.path, area_path),
            "can_move": selectors.may_move(scope, org),
            "can_add_member": scope.reaches_org("members.manage", org.path, area_path),
        },
    )


def _org_form(request: HttpRequest, anchor: Organization, initial: dict) -> OrgForm:
    """The form's area choices lie under `anchor`'s area: the parent for a new organization,
    the parent or (when the parent is out of reach) the organization itself when editing."""
    scope = request_scope(request)
    area_root = anchor.area
    return OrgForm(
        request.POST or None,
        initial=initial,
        areas=area_choices_under(area_root, ANCHOR_LEVELS),
        units=selectors.units_for_choice(scope),
    )


@login_required
@require_http_methods(["GET", "POST"])
def create_root(request: HttpRequest) -> HttpResponse:
    """A top-level organization (a city or district committee): for superusers only, on a new
    installation or when a region joins."""
    scope = request_scope(request)
    if not scope.is_superuser:
        raise Http404
    form = OrgForm(
        request.POST or None,
        initial={"kind": "committee", "sector": "public_institution"},
        areas=area_roots_for_choice(),
        units=selectors.units_for_choice(scope),
    )
    return _create_page(request, form, None)


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest, parent_pk: int) -> HttpResponse:
    scope = request_scope(request)
    parent = selectors.get_org_for(scope, parent_pk, "orgs.manage")
    form = _org_form(request, parent, {"sector": parent.sector, "area": parent.area_id})
    return _create_page(request, form, parent)


def _create_page(request: HttpRequest, form: OrgForm, parent: Organization | None) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        try:
            org = services.org_create(
                actor=request_user(request),
                parent=parent,
                scope=request_scope(request),
                **form.cleaned_data,
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已创建党组织“%(name)s”。") % {"name": org.name})
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "parent": parent, "org": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    org = selectors.get_org_for(scope, pk, "orgs.manage")
    parent = selectors.org_parent(scope, org, "orgs.manage")
    initial = {f: getattr(org, f) for f in services.ORG_FIELDS}
    form = _org_form(request, parent or org, initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.org_update(
                actor=request_user(request), org=org, scope=scope, **form.cleaned_data
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已保存。"))
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/form.html", {"form": form, "parent": parent, "org": org})


@login_required
@require_http_methods(["GET", "POST"])
def move(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    org = selectors.get_org_for(scope, pk, "orgs.manage")
    if not selectors.may_move(scope, org):
        # Taking an organization away from its parent needs authority over that parent.
        return render(
            request,
            "orgs/move.html",
            {
                "form": None,
                "org": org,
                "refused": gettext("调整隶属关系需要对现上级组织有管理权限，请联系上级组织办理。"),
            },
            status=403 if request.method == "POST" else 200,
        )
    parents = selectors.org_queryset(scope, "orgs.manage").exclude(kind="group")
    form = MoveForm(request.POST or None, parents=parents)
    # Offer the nearby organizations (under the grandparent); any reachable one validates.
    near = selectors.move_candidates(scope, org)
    form.fields["parent"].widget.choices = [("", gettext("请选择"))] + [
        (o.pk, o.name) for o in near
    ]
    if request.method == "POST" and form.is_valid():
        try:
            services.org_move(
                actor=request_user(request),
                org=org,
                new_parent=form.cleaned_data["parent"],
                scope=scope,
            )
        except ServiceError as e:
            form.add_error("parent", e.message)
        else:
            messages.success(
                request,
                gettext("已将“%(name)s”及其下级组织移至新的上级组织。") % {"name": org.name},
            )
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/move.html", {"form": form, "org": org})


@login_required
@require_http_methods(["GET", "POST"])
def leader_add(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    org = selectors.get_org_for(scope, pk, "orgs.manage")
    members = member_reader().candidates(scope, org)
    form = LeadershipForm(request.POST or None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.leadership_add(
                actor=request_user(request), org=org, scope=scope, **form.cleaned_data
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已登记班子成员。"))
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/leader_form.html", {"form": form, "org": org})


@login_required
def units(request: HttpRequest) -> HttpResponse:
    """单位 registry: the units in the user's reach."""
    scope = request_scope(request)
    text = request.GET.get("q", "").strip()
    page = paginate(request, selectors.unit_list(scope, text))
    editable = (
        set(
            selectors.unit_queryset(scope, "orgs.manage")
            .filter(pk__in=[u.pk for u in page])
            .values_list("pk", flat=True)
        )
        if scope.has("orgs.manage")
        else set()
    )
    return render(
        request,
        "orgs/units.html",
        {
            "page": page,
            "q": text,
            "query": urlencode({"q": text}) if text else "",
            "editable": editable,
            "can_add": bool(selectors.territorial_anchors(scope, "orgs.manage"))
            or scope.is_superuser,
        },
    )


def _unit_form_page(request: HttpRequest, unit: Unit | None) -> HttpResponse:
    scope = request_scope(request)
    initial = _unit_initial(unit) if unit else {}
    form = UnitForm(request.POST or None, initial=initial, areas=selectors.unit_area_choices(scope))
    if not scope.is_superuser:
        form.fields[
            "area"
        ].required = True  # a unit without an area would be out of everyone's reach
    if request.method == "POST" and form.is_valid():
        filed_under = selectors.unit_audit_path(scope)
        try:
            if unit is None:
                unit = services.unit_create(
                    actor=request_user(request),
                    audit_path=filed_under,
                    scope=scope,
                    **form.cleaned_data,
                )
            else:
                services.unit_update(
                    actor=request_user(request),
                    unit=unit,
                    audit_path=filed_under,
                    scope=scope,
                    **form.cleaned_data,
                )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已保存单位“%(name)s”。") % {"name": unit.name})
            return redirect("orgs:units")
    return render(request, "orgs/unit_form.html", {"form": form, "unit": unit})


def _unit_initial(unit: Unit) -> dict:
    return {f: (unit.area_id if f == "area" else getattr(unit, f)) for f in services.UNIT_FIELDS}


@login_required
@require_http_methods(["GET", "POST"])
def unit_create(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not (scope.is_superuser or selectors.territorial_anchors(scope, "orgs.manage")):
        raise Http404  # only a street, district or city committee registers units
    return _unit_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.get_unit_for(request_scope(request), pk, "orgs.manage")
    return _unit_form_page(request, unit)
