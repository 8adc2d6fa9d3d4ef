from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from tongxin.core.permissions import works_at_desk
from tongxin.core.registry import (
    dashboard_figures_for,
    panels_for,
    phone_cards_for,
    phone_home_for,
)
from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import request_scope


@login_required
@reads_from_replica()
def dashboard(request: HttpRequest) -> HttpResponse:
    """``/``: everyone lands where they work. Staff get the 工作台 of their scope; a member
    who holds no staff role gets their phone home (their own figures); a resident gets their
    compound's page, rendered here rather than through a redirect."""
    scope = request_scope(request)
    if not works_at_desk(scope):
        if getattr(request.user, "member_id", None):
            return member_home(request)
        response = phone_home_for(request)
        if response is not None:
            return response
    return render(
        request,
        "core/dashboard.html",
        {
            **dashboard_figures_for(request, scope),
            "panels": panels_for(request, scope),
            "today": timezone.localdate(),
        },
    )


def member_home(request: HttpRequest) -> HttpResponse:
    """A member's phone home: who they are and their own figures (cards registered by the
    modules: their meetings, dues, 双报到 ...), never a staff scope's counts."""
    user = request.user
    assert not isinstance(user, AnonymousUser)  # called for a member's account only
    return render(
        request,
        "core/member_home.html",
        {
            "member": user.member,
            "cards": phone_cards_for(request),
            "today": timezone.localdate(),
        },
    )


@login_required
def me(request: HttpRequest) -> HttpResponse:
    """我的. Staff see their account and scope on the desktop page; members and residents keep
    the phone pages' bottom navigation and see only what they use."""
    user = request.user
    scope = request_scope(request)
    member = user.member  # type: ignore[union-attr]
    if works_at_desk(scope):
        return render(request, "core/me.html", {"member": member})
    resident = getattr(user, "resident", None)
    return render(request, "core/me_phone.html", {"member": member, "resident": resident})


def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"ok": True})
