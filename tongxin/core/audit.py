"""The one way to write an audit row.

Every row says where its object stands, so that the auditors of that subtree see it: an
organization path (members, organizations, meetings...), an area path (cases, listings,
suggestions: things that live in the geography), or both (visits, projects, centres). A row
about no such object (an account action, an export of a whole roster, a search that found
nothing) stands at the acting user's own home: the anchor of their widest role assignment, else
their member record's organization, else a resident's home. ``audit`` refuses a row it cannot
place, so new code cannot forget.
"""

from __future__ import annotations

from typing import Any, Protocol, TypeVar, cast

from django.apps import apps
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from tongxin.core.models import AuditLog
from tongxin.core.request_context import current_ip

_User = TypeVar("_User", bound=AbstractBaseUser)


def saved_user(actor: _User | AnonymousUser | None) -> _User | None:
    """The acting user as a foreign key value: the account, or None for a system task
    (``actor=None``), an anonymous visitor or an unsaved user."""
    if actor is None or isinstance(actor, AnonymousUser) or actor.pk is None:
        return None
    return actor


class UnplacedAuditRow(ValueError):
    """An audit row without an organization or an area path: no auditor would see it."""


# Attributes that already hold a path (denormalized copies on the domain models).
_ORG_ATTRS = ("org_path", "lead_org_path", "source_path", "member_org_path")
_AREA_ATTRS = ("area_path", "compound_path")
# Relations followed, in this order, when an object holds no path itself.
_VIA = (
    "org",
    "lead_org",
    "serving_branch",
    "area",
    "compound",
    "community",
    "home",
    "member",
    "case",
    "center",
    "activity",
    "team",
    "project",
    "listing",
    "need",
    "report",
    "user",
    "created_by",
)


def _label(obj: models.Model) -> str:
    return obj._meta.label_lower


def _first(obj: object, names: tuple[str, ...]) -> str:
    for name in names:
        value = getattr(obj, name, "")
        if isinstance(value, str) and value:
            return value
    return ""


class _Tree(Protocol):
    """An organization or an area (core may not import their apps): a node of a tree."""

    path: str


def place_of(obj: models.Model, depth: int = 0) -> tuple[str, str]:
    """(org path, area path) of an object; ("", "") when it has none."""
    label = _label(obj)
    if label == "orgs.organization":
        return cast(_Tree, obj).path, ""
    if label == "geo.area":
        return "", cast(_Tree, obj).path
    if label == "accounts.user":
        # A user's account stands at their home; a superuser's, at the installation's root.
        home = home_of(obj)
        if not any(home) and getattr(obj, "is_superuser", False):
            return installation_place()
        return home
    org, area = _first(obj, _ORG_ATTRS), _first(obj, _AREA_ATTRS)
    if org or area or depth >= 2:
        return org, area
    for name in _VIA:
        try:
            field = obj._meta.get_field(name)
        except FieldDoesNotExist:  # this model has no such relation
            continue
        # A foreign key or one-to-one field of this object (not a reverse relation).
        if not isinstance(field, models.ForeignKey):
            continue
        if getattr(obj, field.attname, None) is None:
            continue
        related = getattr(obj, name)
        if related is not None:
            org, area = place_of(related, depth + 1)
            if org or area:
                return org, area
    return "", ""


def home_of(user: models.Model | AnonymousUser | None) -> tuple[str, str]:
    """Where a user's own actions stand: the anchor of their widest active role assignment
    (the shortest path: one row can stand in one place only), else their member record's
    organization, else a resident's home compound."""
    user_id: int | None = getattr(user, "pk", None)
    if user is None or not user_id:
        return "", ""
    assignment = apps.get_model("accounts", "RoleAssignment")
    anchors = list(
        assignment.objects.filter(user_id=user_id, active=True).values_list(
            "org__path", "area__path"
        )
    )
    orgs = sorted((p for p, _a in anchors if p), key=lambda p: (len(p), p))
    if orgs:
        return orgs[0], ""
    areas = sorted((a for _p, a in anchors if a), key=lambda p: (len(p), p))
    if areas:
        return "", areas[0]
    member_id = getattr(user, "member_id", None)
    if member_id:
        member = apps.get_model("members", "Member")
        path = member.objects.filter(pk=member_id).values_list("org_path", flat=True).first()
        if path:
            return path, ""
    resident = apps.get_model("accounts", "Resident")
    home = resident.objects.filter(user_id=user_id).values_list("home__path", flat=True).first()
    return ("", home) if home else ("", "")


def common_path(paths: list[str], step: int = 4) -> str:
    """The deepest node whose subtree holds every path ("" for none, or paths under
    different roots): where a row about several organizations or areas stands."""
    if not paths:
        return ""
    # the common prefix of the smallest and the largest string is that of them all
    first, last = min(paths), max(paths)
    n = 0
    while n < min(len(first), len(last)) and first[n] == last[n]:
        n += 1
    return first[: n - n % step]


def installation_place() -> tuple[str, str]:
    """The place of rows about the whole installation (a superuser's configuration change,
    the demo generator): the first root of the organization tree, else of the area tree.
    The auditors of the whole city see them."""
    org = apps.get_model("orgs", "Organization")
    root = org.objects.filter(depth=1).order_by("path").values_list("path", flat=True).first()
    if root:
        return root, ""
    area = apps.get_model("geo", "Area")
    root = area.objects.filter(depth=1).order_by("path").values_list("path", flat=True).first()
    return ("", root) if root else ("", "")


def audit(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    diff: dict[str, Any] | None = None,
    org_path: str = "",
    area_path: str = "",
    installation_wide: bool = False,
) -> AuditLog:
    """Write one row. The place is taken from the arguments, else from the object, else from
    the actor's home; a superuser's action on nothing placed, and a system task acting on the
    whole installation (``installation_wide``), stand at the installation's root. Raises
    UnplacedAuditRow when no place can be found."""
    if obj is not None:
        object_type = object_type or _label(obj)
        object_id = object_id or str(obj.pk)
        if not org_path and not area_path:
            org_path, area_path = place_of(obj)
        else:
            # An explicit place, completed by what the object itself holds (a visit stands in
            # its organization and in the area visited).
            org_path = org_path or _first(obj, _ORG_ATTRS)
            area_path = area_path or _first(obj, _AREA_ATTRS)
    if not org_path and not area_path:
        org_path, area_path = home_of(actor)
    if (
        not org_path
        and not area_path
        and (installation_wide or getattr(actor, "is_superuser", False))
    ):
        org_path, area_path = installation_place()
        # (An installation without any organization or area has no auditor but the
        # superusers, who see every row: the row is written unplaced.)
    elif not org_path and not area_path:
        raise UnplacedAuditRow(
            f"audit row {action!r} has no place: pass org_path or area_path, or an object "
            "that has one"
        )
    return AuditLog.objects.create(
        actor=saved_user(actor),
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=str(obj)[:200] if obj is not None else "",
        diff=diff or {},
        ip=current_ip(),
        org_path=org_path,
        area_path=area_path,
    )


def model_diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    return {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
