from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.pagination import paginate
from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import request_scope
from tongxin.grids import coverage, selectors, services
from tongxin.grids.forms import (
    CommunityForm,
    GridForm,
    InstructorForm,
    MemberGridForm,
    MoveMemberForm,
    WorkerForm,
)
from tongxin.grids.models import Grid


@login_required
def grid_list_view(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    community = None
    if request.GET.get("community"):
        community = selectors.get_community_for(scope, request.GET["community"], selectors.VIEW)
    filters = selectors.GridFilters(
        community=community,
        text=request.GET.get("q", ""),
        no_instructor=request.GET.get("no_instructor") == "1",
    )
    page = paginate(request, selectors.grid_list(scope, filters))
    params = QueryDict(mutable=True)
    if community is not None:
        params["community"] = str(community.pk)
    if filters.text:
        params["q"] = filters.text
    if filters.no_instructor:
        params["no_instructor"] = "1"
    return render(
        request,
        "grids/list.html",
        {
            "page": page,
            "filters": filters,
            "communities": selectors.community_choices(scope)[:300],
            "can_create": scope.has("grids.manage"),
            "query": params.urlencode(),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, pk)
    page = paginate(request, selectors.grid_members(scope, grid))
    return render(
        request,
        "grids/detail.html",
        {
            "grid": grid,
            "compounds": selectors.grid_compounds(grid),
            "units": selectors.grid_units(grid),
            "workers": selectors.grid_workers(scope, grid),
            "page": page,
            "can_manage": selectors.may_manage(scope, grid),
        },
    )


def _grid_form(request: HttpRequest, community, grid: Grid | None = None) -> GridForm:
    initial = None
    if grid is not None:
        initial = {
            "name": grid.name,
            "code": grid.code,
            "serving_branch": grid.serving_branch_id,
            "compounds": list(grid.compounds.values_list("pk", flat=True)),
            "units": list(grid.units.values_list("pk", flat=True)),
        }
    return GridForm(
        request.POST or None,
        initial=initial,
        branches=selectors.branch_choices(request_scope(request), community),
        compounds=selectors.compound_choices(community),
        units=selectors.unit_choices(request_scope(request), community, grid).select_related(
            "area"
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not request.GET.get("community"):
        pick = CommunityForm(
            request.GET or None, communities=selectors.community_choices(scope, selectors.MANAGE)
        )
        return render(request, "grids/create_pick.html", {"form": pick})
    community = selectors.get_community_for(scope, request.GET["community"])
    form = _grid_form(request, community)
    if request.method == "POST" and form.is_valid():
        try:
            grid = services.grid_create(
                actor=request_user(request), scope=scope, community=community, **form.cleaned_data
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已建立网格“%(name)s”。") % {"name": grid.name})
            return redirect("grids:detail", pk=grid.pk)
    return render(request, "grids/form.html", {"form": form, "community": community, "grid": None})


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, pk, selectors.MANAGE)
    form = _grid_form(request, grid.community, grid)
    if request.method == "POST" and form.is_valid():
        try:
            services.grid_update(
                actor=request_user(request), scope=scope, grid=grid, **form.cleaned_data
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已保存。"))
            return redirect("grids:detail", pk=grid.pk)
    return render(
        request, "grids/form.html", {"form": form, "community": grid.community, "grid": grid}
    )


@login_required
@require_http_methods(["GET", "POST"])
def instructor(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, pk, selectors.MANAGE)
    form = InstructorForm(request.POST or None, members=selectors.member_candidates(scope, grid))
    if request.method == "POST" and form.is_valid():
        try:
            services.grid_set_instructor(
                actor=request_user(request), scope=scope, grid=grid, **form.cleaned_data
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已设置网格党建指导员。"))
            return redirect("grids:detail", pk=grid.pk)
    return render(request, "grids/instructor.html", {"form": form, "grid": grid})


@login_required
@require_http_methods(["GET", "POST"])
def worker_add(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, pk, selectors.MANAGE)
    form = WorkerForm(request.POST or None, users=selectors.worker_user_choices(scope, grid))
    if request.method == "POST" and form.is_valid():
        try:
            services.grid_worker_add(
                actor=request_user(request), scope=scope, grid=grid, **form.cleaned_data
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已添加网格员。"))
            return redirect("grids:detail", pk=grid.pk)
    return render(request, "grids/worker_form.html", {"form": form, "grid": grid})


@login_required
@require_POST
def worker_remove(request: HttpRequest, pk: int, worker_pk: int) -> HttpResponse:
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, pk, selectors.MANAGE)
    worker = selectors.get_worker_for(grid, worker_pk)
    services.grid_worker_remove(actor=request_user(request), scope=scope, worker=worker)
    messages.success(request, gettext("已移除网格员。"))
    return redirect("grids:detail", pk=grid.pk)


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: HttpRequest, pk: int) -> HttpResponse:
    """编入党员: everyone living in the grid's compounds at once, everyone working in its units
    (单位网格) at once, or one member moved in."""
    scope = request_scope(request)
    grid = selectors.get_grid_for(scope, pk, selectors.MANAGE)
    action = request.POST.get("action", "")
    form = MoveMemberForm(
        request.POST if action == "move" else None,
        members=selectors.member_candidates(scope, grid),
    )
    if action in ("by_residence", "by_work_unit"):
        bulk = {
            "by_residence": (
                services.grid_assign_by_residence,
                gettext("已按居住地编入 %(n)s 名党员。"),
            ),
            "by_work_unit": (
                services.grid_assign_by_work_unit,
                gettext("已按工作单位编入 %(n)s 名党员。"),
            ),
        }
        assign_all, done = bulk[action]
        try:
            n = assign_all(
                actor=request_user(request),
                scope=scope,
                grid=grid,
                move_assigned=request.POST.get("move") == "1",
            )
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, done % {"n": n})
            return redirect("grids:assign", pk=grid.pk)
    elif action == "move" and form.is_valid():
        try:
            services.grid_assign_member(
                actor=request_user(request),
                grid=grid,
                member=form.cleaned_data["member"],
                scope=scope,
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已编入本网格。"))
            return redirect("grids:assign", pk=grid.pk)
    has_units = grid.units.exists()
    has_compounds = grid.compounds.exists()
    # The counts are of whom the buttons would take: no number of members out of reach.
    by_home, by_unit = selectors.residents_to_assign, selectors.work_unit_members_to_assign
    return render(
        request,
        "grids/assign.html",
        {
            "grid": grid,
            "form": form,
            "has_compounds": has_compounds or not has_units,
            "pending": by_home(scope, grid).count() if has_compounds else 0,
            "elsewhere": by_home(scope, grid, include_assigned=True).count()
            if has_compounds
            else 0,
            "has_units": has_units,
            "unit_pending": by_unit(scope, grid).count() if has_units else 0,
            "unit_elsewhere": by_unit(scope, grid, include_assigned=True).count()
            if has_units
            else 0,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def member(request: HttpRequest, member_pk: int) -> HttpResponse:
    """A member's grid: put them in one, move them, or take them out."""
    scope = request_scope(request)
    person = selectors.get_member_for(scope, member_pk)
    current = selectors.member_grid(scope, person)
    hidden_grid = current is None and bool(selectors.member_grid_name(person))
    suggested = current or selectors.grid_for_residence(scope, person)
    form = MemberGridForm(
        request.POST or None,
        initial={"grid": suggested.pk if suggested else None},
        grids=selectors.move_targets(scope, person),
    )
    if request.method == "POST" and request.POST.get("action") == "remove":
        if current is None or not selectors.may_manage(scope, current):
            raise Http404
        services.grid_unassign_member(actor=request_user(request), scope=scope, member=person)
        messages.success(request, gettext("已移出网格。"))
        return redirect("grids:member", member_pk=person.pk)
    if request.method == "POST" and form.is_valid():
        if hidden_grid:
            form.add_error(
                None, gettext("该党员已在您管辖范围外的网格中，请联系该网格所在社区调整。")
            )
        else:
            try:
                services.grid_assign_member(
                    actor=request_user(request),
                    grid=form.cleaned_data["grid"],
                    member=person,
                    scope=scope,
                )
            except ServiceError as e:
                apply_service_error(form, e)
            else:
                messages.success(request, gettext("已保存。"))
                return redirect("grids:member", member_pk=person.pk)
    return render(
        request,
        "grids/member.html",
        {
            "person": person,
            "current": current,
            "hidden_grid": hidden_grid,
            "form": form,
            "can_manage": scope.has("grids.manage"),
            "can_remove": current is not None and selectors.may_manage(scope, current),
        },
    )


@login_required
@reads_from_replica()
def coverage_view(request: HttpRequest) -> HttpResponse:
    """应建尽建: the gaps of one subtree, by category, each with a link to fix it."""
    scope = request_scope(request)
    root = coverage.get_audit_root_for(scope, request.GET.get("org"))
    key = request.GET.get("cat", "")
    audit = coverage.CoverageAudit(scope, root)
    counts = audit.counts()
    if key not in coverage.CATEGORY_KEYS:
        key = next((k for k in coverage.CATEGORY_KEYS if counts[k]), coverage.CATEGORY_KEYS[0])
    pager = Paginator(audit.rows(key), 20)
    page = pager.get_page(request.GET.get("page"))
    params = QueryDict(mutable=True)
    params["org"] = str(root.pk)
    params["cat"] = key
    category = next(c for c in coverage.CATEGORIES if c.key == key)
    return render(
        request,
        "grids/coverage.html",
        {
            "root": root,
            "roots": coverage.audit_roots(scope)[:50],
            "categories": [(c, counts[c.key]) for c in coverage.CATEGORIES],
            "category": category,
            "page": page,
            "query": params.urlencode(),
            "hidden_members": key in ("ungridded", "multigrid", "overdue_probation")
            and not audit.show_members,
        },
    )
