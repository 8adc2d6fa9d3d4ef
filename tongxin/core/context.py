from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import pgettext_lazy

from tongxin.core.registry import REGISTRY

# (url name, label, active key, permission needed; None: every signed-in user). An item
# shows only to those who may open it: the member list to a member who sees no one else
# would be an empty page whose buttons lead nowhere.
NAV = [
    ("core:dashboard", pgettext_lazy("nav", "工作台"), "dashboard", None),
    ("orgs:tree", pgettext_lazy("nav", "组织"), "orgs", "orgs.view"),
    ("members:list", pgettext_lazy("nav", "党员"), "members", "members.view"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    ns = match.namespace if match else ""
    # 转接, 双报到 and 党费 (apps of their own) sit under 党员 in the navigation, as when they
    # were part of members.
    under_members = {"transfers": "members", "dual_reports": "members", "dues": "members"}
    active = {"core": "dashboard", **under_members}.get(ns, ns)
    scope: Any = getattr(request, "scope", None)
    signed_in = scope is not None and request.user.is_authenticated
    items = [
        (url_name, label, key)
        for url_name, label, key, perm in NAV
        if perm is None or (signed_in and scope.has(perm))
    ]
    if signed_in:
        for item in REGISTRY.nav:
            if not item.perms or any(scope.has(p) for p in item.perms):
                items.append((item.url_name, item.label, item.key))
                if ns in item.key.split("|"):
                    active = item.key
    search = bool(signed_in and scope.has("members.view"))
    return {"nav_items": items, "nav_active": active, "nav_member_search": search}
