"""The 工作台's head figures read from the rollups (core.registry.dashboard_source): the same
context keys as the live figures of orgs and members (``orgs``, ``org_total``,
``secretaries``, ``members``, ``member_total``), so the page keeps its look.

Rollups are per subtree: they answer for a superuser and for a user whose organization and
member grants are the same subtrees (the usual secretary, street or district staff). For any
other scope (area grants, single-node grants) this returns None and the figures are live."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongxin.core.metrics import all_metrics
from tongxin.core.scope import Scope
from tongxin.insights import selectors
from tongxin.orgs.selectors import SecretaryStats


def _subtree_paths(scope: Scope, perm: str) -> set[str] | None:
    grants = scope.grants.get(perm, [])
    if any(g.kind != "org" or not g.subtree for g in grants):
        return None
    return {g.path for g in grants}


def head_figures(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    run = selectors.latest_run()
    if run is None:
        return None
    if not scope.is_superuser:
        org_paths = _subtree_paths(scope, selectors.PERM)
        if not org_paths or org_paths != _subtree_paths(scope, selectors.PEOPLE_PERM):
            return None
    roots = selectors.cockpit_roots(scope)
    if not roots:
        return None
    totals: dict[str, float] = {}
    for row in selectors.figures(scope, roots, run, {r.path for r in roots}):
        for key, cell in row.cells.items():
            if cell.value is not None and not cell.metric.is_ratio:
                totals[key] = totals.get(key, 0.0) + cell.value

    def group(prefix: str) -> dict[str, int]:
        return {
            str(m.label): int(totals.get(m.key, 0))
            for m in all_metrics()
            if m.key.startswith(prefix)
        }

    orgs = {"by_kind": group("orgs.kind."), "by_sector": group("orgs.sector.")}
    members = {
        "by_status": group("members.status."),
        "by_age": group("members.age."),
        "by_education": group("members.education."),
    }
    n = int(totals.get("orgs.secretaries", 0))
    age_sum = totals.get("orgs.secretaries_age_sum", 0.0)
    return {
        "orgs": orgs,
        "org_total": int(totals.get("orgs.total", 0)),
        "secretaries": SecretaryStats(
            secretaries=n,
            dual_role=int(totals.get("orgs.secretaries_dual", 0)),
            average_age=round(age_sum / n, 1) if n else None,
            college_or_above=int(totals.get("orgs.secretaries_college", 0)),
        ),
        "members": members,
        "member_total": int(totals.get("members.total", 0)),
        "figures_as_of": run.finished_at,
    }
