"""Reads of the audit log, filtered by the Scope.

An auditor (``audit.view``) sees the rows that stand in their reach:

- an organization grant reaches rows whose ``org_path`` lies in its subtree, and rows whose
  ``area_path`` lies in the area the organization is anchored in (a 街道党工委 anchored on
  南门街道 audits the cases of 南门街道, as it reaches them in cases.selectors);
- an area grant reaches rows whose ``area_path`` lies in its area, and the rows of the
  organizations anchored there (as Scope.orgs_q reaches those organizations);
- everyone with ``audit.view`` also sees their own actions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import cast

from django.apps import apps
from django.db.models import Q, QuerySet

from tongxin.core.audit_actions import ACTION_LABELS, action_label
from tongxin.core.inputs import parse_pk
from tongxin.core.models import AuditLog
from tongxin.core.scope import NOTHING, Scope, subtree_q

__all__ = [
    "ACTION_LABELS",
    "AuditFilters",
    "action_label",
    "audit_list",
    "audit_reach_q",
    "place_names",
]

PERM = "audit.view"


@dataclass
class AuditFilters:
    action: str = ""
    actor: str = ""  # username (exact) or display name (contains)
    # A subtree the caller has checked to be in reach: rows standing in it.
    org_path: str = ""
    area_path: str = ""
    date_from: dt.date | None = None  # inclusive, in the site's time zone
    date_to: dt.date | None = None  # inclusive


def anchor_areas(scope: Scope) -> list[str]:
    """The area paths of the organizations the user audits by an organization grant: the
    area each is anchored in. One query per request (memoized on the scope)."""
    key = "core:audit_anchor_areas"
    memo = scope.memo.get(key)
    if memo is None:
        paths = sorted({g.path for g in scope.grants.get(PERM, []) if g.kind == "org"})
        organization = apps.get_model("orgs", "Organization")
        memo = sorted(
            set(
                organization.objects.filter(path__in=paths, area__isnull=False).values_list(
                    "area__path", flat=True
                )
            )
            if paths
            else set()
        )
        scope.memo[key] = memo
    return cast(list[str], memo)


def area_prefixes(scope: Scope) -> list[tuple[str, bool]]:
    """(area path, subtree) the user audits: area grants, and organization grants' anchors."""
    out = [(g.path, g.subtree) for g in scope.grants.get(PERM, []) if g.kind == "area"]
    out += [(p, True) for p in anchor_areas(scope)]
    return out


def audit_reach_q(scope: Scope) -> Q:
    """Rows the user may audit (their own actions aside)."""
    if scope.is_superuser:
        return Q()
    if not scope.has(PERM):
        return NOTHING
    q = scope.org_grants_q(PERM, "org_path")
    organization = apps.get_model("orgs", "Organization")
    for g in scope.grants.get(PERM, []):
        if g.kind == "area":
            q |= g.q("area_path")
            anchored = organization.objects.filter(g.q("area__path")).values("path")
            q |= Q(org_path__in=anchored)
    for path in anchor_areas(scope):
        q |= subtree_q("area_path", path)
    return q


def audit_list(scope: Scope, filters: AuditFilters | None = None) -> QuerySet[AuditLog]:
    """Rows standing in the user's reach, and the user's own actions; all for a superuser.
    Rows keep the place where their object stood when they were written: a later move of the
    object does not carry its rows away."""
    f = filters or AuditFilters()
    qs = AuditLog.objects.select_related("actor")
    if not scope.is_superuser:
        if not scope.has(PERM):
            return qs.none()
        qs = qs.filter(audit_reach_q(scope) | Q(actor_id=scope.user_id))
    if f.action:
        qs = qs.filter(action=f.action)
    if f.actor.strip():
        name = f.actor.strip()
        qs = qs.filter(Q(actor__username=name) | Q(actor__display_name__contains=name))
    if f.org_path:
        qs = qs.filter(subtree_q("org_path", f.org_path))
    if f.area_path:
        qs = qs.filter(subtree_q("area_path", f.area_path))
    if f.date_from:
        qs = qs.filter(at__date__gte=f.date_from)
    if f.date_to:
        qs = qs.filter(at__date__lte=f.date_to)
    return qs.order_by("-at", "-id")


