"""Every write to grids: validated, atomic, audited (DESIGN §4.3).

Scope checks (which grids, communities, branches and members the actor reaches) are made by
the caller through the selectors; these functions check the rules of the data itself."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext, gettext_lazy

from tongxin.accounts.models import User
from tongxin.core.audit import audit, model_diff
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.scope import Scope, acting_scope, in_scope, require
from tongxin.geo.models import Area, AreaLevel
from tongxin.grids.models import Grid, GridMembership, GridWorker, GridWorkerRole
from tongxin.grids.selectors import (
    MANAGE,
    community_reach_q,
    may_manage,
    residents_to_assign,
    user_label,
    work_unit_members_to_assign,
    worker_user_choices,
)
from tongxin.members.models import Member
from tongxin.members.selectors import member_queryset
from tongxin.orgs.models import Organization, OrgKind, Unit
from tongxin.orgs.selectors import org_queryset, unit_queryset

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


def _workers_snapshot(grid: Grid) -> list[list[Any]]:
    return [
        [user_id, member_id, role]
        for user_id, member_id, role in grid.workers.order_by("pk").values_list(
            "user_id", "member_id", "role"
        )
    ]


NOT_MANAGED = gettext_lazy("您没有管理该网格的权限。")


def _check_grid(scope: Scope, grid: Grid) -> None:
    require(may_manage(scope, grid), str(NOT_MANAGED))


def _check_member(scope: Scope, member: Member) -> None:
    require(
        in_scope(member_queryset(scope, "members.view"), member),
        gettext("党员%(name)s不在您的管辖范围内。") % {"name": member.name},
    )


def _check_links(
    scope: Scope,
    community: Area,
    branch: Organization,
    units: list[Unit] | None,
    grid: Grid | None,
) -> None:
    """What a grid links to: its serving branch (one the user sees, or the grid's current
    one) and the units it covers (units the user reaches; a grid's own units stay valid).
    Where they must lie (a branch, a unit of the street) is checked by _validate, with the
    field's message."""
    if grid is None or branch.pk != grid.serving_branch_id:
        require(
            in_scope(org_queryset(scope), branch),
            gettext("所选服务党支部不在您的管辖范围内。"),
        )
    if units:
        allowed = set(
            unit_queryset(scope).filter(pk__in=[u.pk for u in units]).values_list("pk", flat=True)
        )
        if grid is not None:
            allowed |= set(grid.units.values_list("pk", flat=True))
        outside = [u.name for u in units if u.pk not in allowed]
        require(
            not outside,
            gettext("单位“%(name)s”不在您的管辖范围内，不能划入网格。") % {"name": outside[0]}
            if outside
            else "",
        )


def _audit(actor: User | None, action: str, grid: Grid, diff: dict[str, Any]) -> None:
    audit(actor=actor, action=action, obj=grid, diff=diff, org_path=grid.serving_branch.path)


def _validate(
    *,
    grid: Grid | None,
    community: Area,
    name: str,
    code: str,
    serving_branch: Organization,
    compounds: list[Area],
    units: list[Unit],
) -> None:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = gettext("请填写网格名称。")
    if community.level != AreaLevel.COMMUNITY:
        errors["community"] = gettext("网格应设在社区（村）一级，请选择一个社区或村。")
    if serving_branch.kind != OrgKind.BRANCH:
        errors["serving_branch"] = gettext("服务党组织应为党支部，请选择一个党支部。")
    if not compounds and not units:
        # 全科网格 covers compounds; a 单位网格 (专属网格) covers units instead.
        errors["compounds"] = gettext("请至少选择一个网格覆盖的小区或单位。")
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
    if "community" not in errors:
        _validate_units(grid, community, units, errors)
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


def _validate_units(
    grid: Grid | None, community: Area, units: list[Unit], errors: dict[str, str]
) -> None:
    """A unit lies in the community's street (or above it: a district's institution) and
    belongs to one grid at most, as a compound does."""
    street_path = community.path[: -Area.steplen] or community.path
    for u in units:
        where = u.area.path if u.area_id and u.area is not None else None
        if where is not None and not (
            where.startswith(street_path) or community.path.startswith(where)
        ):
            errors["units"] = gettext(
                "单位“%(name)s”不在本社区所在的街道（乡镇），请重新选择。"
            ) % {"name": u.name}
            return
    if not units:
        return
    taken = (
        Grid.units.through.objects.filter(unit__in=units)  # type: ignore[attr-defined]  # stubs: ManyToManyDescriptor[Unit, Never]
        .exclude(grid=grid.pk if grid else None)
        .select_related("grid", "unit")
        .first()
    )
    if taken is not None:
        errors["units"] = gettext(
            "单位“%(unit)s”已划入网格“%(grid)s”，一个单位只能属于一个网格；请先从该网格中移出。"
        ) % {"unit": taken.unit.name, "grid": taken.grid.name}


def _validate_workers(workers: list[tuple[Any, str]], errors: dict[str, str]) -> None:
    seen: set[int] = set()
    for i, (user, role) in enumerate(workers, start=1):
        if role not in GridWorkerRole.values:
            errors["workers"] = gettext(
                "第%(n)s位网格员的职责无效，请选择网格长、专职网格员或兼职网格员。"
            ) % {"n": i}
            return
        if not user.is_active:
            errors["workers"] = gettext(
                "账号“%(name)s”已停用，不能担任网格员，请另选一个账号。"
            ) % {"name": user_label(user)}
            return
        if user.pk in seen:
            errors["workers"] = gettext(
                "账号“%(name)s”重复出现，每个账号在一个网格只登记一次。"
            ) % {"name": user_label(user)}
            return
        seen.add(user.pk)


def _set_workers(grid: Grid, workers: list[tuple[Any, str]]) -> None:
    """The grid's workers become exactly ``workers`` (account, role): a listed account keeps
    its row (its role updated), the rest are removed, older rows without an account too."""
    wanted = {user.pk: (user, role) for user, role in workers}
    for w in list(grid.workers.all()):
        if w.user_id in wanted:
            _user, role = wanted.pop(w.user_id)
            if w.role != role:
                w.role = role
                w.save(update_fields=["role"])
        else:
            w.delete()
    GridWorker.objects.bulk_create(
        [
            GridWorker(grid=grid, user=user, member_id=user.member_id, role=role)
            for user, role in wanted.values()
        ]
    )


@transaction.atomic
def grid_create(
    *,
    actor: User | None,
    community: Area,
    name: str,
    serving_branch: Organization,
    compounds: Iterable[Area],
    code: str = "",
    units: Iterable[Unit] = (),
    scope: Scope | None = None,
) -> Grid:
    compounds, units = list(compounds), list(units)
    scope = acting_scope(actor, scope)
    require(
        in_scope(Area.objects.filter(community_reach_q(scope, MANAGE, "path")), community),
        gettext("您没有在该社区建立网格的权限。"),
    )
    _validate(
        grid=None,
        community=community,
        name=name,
        code=code,
        serving_branch=serving_branch,
        compounds=compounds,
        units=units,
    )
    _check_links(scope, community, serving_branch, units, None)
    grid = Grid.objects.create(
        community=community, name=name.strip(), code=code.strip(), serving_branch=serving_branch
    )
    grid.compounds.set(compounds)
    grid.units.set(units)
    _audit(actor, "grids.create", grid, _snapshot(grid))
    return grid


@transaction.atomic
def grid_update(
    *,
    actor: User | None,
    grid: Grid,
    name: str,
    serving_branch: Organization,
    compounds: Iterable[Area],
    code: str = "",
    units: Iterable[Unit] | None = None,
    workers: Iterable[tuple[User, str]] | None = None,
    scope: Scope | None = None,
) -> Grid:
    """Change what a grid covers and who serves it. ``units=None`` keeps the grid's units;
    ``workers`` (account, role) pairs, when given, become the grid's workers."""
    scope = acting_scope(actor, scope)
    _check_grid(scope, grid)
    compounds = list(compounds)
    units = list(grid.units.all()) if units is None else list(units)
    workers = None if workers is None else list(workers)
    errors: dict[str, str] = {}
    try:
        _validate(
            grid=grid,
            community=grid.community,
            name=name,
            code=code,
            serving_branch=serving_branch,
            compounds=compounds,
            units=units,
        )
    except ServiceError as e:
        errors = e.fields
    if workers is not None:
        _validate_workers(workers, errors)
    if errors:
        raise ServiceError(gettext(FIX), fields=errors)
    _check_links(scope, grid.community, serving_branch, units, grid)
    if workers is not None:
        reachable = set(
            worker_user_choices(scope, grid)
            .filter(pk__in=[u.pk for u, _role in workers])
            .values_list("pk", flat=True)
        )
        require(
            all(u.pk in reachable for u, _role in workers),
            gettext("所选网格员账号不在您的管辖范围内，请重新选择。"),
        )
    before = _snapshot(grid)
    before_workers = _workers_snapshot(grid)
    grid.name = name.strip()
    grid.code = code.strip()
    grid.serving_branch = serving_branch
    grid.save()
    grid.compounds.set(compounds)
    grid.units.set(units)
    diff = model_diff(before, _snapshot(grid))
    if workers is not None:
        _set_workers(grid, workers)
        after_workers = _workers_snapshot(grid)
        if after_workers != before_workers:
            diff["workers"] = [before_workers, after_workers]
    _audit(actor, "grids.update", grid, diff)
    return grid


@transaction.atomic
def grid_set_instructor(
    *,
    actor: User | None,
    grid: Grid,
    member: Member,
    replace: bool = False,
    scope: Scope | None = None,
) -> Grid:
    """Exactly one 网格党建指导员 per grid: setting one while another holds the post is refused
    unless the caller asks explicitly to replace them."""
    scope = acting_scope(actor, scope)
    _check_grid(scope, grid)
    _check_member(scope, member)
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
            )
            % {"name": current_name},
            fields={"member": gettext("一个网格只能有一名指导员。")},
        )
    if member.standing != "normal":
        raise ServiceError(
            gettext("党籍状态不正常的党员不能担任网格党建指导员，请另选一名党员。"),
            fields={"member": gettext("请另选一名党籍正常的党员。")},
        )
    grid.instructor = member
    grid.save(update_fields=["instructor", "updated_at"])
    _audit(
        actor,
        "grids.instructor_replace" if current_id else "grids.instructor_set",
        grid,
        {"instructor": [current_id, member.pk]},
    )
    return grid


