from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.pagination import paginate
from tongxin.core.scope import Scope, request_scope
from tongxin.geo.models import Area
from tongxin.orgs.selectors import get_org_for, org_filter_choices, units_for_choice
from tongxin.visits import cases_link, selectors, services
from tongxin.visits.forms import (
    AssignmentEditForm,
    AssignmentForm,
    PatrolPostForm,
    ProblemForm,
    ResolveForm,
    ToCaseForm,
    VisitForm,
)
from tongxin.visits.models import VisitKind


def _need(request: HttpRequest, perm: str = "visits.view") -> Scope:
    """The request's scope, when it holds ``perm`` (else 404)."""
    scope = request_scope(request)
    if not scope.has(perm):
        raise Http404(gettext("页面不存在或不在您的管辖范围内。"))
    return scope


def _render(
    request: HttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    scope = request_scope(request)
    context.setdefault("can_record", scope.has("visits.manage"))
    return render(request, template, context, status=status)


def _member(request: HttpRequest) -> Any:
    return getattr(request.user, "member", None)


def _parse_date(value: str | None, default: dt.date) -> dt.date:
    try:
        return dt.date.fromisoformat(value) if value else default
    except ValueError:
        return default


def _parse_month(value: str | None) -> dt.date | None:
    """YYYY-MM from a month input."""
    try:
        return dt.date.fromisoformat(f"{value}-01") if value else None
    except ValueError:
        return None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """民情日记: the visits in reach, newest first, with the cadre's own progress on top."""
    scope = _need(request)
    params = request.GET
    org = get_org_for(scope, params["org"]) if params.get("org") else None
    month = _parse_month(params.get("month"))
    kind = params.get("kind", "") if params.get("kind", "") in VisitKind.values else ""
    mine = params.get("mine") == "1"
    member = _member(request)
    filters = selectors.VisitFilters(
        kind=kind, month=month, org=org, mine=member if mine and member else None
    )
    page = paginate(request, selectors.visit_list(scope, filters))
    query = QueryDict(mutable=True)
    for key, value in (
        ("kind", kind),
        ("month", params.get("month", "") if month else ""),
        ("org", str(org.pk) if org else ""),
        ("mine", "1" if mine else ""),
    ):
        if value:
            query[key] = value
    own = None
    assignment = selectors.my_assignment(member)
    if assignment is not None:
        rows = selectors.assignment_progress(Scope.everything(), selectors.today()).filter(
            pk=assignment.pk
        )
        progress = selectors.progress_rows(list(rows), selectors.quota_rules())
        own = progress[0] if progress else None
    org_choices = org_filter_choices(scope)
    return _render(
        request,
        "visits/index.html",
        {
            "page": page,
            "kinds": VisitKind.choices,
            "kind": kind,
            "month": params.get("month", "") if month else "",
            "org": org,
            "mine": mine,
            "has_member": member is not None,
            "org_choices": org_choices,
            "org_choice_pks": {o.pk for o, _child in org_choices},
            "query": query.urlencode(),
            "can_record": scope.has("visits.manage"),
            "own": own,
        },
    )


def _visit_form(request: HttpRequest, scope: Scope) -> VisitForm:
    member = _member(request)
    orgs = selectors.orgs_for_recording(scope)
    initial: dict[str, Any] = {"visited_on": selectors.today(), "kind": VisitKind.HOME}
    if member is not None and orgs.filter(pk=member.org_id).exists():
        initial["org"] = member.org_id
    else:
        first = orgs.only("id").first()
        initial["org"] = first.pk if first else None
    return VisitForm(
        request.POST or None,
        initial=initial,
        orgs=orgs,
        areas=selectors.areas_for_recording(scope),
        units=units_for_choice(scope),
        targets=selectors.targets_for_choice(member),
        posts=selectors.posts_for_choice(scope),
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    scope = _need(request, "visits.manage")
    form = _visit_form(request, scope)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        data = services.VisitInput(
            kind=cd["kind"],
            visited_on=cd["visited_on"],
            org=cd["org"],
            area=cd["area"],
            people_met=cd["people_met"],
            heard=cd["heard"],
            unit=cd["unit"],
            household=cd["household"],
            target=cd["target"],
            post=cd["post"],
            problems=form.problem_lines(),
        )
        try:
            visit = services.visit_record(scope=scope, actor=request_user(request), data=data)
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已记入民情日记。"))
            return redirect("visits:detail", pk=visit.pk)
    return _render(request, "visits/form.html", {"form": form})


def _detail_context(request: HttpRequest, scope: Scope, visit: Any) -> dict[str, Any]:
    problems = selectors.visit_problems(visit)
    infos = cases_link.case_infos([p.case_pk for p in problems if p.case_pk is not None])
    can_manage = selectors.may_manage(scope, visit)
    categories = cases_link.category_choices() if can_manage else []
    return {
        "visit": visit,
        "rows": [(p, infos.get(p.case_pk) if p.case_pk else None) for p in problems],
        "can_manage": can_manage,
        "cases_on": bool(categories),
        "case_form": ToCaseForm(categories=categories) if categories else None,
        "problem_form": ProblemForm(),
    }


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _need(request)
    visit = selectors.get_visit_for(scope, pk)
    return _render(request, "visits/detail.html", _detail_context(request, scope, visit))


@login_required
@require_POST
def problem_add(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _need(request, "visits.manage")
    visit = selectors.get_visit_for(scope, pk, "visits.manage")
    form = ProblemForm(request.POST)
    form.is_valid()
    try:
        services.problem_raise(
            scope=scope,
            actor=request_user(request),
            visit=visit,
            text=form.cleaned_data.get("text", ""),
        )
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, gettext("已登记问题。"))
    return redirect("visits:detail", pk=visit.pk)


@login_required
@require_POST
def problem_case(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _need(request, "visits.manage")
    problem = selectors.get_problem_for(scope, pk, "visits.manage")
    categories = cases_link.category_choices()
    if not categories:
        raise Http404
    form = ToCaseForm(request.POST, categories=categories)
    if not form.is_valid():
        messages.error(request, gettext("请选择事件类别后再转为事件。"))
        return redirect("visits:detail", pk=problem.visit_id)
    try:
        problem = services.problem_to_case(
            scope=scope,
            actor=request_user(request),
            problem=problem,
            category=cases_link.category_for(form.cleaned_data["category"]),
            priority=form.cleaned_data["priority"],
        )
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(
            request,
            gettext("已转为事件，查询码 %(code)s。") % {"code": problem.case_code},
        )
    return redirect("visits:detail", pk=problem.visit_id)


@login_required
@require_POST
def problem_resolve(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _need(request, "visits.manage")
    problem = selectors.get_problem_for(scope, pk, "visits.manage")
    form = ResolveForm(request.POST)
    form.is_valid()
    try:
        services.problem_resolve(
            scope=scope,
            actor=request_user(request),
            problem=problem,
            resolution=form.cleaned_data.get("resolution", ""),
        )
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, gettext("已标记为已解决。"))
    return redirect("visits:detail", pk=problem.visit_id)


@login_required
def quotas(request: HttpRequest) -> HttpResponse:
    """配额进度: every cadre in reach against this quarter's and this month's quotas."""
    scope = _need(request)
    day = _parse_month(request.GET.get("month")) or selectors.today()
    org = get_org_for(scope, request.GET["org"]) if request.GET.get("org") else None
    page = paginate(request, selectors.assignment_progress(scope, day, org))
    rules = selectors.quota_rules()
    query = QueryDict(mutable=True)
    if request.GET.get("month") and _parse_month(request.GET.get("month")):
        query["month"] = request.GET["month"]
    if org is not None:
        query["org"] = str(org.pk)
    q_start, q_end = selectors.quarter_bounds(day)
    m_start, m_end = selectors.month_bounds(day)
    org_choices = org_filter_choices(scope)
    return _render(
        request,
        "visits/quotas.html",
        {
            "page": page,
            "rows": selectors.progress_rows(list(page), rules),
            "rules": rules,
            "month": day.strftime("%Y-%m"),
            "quarter": (q_start, q_end),
            "month_range": (m_start, m_end),
            "org": org,
            "org_choices": org_choices,
            "org_choice_pks": {o.pk for o, _child in org_choices},
            "query": query.urlencode(),
            "can_manage": scope.has("visits.manage"),
        },
    )


@login_required
def briefing(request: HttpRequest) -> HttpResponse:
    """双周通报会: the problems raised in two weeks and where each stands; printable."""
    scope = _need(request)
    start, _end = selectors.briefing_window(
        _parse_date(request.GET.get("start"), selectors.today())
    )
    org = get_org_for(scope, request.GET["org"]) if request.GET.get("org") else None
    area = None
    if request.GET.get("area"):
        area = (
            selectors.areas_for_recording(scope, "visits.view")
            .filter(pk=request.GET["area"])
            .first()
            if request.GET["area"].isdigit()
            else None
        )
        if area is None:
            raise Http404(gettext("区域不存在或不在您的管辖范围内。"))
    report = selectors.briefing(scope, start, org=org, area=area)
    org_choices = org_filter_choices(scope)
    return _render(
        request,
        "visits/briefing.html",
        {
            "report": report,
            "org": org,
            "area": area,
            "org_choices": org_choices,
            "org_choice_pks": {o.pk for o, _child in org_choices},
            "previous": start - dt.timedelta(days=14),
            "next": start + dt.timedelta(days=14),
            "is_current": start == selectors.briefing_window(selectors.today())[0],
            "cases_on": cases_link.cases_available(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest) -> HttpResponse:
    scope = _need(request, "visits.manage")
    orgs = selectors.orgs_for_recording(scope)
    areas = selectors.areas_for_recording(scope)
    form = AssignmentForm(
        request.POST or None,
        members=selectors.members_for_choice(scope),
        orgs=orgs,
        units=units_for_choice(scope),
        areas=areas,
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        area: Area | None = cd["household_area"]
        lines = form.household_lines()
        if lines and area is None:
            form.add_error("household_area", gettext("请选择联系户所在的社区或小区。"))
        else:
            try:
                services.assignment_create(
                    scope=scope,
                    actor=request_user(request),
                    leader=cd["leader"],
                    org=cd["org"],
                    units=list(cd["units"]),
                    households=[services.HouseholdInput(area=area, label=x) for x in lines]
                    if area is not None
                    else [],
                    contact_duty=cd["contact_duty"],
                    home_duty=cd["home_duty"],
                )
            except ServiceError as e:
                apply_service_error(form, e)
            else:
                messages.success(request, gettext("已登记三访责任。"))
                return redirect("visits:quotas")
    return _render(request, "visits/assignment_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _need(request, "visits.manage")
    assignment = selectors.get_assignment_for(scope, pk, "visits.manage")
    if not assignment.active:
        messages.error(request, gettext("该三访责任已停用，不能再修改；如需继续，请重新登记。"))
        return redirect("visits:quotas")
    form = AssignmentEditForm(
        request.POST or None,
        assignment=assignment,
        targets=list(selectors.assignment_targets(assignment)),
        members=selectors.members_for_choice(scope),
        orgs=selectors.orgs_for_recording(scope),
        units=units_for_choice(scope),
        areas=selectors.areas_for_recording(scope),
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.assignment_update(
                scope=scope,
                actor=request_user(request),
                assignment=assignment,
                org=cd["org"],
                units=list(cd["units"]),
                household_labels=form.household_lines(),
                household_area=cd["household_area"],
                contact_duty=cd["contact_duty"],
                home_duty=cd["home_duty"],
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(
                request, gettext("已修改%(name)s的三访责任。") % {"name": assignment.leader.name}
            )
            return redirect("visits:quotas")
    return _render(request, "visits/assignment_form.html", {"form": form, "assignment": assignment})


@login_required
@require_http_methods(["GET", "POST"])
def assignment_end(request: HttpRequest, pk: int) -> HttpResponse:
    """停用 a 三访责任: a page that says what happens, then a POST."""
    scope = _need(request, "visits.manage")
    assignment = selectors.get_assignment_for(scope, pk, "visits.manage")
    status = 200
    if request.method == "POST":
        try:
            services.assignment_end(scope=scope, actor=request_user(request), assignment=assignment)
        except ConflictError as e:
            messages.error(request, e.message)
            status = 409
        else:
            messages.success(
                request, gettext("已停用%(name)s的三访责任。") % {"name": assignment.leader.name}
            )
            return redirect("visits:quotas")
    return _render(
        request,
        "visits/end.html",
        {
            "thing": gettext("三访责任"),
            "name": assignment.leader.name,
            "detail": assignment.org.name,
            "active": assignment.active,
            "back": reverse("visits:quotas"),
            "consequence": gettext(
                "停用后，此人不再计入三访配额进度；已联系的单位、农户和走访记录保留在民情日记中。"
            ),
        },
        status=status,
    )


@login_required
def posts(request: HttpRequest) -> HttpResponse:
    scope = _need(request)
    page = paginate(request, selectors.post_list(scope))
    return _render(
        request,
        "visits/posts.html",
        {"page": page, "can_manage": scope.has("visits.manage"), "query": ""},
    )


@login_required
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _need(request)
    post = selectors.get_post_for(scope, pk)
    return _render(
        request,
        "visits/post_detail.html",
        {
            "post": post,
            "members": selectors.post_members(post),
            "window": selectors.briefing_window(selectors.today()),
            "can_manage": post.active and selectors.may_manage(scope, post),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_create(request: HttpRequest) -> HttpResponse:
    scope = _need(request, "visits.manage")
    form = PatrolPostForm(
        request.POST or None,
        members=selectors.members_for_choice(scope),
        orgs=selectors.orgs_for_recording(scope),
        areas=selectors.areas_for_recording(scope),
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            post = services.patrol_post_create(
                scope=scope,
                actor=request_user(request),
                name=cd["name"],
                org=cd["org"],
                area=cd["area"],
                place=cd["place"],
                shifts=cd["shifts"],
                members=list(cd["members"]),
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已设立巡访服务岗。"))
            return redirect("visits:post_detail", pk=post.pk)
    return _render(request, "visits/post_form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _need(request, "visits.manage")
    post = selectors.get_post_for(scope, pk, "visits.manage")
    if not post.active:
        messages.error(request, gettext("该巡访服务岗已停用，不能再修改；如需恢复，请重新设立。"))
        return redirect("visits:post_detail", pk=post.pk)
    form = PatrolPostForm(
        request.POST or None,
        post=post,
        members=selectors.members_for_choice(scope),
        orgs=selectors.orgs_for_recording(scope),
        areas=selectors.areas_for_recording(scope),
    )
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.patrol_post_update(
                scope=scope,
                actor=request_user(request),
                post=post,
                name=cd["name"],
                org=cd["org"],
                area=cd["area"],
                place=cd["place"],
                shifts=cd["shifts"],
                members=list(cd["members"]),
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已保存巡访服务岗。"))
            return redirect("visits:post_detail", pk=post.pk)
    return _render(request, "visits/post_form.html", {"form": form, "post": post})


@login_required
@require_http_methods(["GET", "POST"])
def post_end(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _need(request, "visits.manage")
    post = selectors.get_post_for(scope, pk, "visits.manage")
    status = 200
    if request.method == "POST":
        try:
            services.patrol_post_end(scope=scope, actor=request_user(request), post=post)
        except ConflictError as e:
            messages.error(request, e.message)
            status = 409
        else:
            messages.success(request, gettext("已停用巡访服务岗“%(name)s”。") % {"name": post.name})
            return redirect("visits:post_detail", pk=post.pk)
    return _render(
        request,
        "visits/end.html",
        {
            "thing": gettext("巡访服务岗"),
            "name": post.name,
            "detail": post.org.name,
            "active": post.active,
            "back": reverse("visits:post_detail", args=[post.pk]),
            "consequence": gettext(
                "停用后，不能再在此岗位下记录巡访；已记录的巡访保留在民情日记和双周通报中。"
            ),
        },
        status=status,
    )
