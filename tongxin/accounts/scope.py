"""A signed-in user's grants, read from their active role assignments (DESIGN §3.1). Registered
with ``tongxin.core.scope`` from ``AccountsConfig.ready()``; callers use
``core.scope.scope_for_user`` or ``core.scope.request_scope``. ``request_user`` is the acting
user of a request, typed for the services."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext

from tongxin.accounts.models import RoleAssignment, User
from tongxin.core.scope import Grant, Scope


def request_user(request: HttpRequest) -> User:
    """The signed-in user acting through a request. An anonymous visitor is refused here:
    services read ``actor=None`` as a system task acting for the whole installation."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def grants_for_user(user: User) -> Scope:
    scope = Scope(user_id=user.pk)
    rows = RoleAssignment.objects.filter(user=user, active=True).values_list(
        "role__permissions",
        "org__path",
        "area__path",
        "reach",
        "role__name",
        "org__name",
        "area__name",
    )
    for perms, org_path, area_path, reach, role_name, org_name, area_name in rows:
        kind, path = ("org", org_path) if org_path else ("area", area_path)
        if not path:
            continue
        # A default role's name is in the catalog (core.permissions); a renamed one is not,
        # and gettext gives it back unchanged.
        scope.labels.append((gettext(role_name), org_name or area_name, reach))
        grant = Grant(kind=kind, path=path, subtree=(reach == "subtree"))
        for perm in perms or []:
            scope.grants[perm].append(grant)
    return scope
