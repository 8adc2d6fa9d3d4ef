"""The 单位 registry: scoped list, registration with a checked credit code, edit."""

from __future__ import annotations

from tongxin.core import creditcode
from tongxin.core.models import AuditLog
from tongxin.orgs.models import Unit
from tongxin.orgs.services import unit_create


def unit_data(world, **over):  # type: ignore[no-untyped-def]
    data = {"name": "紫金物业管理有限公司", "sector": "enterprise",
            "credit_code": creditcode.make("91", "330203", "20261121"),
            "area": world["comm_a"].pk, "address": "紫金路8号"}  # fmt: skip
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
    unit_create(actor=None, name="已有单位", sector="enterprise", credit_code=good)
    r = c.post("/orgs/units/new/", unit_data(world))
    assert "已登记为其他单位" in r.content.decode()
    assert not Unit.objects.filter(name="紫金物业管理有限公司").exists()


def test_the_stranger_neither_sees_nor_edits_alices_units(world, client_for):
    unit = unit_create(actor=None, name="紫金物业管理有限公司", sector="enterprise",
                       area=world["comm_a"])  # fmt: skip
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


def test_unit_list_query_count(world, client_for, django_assert_num_queries):  # type: ignore[no-untyped-def]
    for i in range(12):
        unit_create(actor=None, name=f"单位{i}", sector="enterprise", area=world["comm_a"])
    c = client_for(world["alice"])
    # 1 session, 2 user, 3 role assignments, 4 the areas of her top organizations,
    # 5 COUNT, 6 the page's rows with their area, 7-9 session save
    with django_assert_num_queries(9):
        assert c.get("/orgs/units/").status_code == 200
