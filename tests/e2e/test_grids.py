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


def test_street_secretary_fixes_an_unassigned_member(page: Page, e2e_world, new_context):  # type: ignore[no-untyped-def]
    w = e2e_world
    # The machine running these may be busy: allow slow pages rather than fail on timing.
    page.set_default_timeout(60_000)
    expect.set_options(timeout=30_000)
    try:
        _flow(page, w, new_context)
    finally:
        expect.set_options(timeout=5_000)


def _flow(page: Page, w: dict, new_context) -> None:  # type: ignore[no-untyped-def, type-arg]
    grid = services.grid_create(actor=None, community=w["comm_a"], name="紫金花园网格",
                                serving_branch=w["branch_a1"], compounds=[w["compound_a"]])  # fmt: skip
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
