from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

from tongxin.members.selectors import member_stats
from tongxin.orgs.selectors import org_counts


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
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
        },
    )


@login_required
def me(request: HttpRequest) -> HttpResponse:
    member = request.user.member  # type: ignore[union-attr]
    return render(request, "core/me.html", {"member": member})


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})
