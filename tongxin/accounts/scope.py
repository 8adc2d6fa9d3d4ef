"""A signed-in user's grants, read from their active role assignments (DESIGN §3.1). Registered
with ``tongxin.core.scope`` from ``AccountsConfig.ready()``; callers use
``core.scope.scope_for_user`` or ``request.scope``."""

from __future__ import annotations

from django.utils.translation import gettext

from tongxin.accounts.models import RoleAssignment, User
from tongxin.core.scope import Grant, Scope


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
