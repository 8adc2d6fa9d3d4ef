"""微项目 pages: staff (suggestions, 立项, budget, activities, figures) and residents (projects
where they live, suggestions, sign-up, ratings)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.accounts.selectors import page_resident
from tongxin.centers.selectors import social_org_choices
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.pagination import paginate
from tongxin.core.scope import Scope, request_scope
from tongxin.projects import selectors, services
from tongxin.projects.forms import (
    ActivityForm,
    BudgetLineForm,
    MeetingSuggestionForm,
    OutcomeForm,
    ProjectForm,
    RatingForm,
    SuggestionForm,
    to_fen,
)
from tongxin.projects.models import ProjectStatus, SuggestionStatus


def _manager(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not scope.has(selectors.MANAGE):
        raise Http404
    return scope


def _int(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _query(**params: object) -> str:
    q = QueryDict(mutable=True)
    for k, v in params.items():
        if v:
            q[k] = str(v)
    return q.urlencode()


@login_required
def project_list(request: HttpRequest) -> HttpResponse:
    scope = _manager(request)
    status = request.GET.get("status", "")
    status = status if status in ProjectStatus.values else ""
    category = _int(request.GET.get("category", ""))
    page = paginate(request, selectors.project_list(scope, status=status, category=category))
    return render(
        request,
        "projects/list.html",
        {
            "page": page,
            "status": status,
            "category": category,
            "statuses": ProjectStatus.choices,
            "categories": selectors.categories(),
            "query": _query(status=status, category=category),
        },
    )


def _project_form(request: HttpRequest, scope: Scope) -> ProjectForm:
    return ProjectForm(
        request.POST or None,
        categories=selectors.categories(),
        orgs=selectors.lead_org_choices(scope),
        operators=social_org_choices(scope),
        areas=selectors.area_choices(scope),
        suggestions=selectors.open_suggestions(scope),
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request: HttpRequest) -> HttpResponse:
    scope = _manager(request)
    form = _project_form(request, scope)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        data = services.ProjectInput(
            name=d["name"],
            category=d["category"],
            lead_org=d["lead_org"],
            area=d["area"],
            budget_fen=to_fen(d["budget"]),
            summary=d["summary"],
            operator=d["operator"],
            starts_on=d["starts_on"],
            ends_on=d["ends_on"],
            suggestions=list(d["suggestions"]),
        )
        try:
            p = services.project_create(scope=scope, actor=request_user(request), data=data)
        except ServiceError as e:
            e.fields = {("budget" if k == "budget_fen" else k): v for k, v in e.fields.items()}
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已立项。"))
            return redirect("projects:detail", pk=p.pk)
    return render(request, "projects/form.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _manager(request)
    project = selectors.get_project_for(scope, pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    line_form = BudgetLineForm(request.POST if action == "line" else None, prefix="line")
    activity_form = ActivityForm(request.POST if action == "activity" else None, prefix="act")
    outcome_form = OutcomeForm(request.POST if action == "complete" else None, prefix="out")
    if request.method == "POST":
        try:
            if action == "line" and line_form.is_valid():
                services.budget_line_add(
                    scope=scope,
                    actor=request_user(request),
                    project=project,
                    item=line_form.cleaned_data["item"],
                    amount_fen=to_fen(line_form.cleaned_data["amount"]),
                )
                messages.success(request, gettext("已添加预算明细。"))
                return redirect("projects:detail", pk=project.pk)
            if action == "activity" and activity_form.is_valid():
                services.activity_add(
                    scope=scope,
                    actor=request_user(request),
                    project=project,
                    **activity_form.cleaned_data,
                )
                messages.success(request, gettext("已登记活动。"))
                return redirect("projects:detail", pk=project.pk)
            if action == "complete" and outcome_form.is_valid():
                services.project_complete(
                    scope=scope,
                    actor=request_user(request),
                    project=project,
                    outcome=outcome_form.cleaned_data["outcome"],
                )
                messages.success(request, gettext("项目已结项。"))
                return redirect("projects:detail", pk=project.pk)
            if action not in ("line", "activity", "complete"):
                raise Http404
        except ServiceError as e:
            target = {"line": line_form, "activity": activity_form, "complete": outcome_form}[
                action
            ]
            e.fields = {("amount" if k == "amount_fen" else k): v for k, v in e.fields.items()}
            apply_service_error(target, e)
    return render(
        request,
        "projects/detail.html",
        {
            "project": project,
            **selectors.project_detail(project),
            "line_form": line_form,
            "activity_form": activity_form,
            "outcome_form": outcome_form,
        },
    )


@login_required
def suggestion_list(request: HttpRequest) -> HttpResponse:
    scope = _manager(request)
    status = request.GET.get("status", "")
    status = status if status in SuggestionStatus.values else ""
    category = _int(request.GET.get("category", ""))
    page = paginate(request, selectors.suggestion_list(scope, status=status, category=category))
    return render(
        request,
        "projects/suggestions.html",
        {
            "page": page,
            "status": status,
            "category": category,
            "statuses": SuggestionStatus.choices,
            "categories": selectors.categories(),
            "query": _query(status=status, category=category),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def suggestion_enter(request: HttpRequest) -> HttpResponse:
    scope = _manager(request)
    form = MeetingSuggestionForm(
        request.POST or None, categories=selectors.categories(), areas=selectors.area_choices(scope)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.suggestion_enter(scope=scope, actor=request_user(request), **form.cleaned_data)
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已录入。"))
            return redirect("projects:suggestions")
    return render(request, "projects/suggestion_form.html", {"form": form, "staff": True})


@login_required
@require_POST
def suggestion_decline(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _manager(request)
    s = selectors.get_suggestion_for(scope, pk)
    try:
        services.suggestion_decline(scope=scope, actor=request_user(request), suggestion=s)
        messages.success(request, gettext("已标记为暂不采纳。"))
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect("projects:suggestions")


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    scope = _manager(request)
    return render(
        request,
        "projects/figures.html",
        {"fig": selectors.project_figures(scope), "taxonomy": selectors.taxonomy()},
    )


# ---- residents ----------------------------------------------------------------------------


@login_required
def resident_home(request: HttpRequest) -> HttpResponse:
    resident = page_resident(request)
    page = paginate(request, selectors.resident_projects(resident))
    mine = list(selectors.my_suggestions(resident)[:10])
    return render(request, "projects/resident_list.html", {"page": page, "mine": mine})


@login_required
@require_http_methods(["GET", "POST"])
def resident_suggest(request: HttpRequest) -> HttpResponse:
    resident = page_resident(request)
    form = SuggestionForm(request.POST or None, categories=selectors.categories())
    if request.method == "POST" and form.is_valid():
        try:
            services.suggestion_submit(
                actor=request_user(request), resident=resident, **form.cleaned_data
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("感谢您的建议，社区会尽快研究。"))
            return redirect("projects:resident")
    return render(request, "projects/suggestion_form.html", {"form": form, "staff": False})


@login_required
@require_http_methods(["GET", "POST"])
def resident_detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = page_resident(request)
    project = selectors.get_project_for_resident(resident, pk)
    form = RatingForm(request.POST if request.POST.get("action") == "rate" else None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "signup":
                services.project_signup(
                    actor=request_user(request), resident=resident, project=project
                )
                messages.success(request, gettext("报名成功。"))
                return redirect("projects:resident_detail", pk=project.pk)
            if action == "rate" and form.is_valid():
                services.project_rate(
                    actor=request_user(request),
                    resident=resident,
                    project=project,
                    score=form.cleaned_data["score"],
                    comment=form.cleaned_data["comment"],
                )
                messages.success(request, gettext("感谢您的评价。"))
                return redirect("projects:resident_detail", pk=project.pk)
            if action not in ("signup", "rate"):
                raise Http404
        except ServiceError as e:
            messages.error(request, e.message)
    return render(
        request,
        "projects/resident_detail.html",
        {
            "project": project,
            **selectors.resident_state(project, resident),
            **selectors.project_detail(project),
            "form": form,
        },
    )
