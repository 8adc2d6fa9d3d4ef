"""Pages and scope: alice (street A) manages grid_a; bob (branch A1, serving grid_a) sees it;
charlie (branch B1) sees nothing of street A: 404 everywhere, never 403."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.helpers import texts
from tongxin.grids import services
from tongxin.grids.models import Grid, GridMembership


def test_list_shows_only_grids_in_reach(gw, client_for):
    r = client_for(gw["alice"]).get("/grids/")
    assert r.status_code == 200
    assert "紫金花园网格" in texts(r) and "孝闻网格" not in texts(r)
    r = client_for(gw["charlie"]).get("/grids/")
    assert "孝闻网格" in texts(r) and "紫金花园网格" not in texts(r)


def test_bob_sees_the_grid_his_branch_serves_but_cannot_manage_it(gw, client_for):
    c = client_for(gw["bob"])
    assert c.get(f"/grids/{gw['grid_a'].pk}/").status_code == 200
    assert c.get(f"/grids/{gw['grid_a'].pk}/edit/").status_code == 404


@pytest.mark.parametrize("suffix", ["", "edit/", "instructor/", "workers/new/", "assign/"])
def test_stranger_gets_404_on_every_grid_page(gw, client_for, suffix):
    c = client_for(gw["charlie"])
    r = c.get(f"/grids/{gw['grid_a'].pk}/{suffix}")
    assert r.status_code == 404
    assert "紫金" not in texts(r)


def test_stranger_cannot_post_assignments_or_instructor(gw, client_for):
    c = client_for(gw["charlie"])
    g = gw["grid_a"]
    assert c.post(f"/grids/{g.pk}/assign/", {"action": "by_residence"}).status_code == 404
    assert c.post(f"/grids/{g.pk}/instructor/", {"member": gw["m_a1"].pk}).status_code == 404
    assert c.post(f"/grids/{g.pk}/edit/", {"name": "x"}).status_code == 404
    assert c.get(f"/grids/member/{gw['m_a1'].pk}/").status_code == 404
    assert c.get(f"/grids/new/?community={gw['comm_a'].pk}").status_code == 404
    assert not GridMembership.objects.exists()
    assert Grid.objects.get(pk=g.pk).instructor_id is None


def test_create_in_two_steps(gw, client_for):
    c = client_for(gw["alice"])
    r = c.get("/grids/new/")
    assert "紫金社区" in texts(r) and "孝闻社区" not in texts(r)
    r = c.get(f"/grids/new/?community={gw['comm_a'].pk}")
    assert "紫金新村" in texts(r)
    r = c.post(
        f"/grids/new/?community={gw['comm_a'].pk}",
        {
            "name": "紫金新村网格",
            "code": "02",
            "serving_branch": gw["branch_a2"].pk,
            "compounds": [gw["compound_a2"].pk],
        },
    )
    grid = Grid.objects.get(name="紫金新村网格")
    assert r.status_code == 302 and r["Location"] == f"/grids/{grid.pk}/"


def test_create_form_shows_the_rule_and_saves_nothing(gw, client_for):
    c = client_for(gw["alice"])
    r = c.post(
        f"/grids/new/?community={gw['comm_a'].pk}",
        {
            "name": "重复",
            "code": "03",
            "serving_branch": gw["branch_a2"].pk,
            "compounds": [gw["compound_a"].pk],
        },
    )
    assert r.status_code == 200
    assert "已划入网格“紫金花园网格”" in texts(r)
    assert not Grid.objects.filter(name="重复").exists()


def test_instructor_page_refuses_a_second_one(gw, client_for):
    c = client_for(gw["alice"])
    g = gw["grid_a"]
    r = c.post(f"/grids/{g.pk}/instructor/", {"member": gw["m_a1"].pk})
    assert r.status_code == 302
    r = c.post(f"/grids/{g.pk}/instructor/", {"member": gw["m_a1b"].pk})
    assert r.status_code == 200 and "一个网格只能有一名指导员" in texts(r)
    assert Grid.objects.get(pk=g.pk).instructor == gw["m_a1"]
    r = c.post(f"/grids/{g.pk}/instructor/", {"member": gw["m_a1b"].pk, "replace": "on"})
    assert r.status_code == 302
    assert Grid.objects.get(pk=g.pk).instructor == gw["m_a1b"]


def test_detail_shows_members_masked(gw, client_for):
    services.grid_assign_member(actor=None, grid=gw["grid_a"], member=gw["m_a1"])
    r = client_for(gw["alice"]).get(f"/grids/{gw['grid_a'].pk}/")
    body = texts(r)
    assert "张红" in body
    assert gw["m_a1"].reveal_phone() not in body and gw["m_a1"].phone_masked in body
    assert gw["m_a1"].reveal_id_number() not in body


def test_assign_page_by_residence_and_one_member(gw, client_for):
    c = client_for(gw["alice"])
    g = gw["grid_a"]
    r = c.get(f"/grids/{g.pk}/assign/")
    assert 'data-testid="pending">1<' in texts(r)
    r = c.post(f"/grids/{g.pk}/assign/", {"action": "by_residence"}, follow=True)
    assert "已按居住地编入 1 名党员" in texts(r)
    r = c.post(f"/grids/{g.pk}/assign/", {"action": "move", "member": gw["m_a1b"].pk})
    assert r.status_code == 302
    assert set(g.memberships.values_list("member__name", flat=True)) == {"张红", "李明"}


def test_member_page_moves_and_removes(gw, client_for):
    c = client_for(gw["alice"])
    m = gw["m_a2"]
    r = c.get(f"/grids/member/{m.pk}/")
    assert "未编入网格" in texts(r)
    r = c.post(f"/grids/member/{m.pk}/", {"grid": gw["grid_a"].pk})
    assert r.status_code == 302
    assert GridMembership.objects.get(member=m).grid == gw["grid_a"]
    # a grid out of reach is not a choice
    r = c.post(f"/grids/member/{m.pk}/", {"grid": gw["grid_b"].pk})
    assert r.status_code == 200 and GridMembership.objects.get(member=m).grid == gw["grid_a"]
    r = c.post(f"/grids/member/{m.pk}/", {"action": "remove"})
    assert r.status_code == 302 and not GridMembership.objects.filter(member=m).exists()


def test_member_detail_shows_the_grid(gw, client_for):
    services.grid_assign_member(actor=None, grid=gw["grid_a"], member=gw["m_a1"])
    r = client_for(gw["alice"]).get(f"/members/{gw['m_a1'].pk}/")
    assert "紫金花园网格" in texts(r)


def test_nav_item(gw, client_for):
    assert 'href="/grids/"' in texts(client_for(gw["alice"]).get("/grids/"))


def test_worker_form_offers_accounts_in_reach(ugw, client_for):
    from tongxin.grids.models import GridWorker

    w, g = ugw, ugw["grid_a"]
    c = client_for(w["alice"])
    body = texts(c.get(f"/grids/{g.pk}/workers/new/"))
    assert "吴敏（wendy）" in body and "李明（dave）" in body
    assert "eve" not in body and "郑洁" not in body and "charlie" not in body
    # wendy (anchored in the community) is listed before accounts further away
    import re

    offered = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', body)
    assert offered.index("吴敏（wendy）") < offered.index("alice"), offered
    r = c.post(f"/grids/{g.pk}/workers/new/", {"role": "full_time", "user": w["eve"].pk})
    assert r.status_code == 200 and not GridWorker.objects.exists()
    r = c.post(f"/grids/{g.pk}/workers/new/", {"role": "full_time", "user": ""})
    assert r.status_code == 200 and not GridWorker.objects.exists()
    r = c.post(f"/grids/{g.pk}/workers/new/", {"role": "full_time", "user": w["wendy"].pk})
    assert r.status_code == 302
    r = c.post(f"/grids/{g.pk}/workers/new/", {"role": "head", "user": w["wendy"].pk})
    assert "此人已是本网格的网格员" in texts(r) and GridWorker.objects.count() == 1
    body = texts(c.get(f"/grids/{g.pk}/"))
    assert "吴敏" in body and "专职网格员" in body


def test_detail_shows_an_older_member_only_worker(ugw, client_for):
    from tongxin.grids.models import GridWorker

    GridWorker.objects.create(grid=ugw["grid_a"], member=ugw["m_a1"], role="part_time")
    body = texts(client_for(ugw["alice"]).get(f"/grids/{ugw['grid_a'].pk}/"))
    assert "张红" in body and "未关联账号" in body


def test_edit_page_covers_units(ugw, client_for):
    w, g = ugw, ugw["grid_a"]
    c = client_for(w["alice"])
    body = texts(c.get(f"/grids/{g.pk}/edit/"))
    assert "紫金科技公司" in body and "南门物流公司" in body and "鼓楼商贸公司" not in body
    data = {
        "name": "紫金花园网格",
        "code": "01",
        "serving_branch": w["branch_a1"].pk,
        "compounds": [w["compound_a"].pk],
    }
    r = c.post(f"/grids/{g.pk}/edit/", {**data, "units": [w["unit_b"].pk]})
    assert r.status_code == 200 and not g.units.exists()
    r = c.post(f"/grids/{g.pk}/edit/", {**data, "units": [w["unit_a"].pk]})
    assert r.status_code == 302 and list(g.units.all()) == [w["unit_a"]]
    assert "紫金科技公司" in texts(c.get(f"/grids/{g.pk}/"))
    # a unit grid: no compound, one unit
    r = c.post(
        f"/grids/new/?community={w['comm_a'].pk}",
        {
            "name": "南门物流专属网格",
            "code": "Z01",
            "serving_branch": w["branch_a2"].pk,
            "units": [w["unit_a2"].pk],
        },
    )
    assert r.status_code == 302
    # neither compounds nor units: the rule, nothing saved
    r = c.post(
        f"/grids/new/?community={w['comm_a'].pk}",
        {"name": "空网格", "serving_branch": w["branch_a2"].pk},
    )
    assert r.status_code == 200 and "请至少选择一个网格覆盖的小区或单位" in texts(r)
    assert not Grid.objects.filter(name="空网格").exists()
    # the unit already has a grid
    r = c.post(
        f"/grids/new/?community={w['comm_a'].pk}",
        {"name": "重复单位网格", "serving_branch": w["branch_a2"].pk, "units": [w["unit_a2"].pk]},
    )
    assert r.status_code == 200 and "已划入网格“南门物流专属网格”" in texts(r)


def test_assign_page_by_work_unit(ugw, client_for):
    from tests import factories

    w = ugw
    g = services.grid_create(
        actor=None,
        community=w["comm_a"],
        name="紫金科技专属网格",
        serving_branch=w["branch_a2"],
        compounds=[],
        units=[w["unit_a"]],
    )
    for _ in range(2):
        factories.member(w["branch_a2"], work_unit=w["unit_a"])
    c = client_for(w["alice"])
    body = texts(c.get(f"/grids/{g.pk}/assign/"))
    assert 'data-testid="unit-pending">2<' in body and "按居住地编入" not in body
    r = c.post(f"/grids/{g.pk}/assign/", {"action": "by_work_unit"}, follow=True)
    assert "已按工作单位编入 2 名党员" in texts(r)
    assert g.memberships.count() == 2
    # a grid of compounds only: no such card; posting it says what to do
    body = texts(c.get(f"/grids/{w['grid_a'].pk}/assign/"))
    assert "按工作单位编入" not in body
    r = c.post(f"/grids/{w['grid_a'].pk}/assign/", {"action": "by_work_unit"}, follow=True)
    assert "还没有覆盖任何单位" in texts(r)


def test_assign_page_by_work_unit_counts_and_takes_only_members_in_scope(hospital, client_for):
    """A city unit employs people of every street: the page counts, and the button takes, only
    the members alice manages, and moves only those from grids she manages."""
    w = hospital
    g = w["grid_h"]
    outside = GridMembership.objects.filter(member__in=[w["m_b1"], w["m_a1b"]])
    before = sorted(outside.values_list("member_id", "grid_id"))
    c = client_for(w["alice"])
    body = texts(c.get(f"/grids/{g.pk}/assign/"))
    # 周明 in no grid; with 张红 (in alice's grid_a) two may be moved in
    assert 'data-testid="unit-pending">1<' in body and "（共 2 名）" in body
    assert "吴强" not in body and "赵刚" not in body
    r = c.post(f"/grids/{g.pk}/assign/", {"action": "by_work_unit", "move": "1"}, follow=True)
    assert "已按工作单位编入 2 名党员" in texts(r)
    assert set(g.memberships.values_list("member__name", flat=True)) == {"周明", "张红"}
    assert sorted(outside.values_list("member_id", "grid_id")) == before
    assert not GridMembership.objects.filter(member=w["m_wu"]).exists()
    body = texts(c.get(f"/grids/{g.pk}/assign/"))
    assert 'data-testid="unit-pending">0<' in body and "同时调入" not in body


def test_stranger_cannot_add_workers_or_assign_by_work_unit(ugw, client_for):
    from tongxin.grids.models import GridWorker

    w, g = ugw, ugw["grid_a"]
    c = client_for(w["charlie"])
    r = c.post(f"/grids/{g.pk}/workers/new/", {"role": "head", "user": w["eve"].pk})
    assert r.status_code == 404 and not GridWorker.objects.exists()
    r = c.post(f"/grids/{g.pk}/assign/", {"action": "by_work_unit"})
    assert r.status_code == 404 and not GridMembership.objects.exists()
    # a street secretary of street B manages her grids, not these
    dora = factories_user_dora(w)
    c = client_for(dora)
    assert c.get(f"/grids/{g.pk}/workers/new/").status_code == 404
    body = texts(c.get(f"/grids/{w['grid_b'].pk}/workers/new/"))
    assert "郑洁（eve）" in body and "wendy" not in body and "吴敏" not in body
    body = texts(c.get(f"/grids/{w['grid_b'].pk}/edit/"))
    assert "鼓楼商贸公司" in body and "紫金科技公司" not in body


def factories_user_dora(w):
    from tests import factories

    return factories.user("dora", "street_secretary", org=w["street_b"])


def test_a_20_digit_id_in_the_edit_form_is_refused_not_a_500(gw, client_for, settings):
    """SQLite cannot even bind the number (OverflowError in Django's ``pk__in``: before, a 500;
    now the 400 page); PostgreSQL finds no such row and the form says the choice is invalid."""
    settings.DEBUG = False
    g = gw["grid_a"]
    r = client_for(gw["alice"]).post(
        f"/grids/{g.pk}/edit/",
        {
            "name": "x",
            "code": "01",
            "serving_branch": gw["branch_a1"].pk,
            "compounds": [str(10**20)],
        },
    )
    if connection.vendor == "sqlite":
        assert r.status_code == 400 and "请求有误" in texts(r)
    else:
        assert r.status_code == 200 and "选择一个有效的选项" in texts(r)
    assert Grid.objects.get(pk=g.pk).name != "x"


def test_a_20_digit_id_in_a_page_address_is_a_404(gw, client_for):
    assert client_for(gw["alice"]).get(f"/grids/{10**20}/").status_code == 404
