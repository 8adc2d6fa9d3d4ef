"""Grid rules: one instructor (a second is refused, replacing is explicit), one grid per member,
one grid per compound, assignment by residence."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from tests import factories
from tests.helpers import is_chinese
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.models import AuditLog
from tongxin.grids import services
from tongxin.grids.models import Grid, GridMembership, GridWorker


@contextmanager
def unchanged(field: str | None = None, contains: str = ""):  # type: ignore[no-untyped-def]
    """The block is refused with a Chinese message and writes nothing."""
    before = (
        list(Grid.objects.order_by("pk").values_list("pk", "name", "code", "instructor_id",
                                                     "serving_branch_id")),
        list(Grid.compounds.through.objects.order_by("pk").values_list("grid_id", "area_id")),
        list(GridMembership.objects.order_by("pk").values_list("grid_id", "member_id")),
        GridWorker.objects.count(),
        AuditLog.objects.count(),
    )  # fmt: skip
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
        list(Grid.objects.order_by("pk").values_list("pk", "name", "code", "instructor_id",
                                                     "serving_branch_id")),
        list(Grid.compounds.through.objects.order_by("pk").values_list("grid_id", "area_id")),
        list(GridMembership.objects.order_by("pk").values_list("grid_id", "member_id")),
        GridWorker.objects.count(),
        AuditLog.objects.count(),
    )  # fmt: skip
    assert before == after, "a refused operation must write nothing"


def test_create_is_audited(gw):
    grid = services.grid_create(
        actor=gw["alice"], community=gw["comm_a"], name="紫金新村网格", code="02",
        serving_branch=gw["branch_a2"], compounds=[gw["compound_a2"]],
    )  # fmt: skip
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
def test_bad_grid_input_is_refused(gw, over, field, contains):  # type: ignore[no-untyped-def]
    data = dict(community=gw["comm_a"], name="新网格", code="09", serving_branch=gw["branch_a1"],
                compounds=[gw["compound_a2"]])  # fmt: skip
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
    other = services.grid_create(actor=None, community=gw["comm_a"], name="新村网格",
                                 serving_branch=gw["branch_a2"], compounds=[gw["compound_a2"]])  # fmt: skip
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
    n = services.grid_assign_by_residence(actor=gw["alice"], grid=gw["grid_a"])
    assert n == 2
    assert set(gw["grid_a"].memberships.values_list("member__name", flat=True)) == {"张红", "李明"}
    assert AuditLog.objects.get(action="grids.assign_by_residence").diff["assigned"] == 2
    # nobody left to assign: nothing changes the second time
    assert services.grid_assign_by_residence(actor=gw["alice"], grid=gw["grid_a"]) == 0


def test_assign_by_residence_leaves_members_of_other_grids_unless_asked(gw):
    other = services.grid_create(actor=None, community=gw["comm_a"], name="新村网格",
                                 serving_branch=gw["branch_a2"], compounds=[gw["compound_a2"]])  # fmt: skip
    services.grid_assign_member(actor=None, grid=other, member=gw["m_a1"])
    assert services.grid_assign_by_residence(actor=None, grid=gw["grid_a"]) == 0
    assert services.grid_assign_by_residence(actor=None, grid=gw["grid_a"], move_assigned=True) == 1
    assert GridMembership.objects.get(member=gw["m_a1"]).grid == gw["grid_a"]


def test_worker_needs_a_person_and_a_role(gw):
    with unchanged("member"):
        services.grid_worker_add(actor=None, grid=gw["grid_a"], role="head")
    with unchanged("role"):
        services.grid_worker_add(actor=None, grid=gw["grid_a"], role="boss", member=gw["m_a1"])
    w = services.grid_worker_add(actor=None, grid=gw["grid_a"], role="head", member=gw["m_a1"])
    with unchanged("member", contains="已是本网格的网格员"):
        services.grid_worker_add(actor=None, grid=gw["grid_a"], role="part_time", member=gw["m_a1"])
    services.grid_worker_remove(actor=None, worker=w)
    assert not GridWorker.objects.exists()


def test_instructor_with_suspended_standing_is_refused(gw):
    m = factories.member(gw["branch_a1"], standing="suspended")
    with unchanged("member"):
        services.grid_set_instructor(actor=None, grid=gw["grid_a"], member=m)


def test_update_keeps_rules(gw):
    services.grid_update(actor=gw["alice"], grid=gw["grid_a"], name="紫金网格", code="01",
                         serving_branch=gw["branch_a2"],
                         compounds=[gw["compound_a"], gw["compound_a2"]])  # fmt: skip
    g = Grid.objects.get(pk=gw["grid_a"].pk)
    assert g.name == "紫金网格" and g.compounds.count() == 2
    assert AuditLog.objects.get(action="grids.update").diff["serving_branch"] == [
        gw["branch_a1"].pk, gw["branch_a2"].pk]  # fmt: skip