# A tree path written into an object's text (a transfer's "from → to"): 4-character steps.
PATH_TOKEN = re.compile(r"\b(?:[0-9A-Z]{4}){2,}\b")


@dataclass(frozen=True)
class Place:
    pk: int
    name: str


def place_names(rows: list[AuditLog]) -> tuple[dict[str, Place], dict[str, Place]]:
    """(org path -> organization, area path -> area) for every place on a page of rows and
    every tree path written in their object text: two queries, whatever the number of rows."""
    org_paths: set[str] = set()
    area_paths: set[str] = set()
    for row in rows:
        if row.org_path:
            org_paths.add(row.org_path)
        if row.area_path:
            area_paths.add(row.area_path)
        org_paths.update(PATH_TOKEN.findall(row.object_repr))
    organization = apps.get_model("orgs", "Organization")
    area = apps.get_model("geo", "Area")
    orgs = {
        path: Place(pk, name)
        for path, pk, name in organization.objects.filter(path__in=org_paths).values_list(
            "path", "pk", "name"
        )
    }
    areas = {
        path: Place(pk, name)
        for path, pk, name in area.objects.filter(path__in=area_paths).values_list(
            "path", "pk", "name"
        )
    }
    return orgs, areas


def readable_repr(text: str, orgs: dict[str, Place]) -> str:
    """An object's text with every organization path in it replaced by the organization's
    name."""
    return PATH_TOKEN.sub(lambda m: orgs[m.group(0)].name if m.group(0) in orgs else "…", text)


def subtree_choices(scope: Scope, levels: int = 3) -> tuple[list[Place], list[Place]]:
    """The organizations and areas offered as subtree filters: the top ``levels`` levels of
    what the user audits (a city auditor: the city, its districts and streets). Deeper ones
    are reached by clicking a row's place. Two queries."""
    organization = apps.get_model("orgs", "Organization")
    area = apps.get_model("geo", "Area")
    if scope.is_superuser:
        org_q, area_q = Q(depth__lte=levels), Q(depth__lte=levels)
    else:
        org_q = NOTHING
        for g in scope.grants.get(PERM, []):
            if g.kind == "org":
                org_q |= g.q("path") & Q(depth__lte=len(g.path) // 4 + levels - 1)
        area_q = NOTHING
        for path, subtree in area_prefixes(scope):
            q = subtree_q("path", path) if subtree else Q(path=path)
            area_q |= q & Q(depth__lte=len(path) // 4 + levels - 1)
    orgs = [
        Place(pk, name)
        for pk, name in organization.objects.filter(org_q)
        .order_by("path")
        .values_list("pk", "name")[:500]
    ]
    areas = [
        Place(pk, name)
        for pk, name in area.objects.filter(area_q).order_by("path").values_list("pk", "name")[:500]
    ]
    return orgs, areas


def audited_org_path(scope: Scope, pk: object) -> str | None:
    """The path of an organization the user audits, or None (out of reach, missing, not a
    number): the subtree filter never opens a subtree beyond the user's reach."""
    organization = apps.get_model("orgs", "Organization")
    path = organization.objects.filter(pk=parse_pk(pk) or 0).values_list("path", flat=True).first()
    if path is None:
        return None
    if scope.is_superuser or scope.reaches_org(PERM, path):
        return path
    return None


def audited_area_path(scope: Scope, pk: object) -> str | None:
    area = apps.get_model("geo", "Area")
    path = area.objects.filter(pk=parse_pk(pk) or 0).values_list("path", flat=True).first()
    return path if path is not None and area_in_reach(scope, path) else None


def area_in_reach(scope: Scope, path: str) -> bool:
    return scope.is_superuser or any(
        path.startswith(p) if subtree else path == p for p, subtree in area_prefixes(scope)
    )
