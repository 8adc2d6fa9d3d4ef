"""Importing an organization roster in a real browser: a street secretary uploads a real xlsx
whose rows name their parents in any order, two of them wrong; reads the per-row errors; fixes
the sheet, uploads it again, commits, and opens the new organizations in the tree. Screenshots
at 1280 and 375 px (test-artifacts/screenshots/org-import-*)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tests.rosters import sheets
from tongxin.orgs.models import Organization

pytestmark = pytest.mark.e2e


def _shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"org-import-{name}.png", full_page=True)


def _open(page: Page, tree, name: str) -> None:
    node = tree.locator("li", has=page.get_by_role("link", name=name, exact=True)).last
    # the disclosure triangle beside the link
    node.locator(":scope > details > summary").click(position={"x": 5, "y": 10})


def test_import_fix_reimport_and_find_in_the_tree(page: Page, e2e_world, tmp_path, new_context):
    w = e2e_world
    rows = [
        sheets.org("第三党支部第一党小组", "紫金社区第三党支部", "党小组"),  # parent below
        sheets.org("紫金社区第三党支部", "紫金社区党委", "党支部", 成立日期="2021年7月1日"),
        sheets.org("南门街道机关党总支", "南门街道党工委", "党总支", 所属领域="机关事业单位"),
        sheets.org("机关第一党支部", "南门街道机关党总支", "党支部"),
        sheets.org("孝闻社区第二党支部", "鼓楼街道党工委", "党支部"),  # not hers
        sheets.org("小组下的小组", "紫金社区第一党小组", "党小组"),  # not allowed
    ]
    bad = tmp_path / "党组织名册.xlsx"
    bad.write_bytes(sheets.org_xlsx(rows))
    login(page, w["url"], "alice", PASSWORD)

    page.goto(f"{w['url']}/orgs/")
    page.get_by_role("link", name="导入党组织").click()
    expect(page.get_by_role("heading", name="导入党组织名册")).to_be_visible(timeout=30_000)
    _shoot(page, "index-desktop")
    page.get_by_label("党组织名册文件").set_input_files(str(bad))
    page.get_by_role("button", name="上传并检查").click()

    expect(page.get_by_test_id("error-rows")).to_have_text("2", timeout=30_000)
    errors = page.get_by_test_id("row-errors")
    expect(errors).to_contain_text("第6行")
    expect(errors).to_contain_text("找不到“鼓楼街道党工委”")
    expect(errors).to_contain_text("第7行")
    expect(errors).to_contain_text("党小组只能设在党支部之下，不能设在党小组之下。")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    _shoot(page, "errors-desktop")
    errors_url = page.url
    n = Organization.objects.count()

    # The secretary drops the other street's branch and puts the group under a branch.
    del rows[4]
    rows[4]["上级党组织"] = "紫金社区第一党支部"
    good = tmp_path / "党组织名册-改.xlsx"
    good.write_bytes(sheets.org_xlsx(rows))
    page.get_by_role("link", name="重新上传").click()
    page.get_by_label("党组织名册文件").set_input_files(str(good))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_test_id("job-status")).to_contain_text("全部 5 行检查通过", timeout=30_000)
    expect(page.get_by_test_id("to-create")).to_have_text("5")
    assert Organization.objects.count() == n, "the check writes nothing"
    _shoot(page, "ready-desktop")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("job-status")).to_contain_text(
        "导入完成：新增 5 个党组织", timeout=30_000
    )
    assert Organization.objects.count() == n + 5
    _shoot(page, "done-desktop")

    page.get_by_role("link", name="查看组织架构").click()
    tree = page.locator(".tx-tree")
    _open(page, tree, "南门街道党工委")
    expect(tree.get_by_role("link", name="南门街道机关党总支")).to_be_visible()
    _open(page, tree, "南门街道机关党总支")
    expect(tree.get_by_role("link", name="机关第一党支部")).to_be_visible()
    _open(page, tree, "紫金社区党委")
    expect(tree.get_by_role("link", name="紫金社区第三党支部")).to_be_visible()
    _open(page, tree, "紫金社区第三党支部")
    expect(tree.get_by_role("link", name="第三党支部第一党小组")).to_be_visible()
    _open(page, tree, "紫金社区第一党支部")
    expect(tree.get_by_role("link", name="小组下的小组")).to_be_visible()
    _shoot(page, "tree-desktop")

    # The same pages at 375 px: nothing scrolls sideways.
    phone = new_context(PHONE).new_page()
    login(phone, w["url"], "alice", PASSWORD)
    for name, path in (("index", f"{w['url']}/rosters/orgs/"), ("errors", errors_url)):
        phone.goto(path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        _shoot(phone, f"{name}-phone")
