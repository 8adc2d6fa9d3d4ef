"""Every write to organizations: atomic, audited, legal nesting enforced (DESIGN §4.1)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core import creditcode
from tongxin.core.audit import audit, model_diff
from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope, acting_scope, require
from tongxin.orgs import selectors
from tongxin.orgs.hooks import org_moved
from tongxin.orgs.models import (
    Establishment,
    Leadership,
    LeadershipRole,
    Organization,
    OrgKind,
    Sector,
    Unit,
)

COMMITTEES = {OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE}
# kind -> parent kinds allowed (None: may be a root of the tree)
ALLOWED_PARENTS: dict[str, set[Any]] = {
    OrgKind.COMMITTEE: {None, OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE},
    OrgKind.WORKING_COMMITTEE: {None, OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE},
    OrgKind.GENERAL_BRANCH: {OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE},
    OrgKind.BRANCH: {OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE, OrgKind.GENERAL_BRANCH},
    OrgKind.GROUP: {OrgKind.BRANCH},
}


def nesting_error(kind: str, parent_kind: str | None) -> str | None:
    """The reason a `kind` may not sit under `parent_kind`, or None when it may."""
    if parent_kind in ALLOWED_PARENTS[OrgKind(kind)]:
        return None
    label = OrgKind(kind).label
    if parent_kind is None:
        return gettext("%(kind)s必须设在上级党组织之下，请选择上级党组织。") % {"kind": label}
    parent = {"parent": OrgKind(parent_kind).label}
    if kind == OrgKind.GROUP:
        return gettext("党小组只能设在党支部之下，不能设在%(parent)s之下。") % parent
    if kind == OrgKind.BRANCH:
        return gettext("党支部应设在党委、党工委或党总支之下，不能设在%(parent)s之下。") % parent
    if kind == OrgKind.GENERAL_BRANCH:
        return gettext("党总支应设在党委或党工委之下，不能设在%(parent)s之下。") % parent
    return gettext("%(kind)s应设在党委或党工委之下，不能设在%(parent)s之下。") % {
        "kind": label,
        **parent,
    }


def children_error(kind: str, child_kinds: set[str]) -> str | None:
    """Why an organization with children of `child_kinds` may not become `kind`, or None.
    Shared with the organization roster import (tongxin.rosters.org_import)."""
    for child_kind in sorted(child_kinds):
        if kind not in ALLOWED_PARENTS[OrgKind(child_kind)]:
            return gettext("该组织下设有%(child)s，不能改为%(kind)s。") % {
                "child": OrgKind(child_kind).label,
                "kind": OrgKind(kind).label,
            }
    return None


def _check_children(kind: str, org: Organization) -> None:
    kinds = set(Organization.objects.get_children(org).values_list("kind", flat=True))
    reason = children_error(kind, kinds)
    if reason:
        raise ServiceError(reason, fields={"kind": gettext("类型与下级组织不相容。")})


ORG_FIELDS = [
    "name",
    "kind",
    "establishment",
    "sector",
    "is_joint",
    "is_temporary",
    "area",
    "unit",
    "founded_on",
]


def _snapshot(org: Organization) -> dict[str, Any]:
    out = {}
    for f in ORG_FIELDS:
        v = getattr(org, f + "_id") if f in ("area", "unit") else getattr(org, f)
        out[f] = v.isoformat() if isinstance(v, dt.date) else v
    return out


def org_field_errors(data: dict[str, Any]) -> dict[str, str]:
    """The field rules of org_create and org_update, as {field: message}. Shared with the
    organization roster import, which reports them per row instead of raising."""
    errors = {}
    if not str(data.get("name") or "").strip():
        errors["name"] = gettext("请填写党组织名称。")
    if data.get("kind") not in OrgKind.values:
        errors["kind"] = gettext("请选择党组织类型。")
    founded = data.get("founded_on")
    if founded and founded > timezone.localdate():
        errors["founded_on"] = gettext("成立日期不能晚于今天。")
    return errors


def _validate(data: dict[str, Any]) -> None:
    errors = org_field_errors(data)
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)


def _manages(scope: Scope, org: Organization) -> bool:
    return selectors.org_queryset(scope, "orgs.manage").filter(pk=org.pk).exists()


def _check_unit(scope: Scope, data: dict[str, Any]) -> None:
    unit = data.get("unit")
    if unit is not None:
        require(
            selectors.units_for_choice(scope).filter(pk=unit.pk).exists(),
            gettext("所选单位不在您的管理范围内。"),
        )


@transaction.atomic
def org_create(
    *,
    actor: User | None,
    parent: Organization | None,
    scope: Scope | None = None,
    **data: Any,
) -> Organization:
    """A top-level organization: superusers only; else under a parent the actor manages."""
    scope = acting_scope(actor, scope)
    if parent is None:
        require(scope.is_superuser, gettext("只有系统管理员可以创建顶级党组织。"))
    else:
        require(_manages(scope, parent), gettext("您没有管理该上级组织的权限。"))
    _check_unit(scope, data)
    _validate(data)
    reason = nesting_error(data["kind"], parent.kind if parent else None)
    if reason:
        raise ServiceError(reason, fields={"kind": reason})
    data.setdefault("establishment", Establishment.FORMAL)
    data["name"] = data["name"].strip()
    if parent is None:
        org = Organization.objects.add_root(create_kwargs=data)
    else:
        parent = Organization.objects.get(pk=parent.pk)  # fresh numchild/path
        org = Organization.objects.add_child(parent, create_kwargs=data)
    audit(actor=actor, action="orgs.create", obj=org, diff=_snapshot(org))
    return org


@transaction.atomic
def org_update(
    *, actor: User | None, org: Organization, scope: Scope | None = None, **data: Any
) -> Organization:
    scope = acting_scope(actor, scope)
    require(_manages(scope, org), gettext("您没有管理该党组织的权限。"))
    _check_unit(scope, data)
    current = {f: getattr(org, f) for f in ORG_FIELDS}  # real values: dates stay dates
    merged = {**current, **data}
    _validate(merged)
    if data.get("kind") and data["kind"] != org.kind:
        parent = Organization.objects.get_parent(org)
        reason = nesting_error(data["kind"], parent.kind if parent else None)
        if reason:
            raise ServiceError(reason, fields={"kind": reason})
        _check_children(data["kind"], org)
    before = _snapshot(org)
    for k, v in data.items():
        setattr(org, k, v.strip() if k == "name" else v)
    org.save()
    audit(actor=actor, action="orgs.update", obj=org, diff=model_diff(before, _snapshot(org)))
    return org


@transaction.atomic
def org_move(
    *,
    actor: User | None,
    org: Organization,
    new_parent: Organization,
    scope: Scope | None = None,
) -> Organization:
    """Move an organization with its whole subtree under another parent: the actor manages
    the organization, its current parent (selectors.may_move) and the new parent."""
    scope = acting_scope(actor, scope)
    require(
        _manages(scope, org) and selectors.may_move(scope, org),
        gettext("调整隶属关系需要对现上级组织有管理权限，请联系上级组织办理。"),
    )
    require(_manages(scope, new_parent), gettext("您没有管理目标上级组织的权限。"))
    org = Organization.objects.get(pk=org.pk)
    new_parent = Organization.objects.get(pk=new_parent.pk)
    if new_parent.pk == org.pk or new_parent.path.startswith(org.path):
        raise ServiceError(
            gettext("不能把党组织移动到它自己或它的下级组织之下，请选择其他上级组织。"),
            fields={"parent": gettext("目标是本组织或其下级组织。")},
        )
    reason = nesting_error(org.kind, new_parent.kind)
    if reason:
        raise ServiceError(reason, fields={"parent": reason})
    old_parent = Organization.objects.get_parent(org)
    old_path = org.path
    # Appended as the last child: no other organization's path changes (see Organization).
    Organization.objects.move(org, new_parent, pos="last-child")
    org.refresh_from_db()
    # Keep copies of the path (members' org_path) in step with the tree.
    org_moved.send(sender=Organization, old_path=old_path, new_path=org.path)
    # Filed under the old place and the new one: the auditors of both see the move.
    for filed_under in (old_path, org.path):
        audit(
            actor=actor,
            action="orgs.move",
            obj=org,
            diff={"parent": [old_parent.pk if old_parent else None, new_parent.pk]},
            org_path=filed_under,
        )
    return org


@transaction.atomic
def leadership_add(
    *,
    actor: User | None,
    org: Organization,
    member: Any,
    role: str,
    term_start: dt.date,
    term_end: dt.date,
    holds_dual_role: bool = False,
    scope: Scope | None = None,
) -> Leadership:
    """`member`: a members.Member of the organization's subtree (orgs sits below members)."""
    scope = acting_scope(actor, scope)
    require(_manages(scope, org), gettext("您没有管理该党组织的权限。"))
    errors = {}
    if role not in LeadershipRole.values:
        errors["role"] = gettext("请选择职务。")
    if term_end <= term_start:
        errors["term_end"] = gettext("任期结束日期应晚于开始日期。")
    if not member.org_path.startswith(org.path):
        errors["member"] = gettext("班子成员应为本组织或其下级组织的党员。")
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    if (
        role == LeadershipRole.SECRETARY
        and org.leaders.filter(
            role=LeadershipRole.SECRETARY, term_end__gte=term_start, term_start__lte=term_end
        ).exists()
    ):
        raise ServiceError(
            gettext("该组织在此任期内已有书记，请先结束现任书记的任期。"),
            fields={"role": gettext("任期内已有书记。")},
        )
    seat = Leadership.objects.create(
        org=org,
        member=member,
        role=role,
        term_start=term_start,
        term_end=term_end,
        holds_dual_role=holds_dual_role,
    )
    audit(
        actor=actor,
        action="orgs.leadership_add",
        obj=org,
        diff={"member": member.pk, "role": role, "term_end": term_end.isoformat()},
    )
    return seat


