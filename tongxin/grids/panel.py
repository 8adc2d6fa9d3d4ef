"""The 工作台 card of the coverage audit: counts per category for the user's first root."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from tongxin.core.scope import Scope
from tongxin.grids.coverage import CATEGORIES, CoverageAudit, audit_roots

# The whole city takes a few seconds: the card keeps its counts for a few minutes (the
# audit page itself always counts afresh).
CACHE_SECONDS = 300


def coverage_panel(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    if not (scope.has("orgs.manage") or scope.has("grids.manage")):
        return None
    root = audit_roots(scope).select_related("area").first()
    if root is None:
        return None
    today = timezone.localdate()
    key = f"grids:coverage:{root.pk}:{today.isoformat()}:{int(scope.covers_org_subtree('members.view', root.path))}"
    counts = cache.get(key)
    if counts is None:
        counts = CoverageAudit(scope, root, today).counts()
        cache.set(key, counts, CACHE_SECONDS)
    return {"root": root, "categories": [(c, counts[c.key]) for c in CATEGORIES]}
