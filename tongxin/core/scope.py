"""The data scope: the one access mechanism (DESIGN §3.1).

A Scope is computed once per request from the user's role assignments: per permission, the
organization path prefixes and area path prefixes the user reaches. Selectors filter with the
Q objects it builds; ``get_<thing>_for(scope, pk, perm)`` helpers raise Http404 outside it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext

from tongxin.core.errors import ForbiddenError

# treebeard paths use 0-9A-Z, so every path below P sorts between P and P + "Z"*n. A range
# (not LIKE) lets SQLite use the index on path; PostgreSQL uses it too.
_PATH_MAX = 255
STEPLEN = 4  # treebeard's default step length for both trees


def subtree_q(field_name: str, path: str) -> Q:
    return Q(**{f"{field_name}__range": (path, path + "Z" * (_PATH_MAX - len(path)))})


@dataclass(frozen=True)
class Grant:
    kind: str  # "org" | "area"
    path: str
    subtree: bool

    def q(self, field_name: str) -> Q:
        return subtree_q(field_name, self.path) if self.subtree else Q(**{field_name: self.path})

    def covers(self, path: str) -> bool:
        return path.startswith(self.path) if self.subtree else path == self.path


NOTHING = Q(pk__in=[])


@dataclass
class Scope:
    user_id: int | None
    is_superuser: bool = False
    grants: dict[str, list[Grant]] = field(default_factory=lambda: defaultdict(list))
    # What the top bar shows: (role name, anchor name, reach), one per assignment.
    labels: list[tuple[str, str, str]] = field(default_factory=list)
    # Per-request memo for selectors that derive something from the grants with a query.
    memo: dict[str, object] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def anonymous(cls) -> Scope:
        return cls(user_id=None)

    @classmethod
    def everything(cls) -> Scope:
        """For system tasks and management commands acting for the whole installation."""
        return cls(user_id=None, is_superuser=True)

    def has(self, perm: str) -> bool:
        return self.is_superuser or bool(self.grants.get(perm))

    def _q(self, perm: str, kind: str, field_name: str) -> Q | None:
        qs = [g.q(field_name) for g in self.grants.get(perm, []) if g.kind == kind]
        if not qs:
            return None
        out = qs[0]
        for q in qs[1:]:
            out |= q
        return out

    def _combine(self, *parts: Q | None) -> Q:
        present = [p for p in parts if p is not None]
        if not present:
            return NOTHING
        out = present[0]
        for p in present[1:]:
            out |= p
        return out

    def orgs_q(self, perm: str = "orgs.view", prefix: str = "") -> Q:
        """Organizations reached: by an org grant on the tree, or by an area grant on the
        area the organization is anchored in."""
        if self.is_superuser:
            return Q()
        return self._combine(
            self._q(perm, "org", f"{prefix}path"), self._q(perm, "area", f"{prefix}area__path")
        )

    def members_q(self, perm: str = "members.view", prefix: str = "") -> Q:
        """Members reached: by their organization (denormalized org_path) or their residence.
        `prefix` reaches members through a relation, e.g. "member__" from a Leadership."""
        if self.is_superuser:
            return Q()
        return self._combine(
            self._q(perm, "org", f"{prefix}org_path"),
            self._q(perm, "area", f"{prefix}residence__path"),
        )

    def org_grants_q(self, perm: str, field_name: str) -> Q:
        """Only the organization-anchored grants, applied to any field holding an org path."""
        if self.is_superuser:
            return Q()
        return self._q(perm, "org", field_name) or NOTHING

    def orgs_by_area_q(self, perm: str = "orgs.view") -> Q | None:
        """Only the area-anchored part of orgs_q (None when the user has no area grant)."""
        return self._q(perm, "area", "area__path")

    def reaches_org(self, perm: str, org_path: str, area_path: str | None = None) -> bool:
        if self.is_superuser:
            return True
        for g in self.grants.get(perm, []):
            if g.kind == "org" and g.covers(org_path):
                return True
            if g.kind == "area" and area_path is not None and g.covers(area_path):
                return True
        return False

    def covers_org_subtree(self, perm: str, path: str) -> bool:
        """True when one subtree grant contains the whole subtree at `path`: a query already
        limited to that subtree then needs no scope filter (the same range twice makes
        SQLite check the second on every row)."""
        return self.is_superuser or any(
            g.kind == "org" and g.subtree and path.startswith(g.path)
            for g in self.grants.get(perm, [])
        )

    def org_roots(self, perm: str = "orgs.view") -> list[str]:
        """Org-grant paths whose parent the user does not reach: the tree browser's first
        level. (A subtree grant below a node grant is a root of its own.)"""
        roots = []
        for p in sorted({g.path for g in self.grants.get(perm, []) if g.kind == "org"}):
            parent = p[:-STEPLEN]
            if parent and self.reaches_org(perm, parent):
                continue
            roots.append(p)
        return roots


def request_scope(request: HttpRequest) -> Scope:
    """The Scope of a request: set by ScopeMiddleware, or by the API's token auth. The one way
    to read it (``request.scope`` is not a typed attribute of Django's HttpRequest)."""
    scope = getattr(request, "scope", None)
    return scope if scope is not None else scope_for_user(request.user)


def set_request_scope(request: HttpRequest, scope: Scope | Callable[[], Scope]) -> None:
    """The one way to set it: a Scope, or a function computing it on first use (the middleware
    sets a lazy one; the API's token auth sets the token user's)."""
    vars(request)["scope"] = scope if isinstance(scope, Scope) else SimpleLazyObject(scope)


# Who computes a signed-in user's grants: ``tongxin.accounts`` (which owns role assignments)
# registers it from its AppConfig.ready(), so that core never imports an app above it.
_grant_loader: Callable[[Any], Scope] | None = None


def register_grant_loader(loader: Callable[[Any], Scope]) -> None:
    global _grant_loader
    _grant_loader = loader


def scope_for_user(user: AbstractBaseUser | AnonymousUser | None) -> Scope:
    if user is None or not user.is_authenticated:
        return Scope.anonymous()
    if getattr(user, "is_superuser", False):
        return Scope(user_id=user.pk, is_superuser=True)
    if _grant_loader is None:
        raise RuntimeError("tongxin.accounts is not installed: no grant loader registered")
    return _grant_loader(user)


def acting_scope(actor: AbstractBaseUser | None, scope: Scope | None = None) -> Scope:
    """The scope a write service checks: the one its caller holds (a view's request scope, an
    import's), else the acting user's; a system task (``actor=None``) acts for the whole
    installation."""
    if scope is not None:
        return scope
    if actor is None:
        return Scope.everything()
    return scope_for_user(actor)


def in_scope(queryset: QuerySet[Any], obj: Model) -> bool:
    """Whether a selector's scoped queryset holds the object: the same rule as the page's
    ``get_<thing>_for``, asked by a service (one query)."""
    return obj.pk is not None and queryset.filter(pk=obj.pk).exists()


def require(allowed: bool, message: str = "") -> None:
    """Refuse a write outside the scope: ForbiddenError, with the service's own sentence."""
    if not allowed:
        raise ForbiddenError(message or gettext("您没有权限对该对象进行此操作。"))
