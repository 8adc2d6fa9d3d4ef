from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import pgettext_lazy

from tongxin.core.registry import REGISTRY

NAV = [
    ("core:dashboard", pgettext_lazy("nav", "工作台"), "dashboard"),
    ("orgs:tree", pgettext_lazy("nav", "组织"), "orgs"),
    ("members:list", pgettext_lazy("nav", "党员"), "members"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    ns = match.namespace if match else ""
    active = {"core": "dashboard"}.get(ns, ns)
    items = list(NAV)
    scope = getattr(request, "scope", None)
    if scope is not None and request.user.is_authenticated:
        for item in REGISTRY.nav:
            if not item.perms or any(scope.has(p) for p in item.perms):
                items.append((item.url_name, item.label, item.key))
                if ns in item.key.split("|"):
                    active = item.key
        if scope.has("audit.view"):
            items.append(("core:audit", pgettext_lazy("nav", "审计"), "audit"))
    if ns == "core" and match and match.url_name == "audit":
        active = "audit"
    return {"nav_items": items, "nav_active": active}
