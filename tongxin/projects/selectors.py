"""Every read of micro-projects and suggestions. Staff reach projects by the lead
organization's path (org grants) or the project's area (area grants) under projects.manage;
suggestions by their area. Residents see the projects of the areas they live in."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils.translation import gettext

from tongxin.accounts.models import Resident
from tongxin.core.registry import StoredFigures
from tongxin.core.scope import NOTHING, Scope
from tongxin.geo.models import Area, AreaLevel
from tongxin.orgs.models import Organization
from tongxin.projects.models import (
    Aspect,
    MicroProject,
    NeedCategory,
    ProjectActivity,
    ProjectRating,
    ProjectSignup,
    ProjectStatus,
    Suggestion,
    SuggestionStatus,
)
from tongxin.sharing.selectors import staff_reach_q

MANAGE = "projects.manage"
PROJECT_AREA_LEVELS = [AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.COMPOUND]


def project_reach_q(scope: Scope, perm: str = MANAGE) -> Q:
    if scope.is_superuser:
        return Q()
    grants = scope.grants.get(perm, [])
    parts = [g.q("lead_org_path") for g in grants if g.kind == "org"]
    parts += [g.q("area_path") for g in grants if g.kind == "area"]
    if not parts:
        return NOTHING
    out = parts[0]
    for p in parts[1:]:
        out |= p
    return out


def project_list(
    scope: Scope, *, status: str = "", category: int | None = None
) -> QuerySet[MicroProject]:
    qs = MicroProject.objects.filter(project_reach_q(scope))
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category_id=category)
    return qs.select_related("lead_org", "operator", "category__aspect", "area").order_by("-id")


def get_project_for(scope: Scope, pk: object, perm: str = MANAGE) -> MicroProject:
    try:
        return (
            MicroProject.objects.filter(project_reach_q(scope, perm))
            .select_related("lead_org", "operator", "category__aspect", "area")
            .get(pk=int(str(pk)))
        )
    except (MicroProject.DoesNotExist, ValueError):
        raise Http404(gettext("微项目不存在或不在您的管辖范围内。")) from None


def project_detail(project: MicroProject) -> dict[str, object]:
    """Budget lines, activities, suggestions, ratings: one query each, plus two sums."""
    lines = list(project.budget_lines.all())
    ratings = project.ratings.aggregate(n=Count("id"), total=Sum("score"))
    return {
        "lines": lines,
        "lines_total": sum(line.amount_fen for line in lines),
        "activities": list(project.activities.all()[:50]),
        "participants": project.activities.aggregate(n=Sum("participants"))["n"] or 0,
        "suggestions": list(project.suggestions.select_related("category")[:50]),
        "rating_count": ratings["n"] or 0,
        "rating_avg": round(ratings["total"] / ratings["n"], 1) if ratings["n"] else None,
        "signups": project.signups.count(),
    }


def suggestion_list(
    scope: Scope, *, status: str = "", category: int | None = None
) -> QuerySet[Suggestion]:
    qs = Suggestion.objects.filter(staff_reach_q(scope, MANAGE, "area_path"))
    if status:
        qs = qs.filter(status=status)
    if category:
        qs = qs.filter(category_id=category)
    return qs.select_related("category__aspect", "area", "project").order_by("-id")


def get_suggestion_for(scope: Scope, pk: object) -> Suggestion:
    try:
        return Suggestion.objects.filter(staff_reach_q(scope, MANAGE, "area_path")).get(
            pk=int(str(pk))
        )
    except (Suggestion.DoesNotExist, ValueError):
        raise Http404(gettext("建议不存在或不在您的管辖范围内。")) from None


def open_suggestions(scope: Scope) -> QuerySet[Suggestion]:
    """Suggestions waiting to be packaged into a project (the 立项 form's choices)."""
    return (
        Suggestion.objects.filter(staff_reach_q(scope, MANAGE, "area_path"))
        .filter(status=SuggestionStatus.NEW)
        .select_related("category")
        .order_by("-id")
    )


def categories() -> QuerySet[NeedCategory]:
    return NeedCategory.objects.filter(active=True).select_related("aspect")


def taxonomy() -> list[Aspect]:
    return list(Aspect.objects.prefetch_related("categories"))


def lead_org_choices(scope: Scope) -> QuerySet[Organization]:
    """Party organizations that may lead (大掌柜) a project: those the user manages projects in."""
    return Organization.objects.filter(scope.orgs_q(MANAGE)).order_by("path")


def area_choices(scope: Scope) -> QuerySet[Area]:
    return Area.objects.filter(
        staff_reach_q(scope, MANAGE, "path"), level__in=PROJECT_AREA_LEVELS
    ).order_by("path")


# ---- residents ----------------------------------------------------------------------------


def _home_prefixes(resident: Resident) -> list[str]:
    path = resident.home.path
    return [path[:i] for i in range(4, len(path) + 1, 4)]


def resident_projects(resident: Resident) -> QuerySet[MicroProject]:
    """Projects serving an area the resident lives in (their compound, community, street)."""
    return (
        MicroProject.objects.filter(area_path__in=_home_prefixes(resident))
        .select_related("category", "area", "lead_org", "operator")
        .order_by("-id")
    )


def get_project_for_resident(resident: Resident, pk: object) -> MicroProject:
    try:
        return resident_projects(resident).get(pk=int(str(pk)))
    except (MicroProject.DoesNotExist, ValueError):
        raise Http404(gettext("该微项目不存在或不在您居住的社区。")) from None


def resident_state(project: MicroProject, resident: Resident) -> dict[str, object]:
    return {
        "signed_up": ProjectSignup.objects.filter(project=project, resident=resident).exists(),
        "my_rating": ProjectRating.objects.filter(project=project, resident=resident).first(),
    }


def my_suggestions(resident: Resident) -> QuerySet[Suggestion]:
    return Suggestion.objects.filter(resident=resident).select_related("category").order_by("-id")


# ---- figures ------------------------------------------------------------------------------


def project_figures(scope: Scope) -> dict[str, object] | None:
    """Seed 002's figures for the user's reach: projects (by status), participants (人次),
    suggestions, and needs answered per category. Four queries."""
    if not scope.has(MANAGE):
        return None
    projects = MicroProject.objects.filter(project_reach_q(scope))
    row = projects.order_by().aggregate(
        total=Count("id"),
        planned=Count("id", filter=Q(status=ProjectStatus.PLANNED)),
        running=Count("id", filter=Q(status=ProjectStatus.RUNNING)),
        completed=Count("id", filter=Q(status=ProjectStatus.COMPLETED)),
        budget=Sum("budget_fen"),
    )
    participants = (
        ProjectActivity.objects.filter(project__in=projects).aggregate(n=Sum("participants"))["n"]
        or 0
    )
    by_category = {
        r["category_id"]: r["n"]
        for r in projects.order_by().values("category_id").annotate(n=Count("id"))
    }
    suggestions = Suggestion.objects.filter(staff_reach_q(scope, MANAGE, "area_path"))
    s_row = suggestions.order_by().aggregate(
        total=Count("id"), adopted=Count("id", filter=Q(status=SuggestionStatus.ADOPTED))
    )
    rows = []
    aspects_answered: set[int] = set()
    for c in categories():
        n = by_category.get(c.pk, 0)
        if n:
            aspects_answered.add(c.aspect_id)
        rows.append((c, n))
    return {
        **{k: v or 0 for k, v in row.items()},
        "participants": participants,
        "suggestions": s_row["total"] or 0,
        "adopted": s_row["adopted"] or 0,
        "by_category": rows,
        "categories_answered": sum(1 for _c, n in rows if n),
        "aspects_answered": len(aspects_answered),
    }


STORED_KEYS = (
    "projects.total",
    *(f"projects.status.{s.value}" for s in ProjectStatus),
    "projects.participants",
    "projects.suggestions",
)


def stored_panel(request: Any, scope: Scope, f: StoredFigures) -> dict[str, object] | None:
    """``project_figures``' card from the stored figures of the user's top of scope; the
    needs answered (distinct categories and aspects, not a sum) in one query."""
    if not scope.has(MANAGE):
        return None
    answered = (
        MicroProject.objects.filter(project_reach_q(scope), category__active=True)
        .order_by()
        .aggregate(
            categories=Count("category", distinct=True),
            aspects=Count("category__aspect", distinct=True),
        )
    )
    return {
        "total": f.count("projects.total"),
        **{s.value: f.count(f"projects.status.{s.value}") for s in ProjectStatus},
        "participants": f.count("projects.participants"),
        "suggestions": f.count("projects.suggestions"),
        "categories_answered": answered["categories"] or 0,
        "aspects_answered": answered["aspects"] or 0,
    }
