from __future__ import annotations

from typing import Any

from django.http import HttpRequest

NAV = [
    ("core:dashboard", "工作台", "dashboard"),
    ("orgs:tree", "组织", "orgs"),
    ("members:list", "党员", "members"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    match = getattr(request, "resolver_match", None)
    ns = match.namespace if match else ""
    active = {"core": "dashboard"}.get(ns, ns)
    return {"nav_items": NAV, "nav_active": active}
