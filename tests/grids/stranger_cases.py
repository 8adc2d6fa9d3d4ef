"""Stranger cases of tongxin.grids.services (see tests/stranger.py): charlie (branch B1,
street B) on a grid of 紫金社区 in street A."""

from __future__ import annotations

from typing import Any

from tests.stranger import case
from tongxin.grids import services
from tongxin.grids.models import Grid
from tongxin.orgs.models import Sector
from tongxin.orgs.services import unit_create


def _grid_a(w: dict[str, Any], **extra: Any) -> Grid:
    return services.grid_create(
        actor=None,
        community=w["comm_a"],
        name="紫金花园网格",
        code="01",
        serving_branch=w["branch_a1"],
        compounds=[w["compound_a"]],
        **extra,
    )


@case("tongxin.grids.services.grid_create")
def _(w: dict[str, Any]) -> Any:
    services.grid_create(
        actor=w["charlie"],
        community=w["comm_a"],
        name="陌生人的网格",
        serving_branch=w["branch_a1"],
        compounds=[w["compound_a"]],
    )


@case("tongxin.grids.services.grid_update")
def _(w: dict[str, Any]) -> Any:
    grid = _grid_a(w)
    yield
    services.grid_update(
        actor=w["charlie"],
        grid=grid,
        name="改名",
        serving_branch=w["branch_a1"],
        compounds=[w["compound_a"]],
    )


@case("tongxin.grids.services.grid_set_instructor")
def _(w: dict[str, Any]) -> Any:
    grid = _grid_a(w)
    yield
    services.grid_set_instructor(actor=w["charlie"], grid=grid, member=w["m_a1"])


@case("tongxin.grids.services.grid_worker_add")
def _(w: dict[str, Any]) -> Any:
    grid = _grid_a(w)
    yield
    services.grid_worker_add(actor=w["charlie"], grid=grid, role="head", user=w["charlie"])


@case("tongxin.grids.services.grid_worker_remove")
def _(w: dict[str, Any]) -> Any:
    grid = _grid_a(w)
    worker = services.grid_worker_add(actor=None, grid=grid, role="head", user=w["bob"])
    yield
    services.grid_worker_remove(actor=w["charlie"], worker=worker)


@case("tongxin.grids.services.grid_assign_member")
def _(w: dict[str, Any]) -> Any:
    grid = _grid_a(w)
    yield
    services.grid_assign_member(actor=w["charlie"], grid=grid, member=w["m_a1"])


@case("tongxin.grids.services.grid_unassign_member")
def _(w: dict[str, Any]) -> Any:
    grid = _grid_a(w)
    services.grid_assign_member(actor=None, grid=grid, member=w["m_a1"])
    yield
    services.grid_unassign_member(actor=w["charlie"], member=w["m_a1"])


@case("tongxin.grids.services.grid_assign_by_residence")
def _(w: dict[str, Any]) -> Any:
    grid = _grid_a(w)
    yield
    services.grid_assign_by_residence(actor=w["charlie"], grid=grid, move_assigned=True)


@case("tongxin.grids.services.grid_assign_by_work_unit")
def _(w: dict[str, Any]) -> Any:
    unit = unit_create(actor=None, name="紫金科技", sector=Sector.COMMUNITY, area=w["comm_a"])
    grid = _grid_a(w, units=[unit])
    yield
    services.grid_assign_by_work_unit(actor=w["charlie"], grid=grid, move_assigned=True)
