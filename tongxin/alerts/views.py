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
from tongxin.core.alert_checks import CHECKS
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import paginate
from tongxin.core.scope import Scope, request_scope
from tongxin.orgs.models import OrgKind
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
            "can_edit_rules": selectors.may_edit_rules(scope),
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


def _int(raw: str, field: str, errors: dict[str, str]) -> int:
    try:
        value = int((raw or "").strip())
    except ValueError:
        errors[field] = gettext("请填写整数。")
        return 0
    if value < 0 or value > 10**9:
        errors[field] = gettext("请填写 0 到 1000000000 之间的整数。")
        return 0
    return value


def _rules_page(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not selectors.may_edit_rules(scope):
        raise Http404
    return scope


@login_required
def rule_list(request: HttpRequest) -> HttpResponse:
    _rules_page(request)
    rules = list(selectors.active_rules().select_related("created_by"))
    for r in rules:
        check = CHECKS.get(r.check_key)
        r.check_label = check.label if check else r.check_key  # type: ignore[attr-defined]
        r.unit = check.unit if check else ""  # type: ignore[attr-defined]
        r.kinds_label = "、".join(  # type: ignore[attr-defined]
            str(OrgKind(k).label) for k in r.org_kinds if k in OrgKind.values
        )
    return render(request, "alerts/rules.html", {"rules": rules})


@login_required
@require_http_methods(["GET", "POST"])
def rule_edit(request: HttpRequest, key: str = "") -> HttpResponse:
    """A new version of a rule (or, without a key, a new rule): the old version stays, and the
    warnings it opened keep pointing at it."""
    scope = _rules_page(request)
    current = selectors.get_active_rule(key) if key else None
    errors: dict[str, str] = {}
    error = ""
    if request.method == "POST":
        p = request.POST
        data = services.RuleInput(
            key=current.key if current else p.get("key", "").strip(),
            check_key=p.get("check_key", "").strip(),
            title=p.get("title", "").strip(),
            yellow_at=_int(p.get("yellow_at", ""), "yellow_at", errors),
            red_at=_int(p.get("red_at", ""), "red_at", errors),
            org_kinds=p.getlist("org_kinds"),
            escalate_after_days=_int(
                p.get("escalate_after_days", ""), "escalate_after_days", errors
            ),
            red_to_parent=p.get("red_to_parent") == "on",
        )
        if not current and _key_taken(data.key):
            errors["key"] = gettext("已有这个规则代码，请在规则列表中修改它。")
        if errors:
            error = gettext("预警规则有误，请按提示修改。")
        else:
            try:
                rule = services.rule_save(actor=request_user(request), scope=scope, data=data)
            except ServiceError as e:
                error, errors = e.message, dict(e.fields or {})
            else:
                messages.success(
                    request,
                    gettext("已保存为第 %(v)d 版，下次巡检起生效。") % {"v": rule.version},
                )
                return redirect("alerts:rules")
        form = {
            "key": data.key,
            "check_key": data.check_key,
            "title": data.title,
            "yellow_at": p.get("yellow_at", ""),
            "red_at": p.get("red_at", ""),
            "org_kinds": data.org_kinds,
            "escalate_after_days": p.get("escalate_after_days", ""),
            "red_to_parent": data.red_to_parent,
        }
    elif current:
        form = {
            "key": current.key,
            "check_key": current.check_key,
            "title": current.title,
            "yellow_at": current.yellow_at,
            "red_at": current.red_at,
            "org_kinds": current.org_kinds,
            "escalate_after_days": current.escalate_after_days,
            "red_to_parent": current.red_to_parent,
        }
    else:
        form = {"org_kinds": [], "escalate_after_days": 7}
    return render(
        request,
        "alerts/rule_edit.html",
        {
            "current": current,
            "form": form,
            "error": error,
            "errors": errors,
            "checks": sorted(((k, c.label, c.unit) for k, c in CHECKS.items()), key=lambda x: x[0]),
            "kinds": OrgKind.choices,
            "history": selectors.rule_history(current.key)[:20] if current else [],
        },
    )


def _key_taken(key: str) -> bool:
    return bool(key) and selectors.rule_history(key).exists()
