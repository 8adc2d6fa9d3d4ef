"""Reads of 预警. A warning is seen by whoever reaches (orgs.view, organization grants) the
organization where it arose or the one that owns it now; anyone else gets a 404."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet
from django.http import Http404

from tongxin.accounts.models import RoleAssignment
from tongxin.alerts.models import Alert, AlertRule, AlertState
from tongxin.core.scope import Scope, subtree_q
from tongxin.geo.models import AreaLevel
from tongxin.orgs.models import Organization

PERM = "orgs.view"


def alert_queryset(scope: Scope) -> QuerySet[Alert]:
    if scope.is_superuser:
        return Alert.objects.all()
    q = scope.org_grants_q(PERM, "org_path") | scope.org_grants_q(PERM, "owner_path")
    return Alert.objects.filter(q)


def alert_list(
    scope: Scope,
    *,
    state: str = "live",
    level: str = "",
    rule_key: str = "",
    under: str = "",
) -> QuerySet[Alert]:
    qs = alert_queryset(scope).select_related("org", "owner", "rule")
    if state == "live":
        qs = qs.exclude(state=AlertState.RESOLVED)
    elif state in AlertState.values:
        qs = qs.filter(state=state)
    if level:
        qs = qs.filter(level=level)
    if rule_key:
        qs = qs.filter(rule_key=rule_key)
    if under:
        qs = qs.filter(subtree_q("org_path", under) | subtree_q("owner_path", under))
    return qs.order_by("-level", "-opened_at", "-pk")


def get_alert_for(scope: Scope, pk: Any) -> Alert:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    alert = alert_queryset(scope).select_related("org", "owner", "rule").filter(pk=pk).first()
    if alert is None:
        raise Http404
    return alert


def may_acknowledge(scope: Scope, alert: Alert) -> bool:
    """The owner acts: someone reaching the organization that holds the warning now."""
    return scope.is_superuser or any(
        g.kind == "org" and g.covers(alert.owner_path) for g in scope.grants.get(PERM, [])
    )


def live_counts(scope: Scope) -> dict[str, int]:
    """The 工作台's figures: live warnings in scope by level and state (one query)."""
    out = {"yellow": 0, "red": 0, "open": 0}
    rows = (
        alert_queryset(scope)
        .exclude(state=AlertState.RESOLVED)
        .order_by()
        .values("level", "state")
        .annotate(n=Count("pk"))
    )
    for row in rows:
        out[row["level"]] += row["n"]
        if row["state"] == AlertState.OPEN:
            out["open"] += row["n"]
    return out


def active_rules() -> QuerySet[AlertRule]:
    return AlertRule.objects.filter(active=True).order_by("key")


def owners_users(org_ids: set[int]) -> dict[int, list[int]]:
    """The people holding a role at each owning organization (its secretary, its staff)."""
    out: dict[int, list[int]] = {}
    for org_id, user_id in (
        RoleAssignment.objects.filter(org_id__in=org_ids, active=True, user__is_active=True)
        .values_list("org_id", "user_id")
        .distinct()
    ):
        out.setdefault(org_id, []).append(user_id)
    return out


RULES_PERM = "orgs.manage"
RULES_LEVELS = (AreaLevel.CITY, AreaLevel.DISTRICT)


def may_edit_rules(scope: Scope) -> bool:
    """The rules are the installation's: edited by the organization department of the city or
    of a district, i.e. whoever holds ``orgs.manage`` over the subtree of an organization that
    stands for a city or a district (street and branch secretaries hold it lower down). One
    query, kept for the request."""
    if scope.is_superuser:
        return True
    paths = [g.path for g in scope.grants.get(RULES_PERM, []) if g.kind == "org" and g.subtree]
    if not paths:
        return False
    if "alerts.may_edit_rules" not in scope.memo:
        scope.memo["alerts.may_edit_rules"] = Organization.objects.filter(
            path__in=paths, area__level__in=RULES_LEVELS
        ).exists()
    return bool(scope.memo["alerts.may_edit_rules"])


def rule_history(key: str) -> QuerySet[AlertRule]:
    return AlertRule.objects.filter(key=key).select_related("created_by").order_by("-version")


def get_active_rule(key: str) -> AlertRule:
    rule = AlertRule.objects.filter(key=key, active=True).first()
    if rule is None:
        raise Http404
    return rule
