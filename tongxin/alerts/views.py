"""Pages of 预警: the warnings of a subtree with filters, and one warning with its
acknowledgment form and the link to the page where it is fixed."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from tongxin.accounts.scope import request_user
from tongxin.alerts import selectors, services
from tongxin.alerts.models import AlertState, Level
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import paginate
from tongxin.core.scope import request_scope
from tongxin.orgs.selectors import get_org_for


@login_required
def alert_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not scope.has(selectors.PERM):
        raise Http404
    org = get_org_for(scope, request.GET["org"]) if request.GET.get("org") else None
    state = request.GET.get("state", "live")
    state = state if state in ("live", "all", *AlertState.values) else "live"
    level = request.GET.get("level", "")
    level = level if level in Level.values else ""
    rules = list(selectors.active_rules().values_list("key", "title"))
    rule = request.GET.get("rule", "")
    rule = rule if rule in dict(rules) else ""
    qs = selectors.alert_list(
        scope, state=state, level=level, rule_key=rule, under=org.path if org else ""
    )
    page = paginate(request, qs)
    query = "&".join(
        f"{k}={v}"
        for k, v in (
            ("org", org.pk if org else ""),
            ("state", state),
            ("level", level),
            ("rule", rule),
        )
        if v
    )
    return render(
        request,
        "alerts/list.html",
        {
            "page": page,
            "org": org,
            "state": state,
            "level": level,
            "rule": rule,
            "rules": rules,
            "states": [("live", gettext("未解除")), *AlertState.choices, ("all", gettext("全部"))],
            "levels": Level.choices,
            "counts": selectors.live_counts(scope),
            "query": query,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    alert = selectors.get_alert_for(scope, pk)
    error = ""
    if request.method == "POST":
        try:
            services.alert_acknowledge(
                actor=request_user(request),
                scope=scope,
                alert=alert,
                note=request.POST.get("note", ""),
            )
        except ServiceError as e:
            error = e.message
        else:
            messages.success(request, gettext("已签收。情况消除后预警会自动解除。"))
            return redirect("alerts:detail", pk=alert.pk)
    return render(
        request,
        "alerts/detail.html",
        {
            "alert": alert,
            "error": error,
            "note": request.POST.get("note", ""),
            "can_acknowledge": alert.state == AlertState.OPEN
            and selectors.may_acknowledge(scope, alert),
        },
    )
