"""The 单位 registry: scoped list, registration with a checked credit code, edit."""

from __future__ import annotations

from tongxin.core import creditcode
from tongxin.core.models import AuditLog
from tongxin.orgs.models import Unit
from tongxin.orgs.services import unit_create


def unit_data(world, **over):
    data = {
        "name": "紫金物业管理有限公司",
        "sector": "enterprise",
        "credit_code": creditcode.make("91", "330203", "20261121"),
        "area": world["comm_a"].pk,
        "address": "紫金路8号",
    }
    data.update(over)
    return data


def test_alice_registers_a_unit_in_her_street_and_finds_it(world, client_for):
    c = client_for(world["alice"])
    r = c.post("/orgs/units/new/", unit_data(world))
    assert r.status_code == 302
    unit = Unit.objects.get(name="紫金物业管理有限公司")
    assert AuditLog.objects.filter(action="orgs.unit_create", object_id=str(unit.pk)).exists()
    assert "紫金物业管理有限公司" in c.get("/orgs/units/").content.decode()
    # and it is offered when she edits one of her organizations
    edit = c.get(f"/orgs/{world['branch_a2'].pk}/edit/").content.decode()
    assert "紫金物业管理有限公司" in edit


def test_bad_credit_codes_are_refused_in_chinese_and_nothing_is_saved(world, client_for):
    c = client_for(world["alice"])
    good = creditcode.make("91", "330203", "20261121")
    cases = [
        ("91330203", "应为18位"),
        (good[:17] + ("1" if good[17] != "1" else "2"), "校验位不正确"),
    ]
    for code, message in cases:
        r = c.post("/orgs/units/new/", unit_data(world, credit_code=code))
        assert r.status_code == 200 and message in r.content.decode()
    # a unit with no area, written by no user: its audit row is filed under alice's street
    unit_create(
        actor=None,
        name="已有单位",
        sector="enterprise",
        credit_code=good,
        audit_path=world["street_a"].path,
    )
    r = c.post("/orgs/units/new/", unit_data(world))
    assert "已登记为其他单位" in r.content.decode()
    assert not Unit.objects.filter(name="紫金物业管理有限公司").exists()


def test_the_stranger_neither_sees_nor_edits_alices_units(world, client_for):
    unit = unit_create(
        actor=None, name="紫金物业管理有限公司", sector="enterprise", area=world["comm_a"]
    )
    c = client_for(world["charlie"])
    assert "紫金物业" not in c.get("/orgs/units/").content.decode()
    assert c.get(f"/orgs/units/{unit.pk}/edit/").status_code == 404
    r = c.post(f"/orgs/units/{unit.pk}/edit/", {"name": "改名", "sector": "other"})
    assert r.status_code == 404 and Unit.objects.get(pk=unit.pk).name == "紫金物业管理有限公司"
    # street B's secretary cannot place a new unit in street A's areas
    from tests import factories

    dave = client_for(factories.user("dave", "street_secretary", org=world["street_b"]))
    r = dave.post("/orgs/units/new/", unit_data(world, name="越界单位", credit_code=""))
    assert r.status_code == 200 and not Unit.objects.filter(name="越界单位").exists()
    assert "紫金物业" not in dave.get("/orgs/units/").content.decode()


def test_a_member_without_manage_rights_cannot_register_units(world, client_for):
    from tests import factories

    grid = factories.user("gina", "grid_worker", area=world["comm_a"])
    assert client_for(grid).get("/orgs/units/new/").status_code == 404


def test_unit_list_query_count(world, client_for, django_assert_num_queries):
    for i in range(12):
        unit_create(actor=None, name=f"单位{i}", sector="enterprise", area=world["comm_a"])
    c = client_for(world["alice"])
    # 1 session, 2 user, 3 role assignments, 4 the areas of her territorial committees,
    # 5 COUNT, 6 the page's rows with their area, 7 which of them she may edit,
    # 8-10 session save
    with django_assert_num_queries(10):
        assert c.get("/orgs/units/").status_code == 200


def test_a_member_with_a_node_grant_sees_only_units_hosting_organizations_in_reach(
    world, client_for
):
    from tests import factories
    from tongxin.orgs.models import Organization

    hosted = unit_create(actor=None, name="紫金一号楼宇", sector="other", area=world["comm_a"])
    unit_create(actor=None, name="紫金二号楼宇", sector="other", area=world["comm_a"])
    Organization.objects.filter(pk=world["branch_a1"].pk).update(unit=hosted)
    dang = factories.user("dang", "member", org=world["branch_a1"], reach="node")
    body = client_for(dang).get("/orgs/units/").content.decode()
    assert "紫金一号楼宇" in body and "紫金二号楼宇" not in body
    assert client_for(dang).get("/orgs/units/new/").status_code == 404


def test_a_unit_shared_with_an_organization_out_of_reach_is_not_editable(world, client_for):
    from tongxin.orgs.models import Organization

    shared = unit_create(actor=None, name="联建物业", sector="enterprise", area=world["comm_a"])
    Organization.objects.filter(pk__in=[world["branch_a1"].pk, world["branch_b1"].pk]).update(
        unit=shared
    )
    c = client_for(world["alice"])
    assert "联建物业" in c.get("/orgs/units/").content.decode()  # she sees it
    assert c.get(f"/orgs/units/{shared.pk}/edit/").status_code == 404  # but street B uses it too


def test_a_branch_secretary_registers_no_units(world, client_for):
    assert client_for(world["bob"]).get("/orgs/units/new/").status_code == 404


def test_unit_changes_are_filed_where_auditors_see_them(world, client_for):
    c = client_for(world["alice"])
    assert c.post("/orgs/units/new/", unit_data(world)).status_code == 302
    row = AuditLog.objects.get(action="orgs.unit_create")
    assert row.org_path == world["street_a"].path
    body = client_for(world["auditor"]).get("/audit/").content.decode()
    assert "紫金物业管理有限公司" in body