@transaction.atomic
def grid_worker_add(
    *,
    actor: User | None,
    grid: Grid,
    role: str,
    user: User | None = None,
    scope: Scope | None = None,
) -> GridWorker:
    """Add a 网格员: a user account (the account's member, if any, is noted with it)."""
    scope = acting_scope(actor, scope)
    _check_grid(scope, grid)
    errors: dict[str, str] = {}
    if role not in GridWorkerRole.values:
        errors["role"] = gettext("请选择网格员的职责。")
    if user is None:
        errors["user"] = gettext("请选择网格员的账号。")
    elif not user.is_active:
        errors["user"] = gettext("该账号已停用，不能担任网格员，请另选一个账号。")
    else:
        same = Q(user=user)
        if user.member_id:  # an older row naming the account's member
            same |= Q(user__isnull=True, member_id=user.member_id)
        if grid.workers.filter(same).exists():
            errors["user"] = gettext("此人已是本网格的网格员。")
    if errors or user is None:
        raise ServiceError(gettext(FIX), fields=errors)
    require(
        in_scope(worker_user_choices(scope, grid), user),
        gettext("该账号不在您的管辖范围内，请重新选择。"),
    )
    worker = GridWorker.objects.create(grid=grid, role=role, user=user, member_id=user.member_id)
    _audit(
        actor, "grids.worker_add", grid, {"role": role, "user": user.pk, "member": user.member_id}
    )
    return worker


