"""Grid rules: one instructor (a second is refused, replacing is explicit), one grid per member,
one grid per compound, assignment by residence."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from tests import factories
from tests.helpers import is_chinese
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.models import AuditLog
from tongxin.core.scope import Scope, scope_for_user
from tongxin.grids import services
from tongxin.grids.models import Grid, GridMembership, GridWorker

ALL = Scope.everything()  # a system task: every member, every grid


@contextmanager
def unchanged(field: str | None = None, contains: str = ""):
    """The block is refused with a Chinese message and writes nothing."""
    before = (
        list(
            Grid.objects.order_by("pk").values_list(
                "pk", "name", "code", "instructor_id", "serving_branch_id"
            )
        ),
        list(Grid.compounds.through.objects.order_by("pk").values_list("grid_id", "area_id")),
        list(GridMembership.objects.order_by("pk").values_list("grid_id", "member_id")),
        GridWorker.objects.count(),
        AuditLog.objects.count(),
    )
    with pytest.raises(ServiceError) as exc:
        yield exc
    err = exc.value
    assert is_chinese(err.message), err.message
    if field is not None:
        assert field in err.fields and is_chinese(err.fields[field]), err.fields
        assert contains in err.fields[field], err.fields[field]
    else:
        assert contains in err.message, err.message
    after = (
        list(
            Grid.objects.order_by("pk").values_list(
                "pk", "name", "code", "instructor_id", "serving_branch_id"
            )
        ),
        list(Grid.compounds.through.objects.order_by("pk").values_list("grid_id", "area_id")),
        list(GridMembership.objects.order_by("pk").values_list("grid_id", "member_id")),
        GridWorker.objects.count(),
        AuditLog.objects.count(),
    )
    assert before == after, "a refused operation must write nothing"


def test_create_is_audited(gw):
    grid = services.grid_create(
        actor=gw["alice"],
        community=gw["comm_a"],
        name="紫金新村网格",
        code="02",
        serving_branch=gw["branch_a2"],
        compounds=[gw["compound_a2"]],
    )
    assert list(grid.compounds.all()) == [gw["compound_a2"]]
    row = AuditLog.objects.get(action="grids.create", object_id=str(grid.pk))
    assert row.actor == gw["alice"] and row.org_path == gw["branch_a2"].path


def test_second_instructor_is_refused(gw):
    grid = gw["grid_a"]
    services.grid_set_instructor(actor=gw["alice"], grid=grid, member=gw["m_a1"])
    with unchanged("member", contains="一个网格只能有一名指导员") as exc:
        services.grid_set_instructor(actor=gw["alice"], grid=grid, member=gw["m_a1b"])
    assert isinstance(exc.value, ConflictError)
    assert "张红" in exc.value.message and "更换指导员" in exc.value.message
    grid.refresh_from_db()
    assert grid.instructor == gw["m_a1"]


def test_replacing_the_instructor_is_explicit_and_audited(gw):
    grid = gw["grid_a"]
    services.grid_set_instructor(actor=gw["alice"], grid=grid, member=gw["m_a1"])
    services.grid_set_instructor(actor=gw["alice"], grid=grid, member=gw["m_a1b"], replace=True)
    grid.refresh_from_db()
    assert grid.instructor == gw["m_a1b"]
    row = AuditLog.objects.get(action="grids.instructor_replace")
    assert row.diff == {"instructor": [gw["m_a1"].pk, gw["m_a1b"].pk]}


def test_same_instructor_twice_is_refused(gw):
    services.grid_set_instructor(actor=None, grid=gw["grid_a"], member=gw["m_a1"])
    with unchanged("member"):
        services.grid_set_instructor(actor=None, grid=gw["grid_a"], member=gw["m_a1"], replace=True)


@pytest.mark.parametrize(
    ("over", "field", "contains"),
    [
        ({"name": "  "}, "name", "名称"),
        ({"compounds": []}, "compounds", "至少选择一个"),
        ({"compounds": "other"}, "compounds", "不是本社区的小区"),
        ({"compounds": "taken"}, "compounds", "已划入网格"),
        ({"code": "01"}, "code", "已有编号"),
        ({"serving_branch": "committee"}, "serving_branch", "党支部"),
        ({"community": "street"}, "community", "社区"),
    ],
)
def test_bad_grid_input_is_refused(gw, over, field, contains):
    data = dict(
        community=gw["comm_a"],
        name="新网格",
        code="09",
        serving_branch=gw["branch_a1"],
        compounds=[gw["compound_a2"]],
    )
    data.update(over)
    if data["compounds"] == "other":
        data["compounds"] = [gw["compound_b"]]
    if data["compounds"] == "taken":
        data["compounds"] = [gw["compound_a"]]
    if data["serving_branch"] == "committee":
        data["serving_branch"] = gw["comm_a_org"]
    if data["community"] == "street":
        data["community"] = gw["street_a_area"]
    with unchanged(field, contains=contains):
        services.grid_create(actor=gw["alice"], **data)


def test_a_member_is_in_one_grid_moving_replaces(gw):
    other = services.grid_create(
        actor=None,
        community=gw["comm_a"],
        name="新村网格",
        serving_branch=gw["branch_a2"],
        compounds=[gw["compound_a2"]],
    )
    services.grid_assign_member(actor=gw["alice"], grid=gw["grid_a"], member=gw["m_a2"])
    services.grid_assign_member(actor=gw["alice"], grid=other, member=gw["m_a2"])
    assert list(
        GridMembership.objects.filter(member=gw["m_a2"]).values_list("grid", flat=True)
    ) == [other.pk]
    row = AuditLog.objects.filter(action="grids.member_assign").latest("pk")
    assert row.diff == {"grid": [gw["grid_a"].pk, other.pk]}
    with unchanged("member", contains="已在本网格"):
        services.grid_assign_member(actor=gw["alice"], grid=other, member=gw["m_a2"])


def test_assign_by_residence(gw):
    # 张红 lives in 紫金花园 (the compound), 李明 moves into one of its buildings; 王芳 lives
    # elsewhere.
    li = gw["m_a1b"]
    li.residence = gw["building_a"]
    li.save()
    n = services.grid_assign_by_residence(
        actor=gw["alice"], scope=scope_for_user(gw["alice"]), grid=gw["grid_a"]
    )
    assert n == 2
    assert set(gw["grid_a"].memberships.values_list("member__name", flat=True)) == {"张红", "李明"}
    assert AuditLog.objects.get(action="grids.assign_by_residence").diff["assigned"] == 2
    # nobody left to assign: nothing changes the second time
    assert (
        services.grid_assign_by_residence(
            actor=gw["alice"], scope=scope_for_user(gw["alice"]), grid=gw["grid_a"]
        )
        == 0
    )


def test_assign_by_residence_leaves_members_of_other_grids_unless_asked(gw):
    other = services.grid_create(
        actor=None,
        community=gw["comm_a"],
        name="新村网格",
        serving_branch=gw["branch_a2"],
        compounds=[gw["compound_a2"]],
    )
    services.grid_assign_member(actor=None, grid=other, member=gw["m_a1"])
    assert services.grid_assign_by_residence(actor=None, scope=ALL, grid=gw["grid_a"]) == 0
    assert (
        services.grid_assign_by_residence(
            actor=None, scope=ALL, grid=gw["grid_a"], move_assigned=True
        )
        == 1
    )
    assert GridMembership.objects.get(member=gw["m_a1"]).grid == gw["grid_a"]


def test_worker_is_an_account_with_a_role(ugw):
    w, g = ugw, ugw["grid_a"]
    with unchanged("user", contains="账号"):
        services.grid_worker_add(actor=None, grid=g, role="head")
    with unchanged("role"):
        services.grid_worker_add(actor=None, grid=g, role="boss", user=w["wendy"])
    worker = services.grid_worker_add(actor=w["alice"], grid=g, role="head", user=w["wendy"])
    assert worker.user == w["wendy"] and worker.member is None
    with unchanged("user", contains="已是本网格的网格员"):
        services.grid_worker_add(actor=None, grid=g, role="part_time", user=w["wendy"])
    # the account of a member notes the member with it
    dave = services.grid_worker_add(actor=None, grid=g, role="part_time", user=w["dave"])
    assert dave.member == w["m_a1b"]
    row = AuditLog.objects.filter(action="grids.worker_add").order_by("pk").first()
    assert row is not None and row.diff == {"role": "head", "user": w["wendy"].pk, "member": None}
    services.grid_worker_remove(actor=None, worker=worker)
    assert list(GridWorker.objects.values_list("user__username", flat=True)) == ["dave"]


def test_a_stopped_account_is_refused(ugw):
    w = ugw
    w["wendy"].is_active = False
    w["wendy"].save()
    with unchanged("user", contains="停用"):
        services.grid_worker_add(actor=None, grid=w["grid_a"], role="head", user=w["wendy"])


def test_an_older_member_only_worker_keeps_working_and_is_not_doubled(ugw):
    """Before workers were accounts, a row could name only a member (李明, dave's member)."""
    w = ugw
    GridWorker.objects.create(grid=w["grid_a"], member=w["m_a1b"], role="part_time")
    with unchanged("user", contains="已是本网格的网格员"):
        services.grid_worker_add(actor=None, grid=w["grid_a"], role="head", user=w["dave"])


@pytest.mark.parametrize(
    ("units", "field", "contains"),
    [
        ("other_street", "units", "不在本社区所在的街道"),
        ("taken", "units", "已划入网格"),
        ("none", "compounds", "小区或单位"),
    ],
)
def test_bad_units_are_refused(ugw, units, field, contains):
    w = ugw
    services.grid_create(
        actor=None,
        community=w["comm_a"],
        name="紫金科技专属网格",
        serving_branch=w["branch_a2"],
        compounds=[],
        units=[w["unit_a"]],
    )
    chosen = {"other_street": [w["unit_b"]], "taken": [w["unit_a"]], "none": []}[units]
    with unchanged(field, contains=contains):
        services.grid_create(
            actor=w["alice"],
            community=w["comm_a"],
            name="新网格",
            serving_branch=w["branch_a1"],
            compounds=[],
            units=chosen,
        )
    with unchanged(field, contains=contains):
        services.grid_update(
            actor=w["alice"],
            grid=w["grid_a"],
            name="紫金花园网格",
            code="01",
            serving_branch=w["branch_a1"],
            compounds=[] if units == "none" else [w["compound_a"]],
            units=chosen,
        )


def test_a_unit_grid_needs_no_compound(ugw):
    w = ugw
    g = services.grid_create(
        actor=w["alice"],
        community=w["comm_a"],
        name="紫金科技专属网格",
        code="Z01",
        serving_branch=w["branch_a2"],
        compounds=[],
        units=[w["unit_a"]],
    )
    assert list(g.units.all()) == [w["unit_a"]] and not g.compounds.exists()
    row = AuditLog.objects.get(action="grids.create", object_id=str(g.pk))
    assert row.diff["units"] == [w["unit_a"].pk]
    # editing without naming the units keeps them
    services.grid_update(
        actor=w["alice"],
        grid=g,
        name="紫金科技网格",
        code="Z01",
        serving_branch=w["branch_a2"],
        compounds=[],
    )
    assert list(Grid.objects.get(pk=g.pk).units.all()) == [w["unit_a"]]


def test_update_sets_the_workers_exactly(ugw):
    w, g = ugw, ugw["grid_a"]
    keep = dict(
        name="紫金花园网格", code="01", serving_branch=w["branch_a1"], compounds=[w["compound_a"]]
    )
    legacy = GridWorker.objects.create(grid=g, member=w["m_a1"], role="part_time")
    services.grid_worker_add(actor=None, grid=g, role="part_time", user=w["wendy"])
    services.grid_update(
        actor=w["alice"], grid=g, **keep, workers=[(w["wendy"], "head"), (w["dave"], "full_time")]
    )
    rows = sorted(g.workers.values_list("user__username", "role", "member_id"))
    assert rows == [("dave", "full_time", w["m_a1b"].pk), ("wendy", "head", None)]
    assert not GridWorker.objects.filter(pk=legacy.pk).exists()
    diff = AuditLog.objects.get(action="grids.update").diff
    assert diff["workers"][1] == [
        [w["wendy"].pk, None, "head"],
        [w["dave"].pk, w["m_a1b"].pk, "full_time"],
    ]
    w["eve"].is_active = False
    w["eve"].save()
    for workers, contains in [
        ([(w["wendy"], "boss")], "职责无效"),
        ([(w["wendy"], "head"), (w["wendy"], "part_time")], "重复出现"),
        ([(w["eve"], "head")], "已停用"),
    ]:
        with unchanged("workers", contains=contains):
            services.grid_update(actor=w["alice"], grid=g, **keep, workers=workers)
    # a bad grid field and bad workers: both are named, nothing changes
    with unchanged("workers"):
        services.grid_update(
            actor=w["alice"], grid=g, **{**keep, "name": " "}, workers=[(w["wendy"], "boss")]
        )
    services.grid_update(actor=w["alice"], grid=g, **keep, workers=[])
    assert not g.workers.exists()


def test_assign_by_work_unit(ugw):
    w = ugw
    alice = scope_for_user(w["alice"])
    g = services.grid_create(
        actor=None,
        community=w["comm_a"],
        name="紫金科技专属网格",
        serving_branch=w["branch_a2"],
        compounds=[],
        units=[w["unit_a"]],
    )
    # 张红 lives in 紫金花园 and works at 紫金科技; two more of alice's members work there; one
    # works elsewhere
    ming = factories.member(w["branch_a2"], name="周明", work_unit=w["unit_a"])
    factories.member(w["branch_a1"], name="吴强", work_unit=w["unit_a"])
    factories.member(w["branch_a2"], name="郑丽", work_unit=w["unit_a2"])
    zhang = w["m_a1"]
    zhang.work_unit = w["unit_a"]
    zhang.save()
    # 张红 → 紫金花园网格
    services.grid_assign_by_residence(actor=None, scope=ALL, grid=w["grid_a"])
    n = services.grid_assign_by_work_unit(actor=w["alice"], scope=alice, grid=g)
    assert n == 2
    assert set(g.memberships.values_list("member__name", flat=True)) == {"周明", "吴强"}
    assert not g.memberships.filter(by_residence=True).exists()
    row = AuditLog.objects.get(action="grids.assign_by_work_unit")
    assert row.diff == {"assigned": 2, "move_assigned": False}
    assert services.grid_assign_by_work_unit(actor=w["alice"], scope=alice, grid=g) == 0
    # asked to, the unit grid takes 张红 from her residence grid (alice manages both)
    moved = services.grid_assign_by_work_unit(
        actor=w["alice"], scope=alice, grid=g, move_assigned=True
    )
    assert moved == 1
    assert GridMembership.objects.get(member=zhang).grid == g
    assert GridMembership.objects.get(member=ming).grid == g
    row = AuditLog.objects.filter(action="grids.assign_by_work_unit").latest("pk")
    assert row.diff == {"assigned": 1, "move_assigned": True}


def _grids_of(*members):
    return {
        m.name: GridMembership.objects.filter(member=m).values_list("grid", flat=True).first()
        for m in members
    }


def test_assign_by_work_unit_takes_only_members_and_grids_in_scope(hospital):
    """The grid covers a city unit: people of the whole city work there. alice assigns only
    the members she manages, and moves only those whose grid she manages."""
    w = hospital
    g, alice = w["grid_h"], scope_for_user(w["alice"])
    outside = (w["m_wu"], w["m_b1"], w["m_a1b"])
    before = _grids_of(*outside)
    assert services.grid_assign_by_work_unit(actor=w["alice"], scope=alice, grid=g) == 1
    assert (
        services.grid_assign_by_work_unit(actor=w["alice"], scope=alice, grid=g, move_assigned=True)
        == 1
    )
    assert set(g.memberships.values_list("member__name", flat=True)) == {"周明", "张红"}
    # 吴强 is still in no grid; 赵刚 and 李明 are still in street B's grid
    assert (
        _grids_of(*outside)
        == before
        == {"吴强": None, "赵刚": w["grid_b"].pk, "李明": w["grid_b"].pk}
    )
    diffs = list(
        AuditLog.objects.filter(action="grids.assign_by_work_unit")
        .order_by("pk")
        .values_list("diff", flat=True)
    )
    assert diffs == [
        {"assigned": 1, "move_assigned": False},
        {"assigned": 1, "move_assigned": True},
    ]
    # a system task (every scope) takes them all
    assert services.grid_assign_by_work_unit(actor=None, scope=ALL, grid=g, move_assigned=True) == 3


def test_assign_by_residence_moves_only_from_grids_in_scope(hospital):
    """李明 moves into 紫金花园 but street B's grid holds him: alice's move leaves him there."""
    w = hospital
    li = w["m_a1b"]
    li.residence = w["building_a"]
    li.save()
    alice = scope_for_user(w["alice"])
    assert (
        services.grid_assign_by_residence(
            actor=w["alice"], scope=alice, grid=w["grid_a"], move_assigned=True
        )
        == 0
    )
    assert GridMembership.objects.get(member=li).grid == w["grid_b"]
    assert (
        services.grid_assign_by_residence(
            actor=None, scope=ALL, grid=w["grid_a"], move_assigned=True
        )
        == 1
    )
    assert GridMembership.objects.get(member=li).grid == w["grid_a"]


def test_assign_by_work_unit_needs_units(gw):
    with unchanged(contains="还没有覆盖任何单位"):
        services.grid_assign_by_work_unit(actor=None, scope=ALL, grid=gw["grid_a"])


def test_instructor_with_suspended_standing_is_refused(gw):
    m = factories.member(gw["branch_a1"], standing="suspended")
    with unchanged("member"):
        services.grid_set_instructor(actor=None, grid=gw["grid_a"], member=m)


def test_update_keeps_rules(gw):
    services.grid_update(
        actor=gw["alice"],
        grid=gw["grid_a"],
        name="紫金网格",
        code="01",
        serving_branch=gw["branch_a2"],
        compounds=[gw["compound_a"], gw["compound_a2"]],
    )
    g = Grid.objects.get(pk=gw["grid_a"].pk)
    assert g.name == "紫金网格" and g.compounds.count() == 2
    assert AuditLog.objects.get(action="grids.update").diff["serving_branch"] == [
        gw["branch_a1"].pk,
        gw["branch_a2"].pk,
    ]


def test_the_migration_gives_older_workers_their_members_account(ugw):
    import importlib

    from django.apps import apps

    w = ugw
    migration = importlib.import_module("tongxin.grids.migrations.0002_worker_accounts")
    li = GridWorker.objects.create(grid=w["grid_a"], member=w["m_a1b"], role="head")
    zhang = GridWorker.objects.create(grid=w["grid_a"], member=w["m_a1"], role="part_time")
    # grid_b lists dave already: the older row there stays as it was
    GridWorker.objects.create(grid=w["grid_b"], user=w["dave"], role="head")
    li_b = GridWorker.objects.create(grid=w["grid_b"], member=w["m_a1b"], role="part_time")
    migration.link_accounts(apps, None)
    li.refresh_from_db()
    zhang.refresh_from_db()
    li_b.refresh_from_db()
    assert li.user == w["dave"] and li.member == w["m_a1b"]
    assert zhang.user is None  # 张红 has no account: her row keeps working as before
    assert li_b.user is None
