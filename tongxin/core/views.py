from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse

from tongxin.core.registry import panels_for
from tongxin.members.selectors import member_stats
from tongxin.orgs.selectors import org_counts, secretary_stats


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    if not scope.labels and not request.user.is_superuser and _is_resident(request.user):
        # A resident holds no role: their home is their compound's page, not the staff 工作台.
        try:
            return redirect(reverse("sharing:home"))
        except NoReverseMatch:
            pass
    orgs = org_counts(scope)
    members = member_stats(scope)
    return render(
        request,
        "core/dashboard.html",
        {
            "orgs": orgs,
            "members": members,
            "org_total": sum(orgs["by_kind"].values()),
            "member_total": sum(members["by_status"].values()),
            "secretaries": secretary_stats(scope),
            "panels": panels_for(request, scope),
        },
    )


def _is_resident(user: Any) -> bool:
    from tongxin.accounts.models import Resident

    return Resident.objects.filter(user_id=user.pk).exists()


@login_required
def me(request: HttpRequest) -> HttpResponse:
    member = request.user.member  # type: ignore[union-attr]
    return render(request, "core/me.html", {"member": member})


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})