@transaction.atomic
def grid_worker_remove(
    *, actor: User | None, worker: GridWorker, scope: Scope | None = None
) -> None:
    grid = worker.grid
    _check_grid(acting_scope(actor, scope), grid)
    diff = {"role": worker.role, "member": worker.member_id, "user": worker.user_id}
    worker.delete()
    _audit(actor, "grids.worker_remove", grid, diff)


OUT_OF_REACH_GRID = gettext_lazy("该党员已在您管辖范围外的网格中，请联系该网格所在社区调整。")


@transaction.atomic
def grid_assign_member(
    *, actor: User | None, grid: Grid, member: Member, scope: Scope | None = None
) -> GridMembership:
    """Put a member into a grid, moving them out of the one they are in (a member is in one
    grid: the membership row is unique per member). The user manages the grid, sees the
    member, and moves a member only out of a grid they manage."""
    scope = acting_scope(actor, scope)
    _check_grid(scope, grid)
    _check_member(scope, member)
    existing = GridMembership.objects.select_for_update().filter(member=member).first()
    if (
        existing is not None
        and existing.grid_id != grid.pk
        and not may_manage(scope, existing.grid)
    ):
        raise ServiceError(str(OUT_OF_REACH_GRID), fields={"member": str(OUT_OF_REACH_GRID)})
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
    audit(
        actor=actor, action="grids.member_assign", obj=member, diff={"grid": [from_grid, grid.pk]}
    )
    return membership


