"""The 工作台 card of the coverage audit: counts per category for the user's first root,
from the stored figures (insights' rollups) when there are some, else counted live."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from django.utils import timezone

from tongxin.core.registry import StoredFigures
from tongxin.core.scope import Scope
from tongxin.grids.coverage import CATEGORIES, CoverageAudit, audit_roots

# The whole city takes a few seconds: the card keeps its counts for a few minutes (the
# audit page itself always counts afresh).
CACHE_SECONDS = 300

# The audit's categories and the metric (grids.metrics) counting each at every subtree.
METRIC_OF = {
    "compound": "gaps.compound",
    "unit": "gaps.unit",
    "functional": "gaps.functional",
    "ungridded": "grids.members_unplaced",
    "multigrid": "gaps.multigrid",
    "no_instructor": "gaps.no_instructor",
    "no_secretary": "gaps.no_secretary",
    "term": "gaps.term_due",
    "overdue_probation": "gaps.overdue_probation",
}
STORED_KEYS = tuple(METRIC_OF.values())


def _may_audit(scope: Scope) -> bool:
    return scope.has("orgs.manage") or scope.has("grids.manage")


def coverage_panel(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    if not _may_audit(scope):
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


def stored_panel(request: HttpRequest, scope: Scope, f: StoredFigures) -> dict[str, Any] | None:
    """``coverage_panel``'s card from the stored figures: one query (the root, for its link).
    The figures sum the user's top organizations; the card audits the first of them, so a
    user with several is counted live."""
    if not _may_audit(scope):
        return None
    roots = list(audit_roots(scope).only("id", "path")[:2])
    if not roots:
        return None
    if len(roots) > 1:
        return coverage_panel(request, scope)
    return {
        "root": roots[0],
        "categories": [(c, f.count(METRIC_OF[c.key])) for c in CATEGORIES],
    }
