"""The coverage audit in a browser: a street secretary opens 应建尽建检查, follows the fix link of
an unassigned member, puts her into the grid of her compound, and the gap disappears."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tongxin.grids import services
from tongxin.grids.models import GridMembership

pytestmark = pytest.mark.e2e


def test_street_secretary_fixes_an_unassigned_member(page: Page, e2e_world, new_context):
    w = e2e_world
    # The machine running these may be busy: allow slow pages rather than fail on timing.
    page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    try:
        _flow(page, w, new_context)
    finally:
        expect.set_options(timeout=5_000)


def _flow(page: Page, w: dict, new_context) -> None:
    grid = services.grid_create(
        actor=None,
        community=w["comm_a"],
        name="紫金花园网格",
        serving_branch=w["branch_a1"],
        compounds=[w["compound_a"]],
    )
    login(page, w["url"], "alice", PASSWORD)
    page.goto(f"{w['url']}/grids/coverage/?cat=ungridded")
    expect(page.get_by_role("heading", name="应建尽建检查")).to_be_visible()
    expect(page.get_by_test_id("count-ungridded")).to_have_text("3")
    expect(page.get_by_test_id("count-no_instructor")).to_have_text("1")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "grids-coverage-desktop.png", full_page=True)

    row = page.locator("li.list-group-item", has_text="张红")
    row.get_by_role("link", name="编入网格").click()
    expect(page.get_by_role("heading", name="张红的网格")).to_be_visible()
    expect(page.get_by_test_id("current-grid")).to_have_text("未编入网格")
    # by residence: her compound's grid is already chosen
    expect(page.get_by_label("网格")).to_have_value(str(grid.pk))
    page.get_by_role("button", name="编入网格").click()
    expect(page.get_by_test_id("current-grid")).to_contain_text("紫金花园网格")
    assert GridMembership.objects.get(member=w["m_a1"]).grid_id == grid.pk

    page.goto(f"{w['url']}/grids/coverage/?cat=ungridded")
    expect(page.get_by_test_id("count-ungridded")).to_have_text("2")
    expect(page.locator("li.list-group-item", has_text="张红")).to_have_count(0)

    phone = new_context(PHONE).new_page()
    phone.set_default_timeout(60_000)
    login(phone, w["url"], "alice", PASSWORD)
    phone.goto(f"{w['url']}/grids/{grid.pk}/")
    expect(phone.get_by_role("heading", name="紫金花园网格")).to_be_visible()
    expect(phone.get_by_role("link", name="张红")).to_be_visible()
    phone.screenshot(path=SCREENSHOTS / "grids-detail-phone.png", full_page=True)


def test_street_secretary_builds_a_unit_grid(page: Page, e2e_world, new_context):
    """A 单位网格: alice creates it for 紫金科技 (no compound), names a grid worker by account,
    and brings in the unit's members by work unit."""
    w = e2e_world
    page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    try:
        _unit_flow(page, w, new_context)
    finally:
        expect.set_options(timeout=5_000)


def _unit_flow(page: Page, w: dict, new_context) -> None:
    from tests import factories
    from tongxin.grids.models import Grid
    from tongxin.orgs.services import unit_create

    unit = unit_create(
        actor=None, name="紫金科技公司", sector="enterprise", area=w["street_a_area"]
    )
    for name in ("周明", "吴强"):
        factories.member(w["branch_a2"], name=name, work_unit=unit)
    factories.user("wendy", "grid_worker", area=w["comm_a"], display_name="吴敏")
    login(page, w["url"], "alice", PASSWORD)
    page.goto(f"{w['url']}/grids/new/?community={w['comm_a'].pk}")
    page.get_by_label("网格名称").fill("紫金科技专属网格")
    page.get_by_label("服务党支部").select_option(label="紫金社区第二党支部")
    page.get_by_label("紫金科技公司").check()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "grids-form-units-desktop.png", full_page=True)
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("heading", name="紫金科技专属网格")).to_be_visible()
    expect(page.get_by_test_id("units")).to_have_text("紫金科技公司")
    grid = Grid.objects.get(name="紫金科技专属网格")

    page.get_by_role("link", name="添加", exact=True).click()
    page.get_by_label("职责").select_option(label="专职网格员")
    page.get_by_label("账号").select_option(label="吴敏（wendy）")
    page.get_by_role("button", name="保存").click()
    expect(page.locator("li.list-group-item", has_text="专职网格员")).to_contain_text("吴敏")

    page.get_by_role("link", name="编入党员").click()
    expect(page.get_by_test_id("unit-pending")).to_have_text("2")
    page.get_by_role("button", name="按工作单位编入").click()
    expect(page.get_by_role("alert")).to_contain_text("已按工作单位编入 2 名党员")
    assert grid.memberships.count() == 2

    phone = new_context(PHONE).new_page()
    phone.set_default_timeout(60_000)
    login(phone, w["url"], "alice", PASSWORD)
    phone.goto(f"{w['url']}/grids/{grid.pk}/assign/")
    expect(phone.get_by_test_id("by-work-unit")).to_be_visible()
    phone.screenshot(path=SCREENSHOTS / "grids-assign-unit-phone.png", full_page=True)
