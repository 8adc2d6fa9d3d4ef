"""Every write to grids: validated, atomic, audited (DESIGN §4.3).

Scope checks (which grids, communities, branches and members the actor reaches) are made by
the caller through the selectors; these functions check the rules of the data itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from tongxin.core.audit import audit, model_diff
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.geo.models import Area, AreaLevel
from tongxin.grids.models import Grid, GridMembership, GridWorker, GridWorkerRole
from tongxin.grids.selectors import residents_to_assign
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, OrgKind, Unit

FIX = "请按提示修改后再提交。"


def _snapshot(grid: Grid) -> dict[str, Any]:
    return {
        "name": grid.name,
        "code": grid.code,
        "community": grid.community_id,
        "serving_branch": grid.serving_branch_id,
        "instructor": grid.instructor_id,
        "compounds": sorted(grid.compounds.values_list("pk", flat=True)) if grid.pk else [],
        "units": sorted(grid.units.values_list("pk", flat=True)) if grid.pk else [],
    }


def _audit(actor: Any, action: str, grid: Grid, diff: dict[str, Any]) -> None:
    audit(actor=actor, action=action, obj=grid, diff=diff,
          org_path=grid.serving_branch.path)  # fmt: skip


def _validate(
    *,
    grid: Grid | None,
    community: Area,
    name: str,
    code: str,
    serving_branch: Organization,
    compounds: list[Area],
) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = gettext("请填写网格名称。")
    if community.level != AreaLevel.COMMUNITY:
        errors["community"] = gettext("网格应设在社区（村）一级，请选择一个社区或村。")
    if serving_branch.kind != OrgKind.BRANCH:
        errors["serving_branch"] = gettext("服务党组织应为党支部，请选择一个党支部。")
    if not compounds:
        errors["compounds"] = gettext("请至少选择一个网格覆盖的小区。")
    for c in compounds:
        if c.level != AreaLevel.COMPOUND or not c.path.startswith(community.path):
            errors["compounds"] = gettext("“%(name)s”不是本社区的小区，请重新选择。") % {
                "name": c.name
            }
            break
    if "compounds" not in errors and compounds:
        taken = (
            Grid.compounds.through.objects.filter(area__in=compounds)
            .exclude(grid=grid.pk if grid else None)
            .select_related("grid", "area")
            .first()
        )
        if taken is not None:
            errors["compounds"] = gettext(
                "小区“%(compound)s”已划入网格“%(grid)s”，一个小区只能属于一个网格；"
                "请先从该网格中移出。"
            ) % {"compound": taken.area.name, "grid": taken.grid.name}
    code = code.strip()
    if code and "community" not in errors:
        dup = Grid.objects.filter(community=community, code=code)
        if grid is not None:
            dup = dup.exclude(pk=grid.pk)
        if dup.exists():
            errors["code"] = gettext("本社区已有编号为“%(code)s”的网格，请换一个编号。") % {
                "code": code
            }
    if errors:
        raise ServiceError(gettext(FIX), fields=errors)


@transaction.atomic
def grid_create(
    *,
    actor: Any,
    community: Area,
    name: str,
    serving_branch: Organization,
    compounds: Iterable[Area],
    code: str = "",
    units: Iterable[Unit] = (),
) -> Grid:
    compounds = list(compounds)
    _validate(grid=None, community=community, name=name, code=code,
              serving_branch=serving_branch, compounds=compounds)  # fmt: skip
    grid = Grid.objects.create(
        community=community, name=name.strip(), code=code.strip(), serving_branch=serving_branch
    )
    grid.compounds.set(compounds)
    grid.units.set(list(units))
    _audit(actor, "grids.create", grid, _snapshot(grid))
    return grid


@transaction.atomic
def grid_update(
    *,
    actor: Any,
    grid: Grid,
    name: str,
    serving_branch: Organization,
    compounds: Iterable[Area],
    code: str = "",
    units: Iterable[Unit] = (),
) -> Grid:
    compounds = list(compounds)
    _validate(grid=grid, community=grid.community, name=name, code=code,
              serving_branch=serving_branch, compounds=compounds)  # fmt: skip
    before = _snapshot(grid)
    grid.name = name.strip()
    grid.code = code.strip()
    grid.serving_branch = serving_branch
    grid.save()
    grid.compounds.set(compounds)
    grid.units.set(list(units))
    _audit(actor, "grids.update", grid, model_diff(before, _snapshot(grid)))
    return grid


@transaction.atomic
def grid_set_instructor(*, actor: Any, grid: Grid, member: Member, replace: bool = False) -> Grid:
    """Exactly one 网格党建指导员 per grid: setting one while another holds the post is refused
    unless the caller asks explicitly to replace them."""
    locked = Grid.objects.select_for_update().only("instructor").get(pk=grid.pk)
    current_id = locked.instructor_id
    current_name = (
        Member.objects.filter(pk=current_id).values_list("name", flat=True).first() or ""
        if current_id
        else ""
    )
    if current_id == member.pk:
        raise ServiceError(
            gettext("%(name)s已是该网格的党建指导员，无需重复设置。") % {"name": member.name},
            fields={"member": gettext("已是本网格的指导员。")},
        )
    if current_id is not None and not replace:
        raise ConflictError(
            gettext(
                "该网格已有党建指导员%(name)s，一个网格只能有一名指导员；"
                "如需调整，请使用“更换指导员”。"
            ) % {"name": current_name},
            fields={"member": gettext("一个网格只能有一名指导员。")},
        )  # fmt: skip
    if member.standing != "normal":
        raise ServiceError(
            gettext("党籍状态不正常的党员不能担任网格党建指导员，请另选一名党员。"),
            fields={"member": gettext("请另选一名党籍正常的党员。")},
        )
    grid.instructor = member
    grid.save(update_fields=["instructor", "updated_at"])
    _audit(actor, "grids.instructor_replace" if current_id else "grids.instructor_set", grid,
           {"instructor": [current_id, member.pk]})  # fmt: skip
    return grid


@transaction.atomic
def grid_worker_add(
    *, actor: Any, grid: Grid, role: str, member: Member | None = None, user: Any = None
) -> GridWorker:
    errors: dict[str, str] = {}
    if role not in GridWorkerRole.values:
        errors["role"] = gettext("请选择网格员的职责。")
    if member is None and user is None:
        errors["member"] = gettext("请选择一名党员或填写一个账号。")
    elif grid.workers.filter(
        **({"member": member} if member is not None else {"user": user})
    ).exists():
        errors["member"] = gettext("此人已是本网格的网格员。")
    if errors:
        raise ServiceError(gettext(FIX), fields=errors)
    worker = GridWorker.objects.create(grid=grid, role=role, member=member, user=user)
    _audit(actor, "grids.worker_add", grid,
           {"role": role, "member": getattr(member, "pk", None),
            "user": getattr(user, "pk", None)})  # fmt: skip
    return worker


@transaction.atomic
def grid_worker_remove(*, actor: Any, worker: GridWorker) -> None:
    grid = worker.grid
    diff = {"role": worker.role, "member": worker.member_id, "user": worker.user_id}
    worker.delete()
    _audit(actor, "grids.worker_remove", grid, diff)


@transaction.atomic
def grid_assign_member(*, actor: Any, grid: Grid, member: Member) -> GridMembership:
    """Put a member into a grid, moving them out of the one they are in (a member is in one
    grid: the membership row is unique per member)."""
    existing = GridMembership.objects.select_for_update().filter(member=member).first()
    if existing is not None and existing.grid_id == grid.pk:
        raise ServiceError(
            gettext("%(name)s已在网格“%(grid)s”中，无需重复编入。")
            % {"name": member.name, "grid": grid.name},
            fields={"member": gettext("已在本网格中。")},
        )
    from_grid = existing.grid_id if existing else None
    if existing is not None:
        existing.grid = grid
        existing.by_residence = False
        existing.save(update_fields=["grid", "by_residence"])
        membership = existing
    else:
        membership = GridMembership.objects.create(grid=grid, member=member, by_residence=False)
    audit(actor=actor, action="grids.member_assign", obj=member,
          diff={"grid": [from_grid, grid.pk]})  # fmt: skip
    return membership


@transaction.atomic
def grid_unassign_member(*, actor: Any, member: Member) -> None:
    existing = GridMembership.objects.filter(member=member).first()
    if existing is None:
        raise ServiceError(gettext("%(name)s未编入任何网格。") % {"name": member.name})
    grid_id = existing.grid_id
    existing.delete()
    audit(actor=actor, action="grids.member_unassign", obj=member, diff={"grid": [grid_id, None]})


@transaction.atomic
def grid_assign_by_residence(*, actor: Any, grid: Grid, move_assigned: bool = False) -> int:
    """Assign the members living in the grid's compounds: those in no grid, and with
    move_assigned those placed in another grid as well. Returns how many were assigned."""
    if not grid.compounds.exists():
        raise ServiceError(gettext("该网格还没有覆盖任何小区，请先编辑网格、选择覆盖的小区。"))
    ids = list(
        residents_to_assign(grid, include_assigned=move_assigned).values_list("pk", flat=True)
    )
    if move_assigned:
        GridMembership.objects.filter(member_id__in=ids).delete()
    GridMembership.objects.bulk_create(
        [GridMembership(grid=grid, member_id=pk, by_residence=True) for pk in ids],
        batch_size=500,
    )
    _audit(actor, "grids.assign_by_residence", grid,
           {"assigned": len(ids), "move_assigned": move_assigned})  # fmt: skip
    return len(ids)