UNIT_FIELDS = ["name", "sector", "credit_code", "area", "address"]


def _unit_clean(data: dict[str, Any], instance: Unit | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    data = dict(data)
    data["name"] = str(data.get("name") or "").strip()
    if not data["name"]:
        errors["name"] = gettext("请填写单位名称。")
    if data.get("sector") not in Sector.values:
        errors["sector"] = gettext("请选择单位所属领域。")
    code = str(data.get("credit_code") or "")
    if code.strip():
        try:
            data["credit_code"] = creditcode.validate(code)
        except creditcode.CreditCodeError as e:
            errors["credit_code"] = str(e)
        else:
            same = Unit.objects.filter(credit_code=data["credit_code"])
            if instance is not None:
                same = same.exclude(pk=instance.pk)
            if same.exists():
                errors["credit_code"] = gettext("该统一社会信用代码已登记为其他单位，请核对。")
    else:
        data["credit_code"] = ""
    data["address"] = str(data.get("address") or "").strip()
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    return data


def _unit_snapshot(unit: Unit) -> dict[str, Any]:
    return {f: (unit.area_id if f == "area" else getattr(unit, f)) for f in UNIT_FIELDS}


def _check_unit_area(scope: Scope, data: dict[str, Any]) -> None:
    area = data.get("area")
    if scope.is_superuser:
        return
    require(
        area is not None and selectors.unit_area_choices(scope).filter(pk=area.pk).exists(),
        gettext("请选择您管辖范围内的单位所在区域。"),
    )


@transaction.atomic
def unit_create(
    *, actor: User | None, audit_path: str = "", scope: Scope | None = None, **data: Any
) -> Unit:
    """Only a street, district or city committee registers units, in an area it governs.
    `audit_path`: the organization under which the audit row is filed (the registering
    committee), so that its auditors see it."""
    scope = acting_scope(actor, scope)
    require(
        scope.is_superuser or bool(selectors.territorial_anchors(scope, "orgs.manage")),
        gettext("只有街道及以上党组织可以登记单位。"),
    )
    _check_unit_area(scope, data)
    unit = Unit.objects.create(**_unit_clean(data, None))
    audit(
        actor=actor,
        action="orgs.unit_create",
        obj=unit,
        diff=_unit_snapshot(unit),
        org_path=audit_path,
    )
    return unit


@transaction.atomic
def unit_update(
    *,
    actor: User | None,
    unit: Unit,
    audit_path: str = "",
    scope: Scope | None = None,
    **data: Any,
) -> Unit:
    scope = acting_scope(actor, scope)
    require(
        selectors.unit_queryset(scope, "orgs.manage").filter(pk=unit.pk).exists(),
        gettext("您没有管理该单位的权限。"),
    )
    _check_unit_area(scope, {"area": unit.area, **data})
    before = _unit_snapshot(unit)
    for k, v in _unit_clean(data, unit).items():
        setattr(unit, k, v)
    unit.save()
    audit(
        actor=actor,
        action="orgs.unit_update",
        obj=unit,
        diff=model_diff(before, _unit_snapshot(unit)),
        org_path=audit_path,
    )
    return unit