@transaction.atomic
def grid_unassign_member(*, actor: User | None, member: Member, scope: Scope | None = None) -> None:
    scope = acting_scope(actor, scope)
    _check_member(scope, member)
    existing = GridMembership.objects.filter(member=member).first()
    if existing is None:
        raise ServiceError(gettext("%(name)s未编入任何网格。") % {"name": member.name})
    _check_grid(scope, existing.grid)
    grid_id = existing.grid_id
    existing.delete()
    audit(actor=actor, action="grids.member_unassign", obj=member, diff={"grid": [grid_id, None]})


@transaction.atomic
def grid_assign_by_residence(
    *, actor: User | None, grid: Grid, move_assigned: bool = False, scope: Scope | None = None
) -> int:
    """Assign the members living in the grid's compounds: those in no grid, and with
    move_assigned those placed in another grid the actor manages (scope) as well. Returns how
    many were assigned."""
    scope = acting_scope(actor, scope)
    _check_grid(scope, grid)
    if not grid.compounds.exists():
        raise ServiceError(gettext("该网格还没有覆盖任何小区，请先编辑网格、选择覆盖的小区。"))
    ids = list(
        residents_to_assign(scope, grid, include_assigned=move_assigned).values_list(
            "pk", flat=True
        )
    )
    if move_assigned:
        GridMembership.objects.filter(member_id__in=ids).delete()
    GridMembership.objects.bulk_create(
        [GridMembership(grid=grid, member_id=pk, by_residence=True) for pk in ids],
        batch_size=500,
    )
    _audit(
        actor,
        "grids.assign_by_residence",
        grid,
        {"assigned": len(ids), "move_assigned": move_assigned},
    )
    return len(ids)


@transaction.atomic
def grid_assign_by_work_unit(
    *, actor: User | None, grid: Grid, move_assigned: bool = False, scope: Scope | None = None
) -> int:
    """单位网格: assign the members whose work unit the grid covers and whom the actor manages
    (scope: a unit of the street or above employs people of other streets), those in no grid
    and, with move_assigned, those placed in another grid the actor manages as well (say, by
    residence). Returns how many were assigned."""
    scope = acting_scope(actor, scope)
    _check_grid(scope, grid)
    if not grid.units.exists():
        raise ServiceError(gettext("该网格还没有覆盖任何单位，请先编辑网格、选择覆盖的单位。"))
    ids = list(
        work_unit_members_to_assign(scope, grid, include_assigned=move_assigned).values_list(
            "pk", flat=True
        )
    )
    if move_assigned:
        GridMembership.objects.filter(member_id__in=ids).delete()
    GridMembership.objects.bulk_create(
        [GridMembership(grid=grid, member_id=pk, by_residence=False) for pk in ids],
        batch_size=500,
    )
    _audit(
        actor,
        "grids.assign_by_work_unit",
        grid,
        {"assigned": len(ids), "move_assigned": move_assigned},
    )
    return len(ids)
