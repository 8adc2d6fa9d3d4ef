"""Import → fix → re-import in a real browser: a street secretary uploads a real xlsx with two
bad rows, reads the per-row errors, uploads the corrected file, commits, and finds the members
in the roster. Screenshots at 1280 and 375 px (test-artifacts/screenshots/rosters-*)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tests.rosters import sheets
from tongxin.members.models import Member

pytestmark = pytest.mark.e2e


def _shoot(page: Page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"rosters-{name}.png", full_page=True)


def test_import_fix_and_reimport(page: Page, e2e_world, tmp_path, new_context):
    w = e2e_world
    rows = [
        sheets.person(姓名="陈导入"),
        sheets.person(姓名="周导入", 入党日期="2015年6月1日", 转正日期="2016/6/2"),
        sheets.person(姓名="吴导入", 身份证号码="3.30203E+17"),
        sheets.person(姓名="郑导入", 所在党组织="孝闻社区党支部"),
    ]
    bad = tmp_path / "党员名册.xlsx"
    bad.write_bytes(sheets.xlsx(rows))
    login(page, w["url"], "alice", PASSWORD)

    page.goto(f"{w['url']}/members/")
    page.get_by_role("link", name="导入", exact=True).click()
    expect(page.get_by_role("heading", name="导入党员名册")).to_be_visible(timeout=30_000)
    _shoot(page, "index-desktop")
    page.get_by_label("名册文件").set_input_files(str(bad))
    page.get_by_role("button", name="上传并检查").click()

    # The check runs within the request: allow for a busy machine.
    expect(page.get_by_test_id("error-rows")).to_have_text("2", timeout=30_000)
    errors = page.get_by_test_id("row-errors")
    expect(errors).to_contain_text("第4行")
    expect(errors).to_contain_text("单元格格式设置为“文本”")
    expect(errors).to_contain_text("第5行")
    expect(errors).to_contain_text("管辖范围内找不到党组织“孝闻社区党支部”")
    expect(page.get_by_role("button", name="确认导入")).to_have_count(0)
    _shoot(page, "errors-desktop")
    errors_url = page.url
    assert not Member.objects.filter(name__endswith="导入").exists()

    # The secretary fixes the two rows in the sheet and uploads it again.
    rows[2]["身份证号码"] = sheets.new_id()
    rows[3]["所在党组织"] = "紫金社区第二党支部"
    good = tmp_path / "党员名册-改.xlsx"
    good.write_bytes(sheets.xlsx(rows))
    page.get_by_role("link", name="重新上传").click()
    page.get_by_label("名册文件").set_input_files(str(good))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_test_id("job-status")).to_contain_text("全部 4 行检查通过", timeout=30_000)
    expect(page.get_by_test_id("to-create")).to_have_text("4")
    _shoot(page, "ready-desktop")
    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("job-status")).to_contain_text(
        "导入完成：新增 4 名党员", timeout=30_000
    )
    assert Member.objects.filter(name__endswith="导入").count() == 4

    page.get_by_role("link", name="查看党员名册").click()
    table = page.locator("#member-rows")
    for name in ("陈导入", "周导入", "吴导入", "郑导入"):
        expect(table.get_by_role("link", name=name)).to_be_visible()

    # The same pages at 375 px: nothing scrolls sideways.
    phone = new_context(PHONE).new_page()
    login(phone, w["url"], "alice", PASSWORD)
    for name, path in (("index", "/rosters/"), ("errors", errors_url)):
        phone.goto(path if path.startswith("http") else f"{w['url']}{path}")
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        _shoot(phone, f"{name}-phone")


def test_a_secretarys_own_file_goes_to_the_chosen_branch(
    page: Page, e2e_world, tmp_path, new_context
):
    """Bob, branch A1's secretary, uploads his branch's own 花名册: no 所在党组织, 学历 or 民族
    column. One row's 性别 contradicts its ID number; once fixed, the file passes with a
    warning for a 预备党员 whose year ran out, and imports into his branch."""
    from tongxin.core import idnumber

    w = e2e_world
    header = ["姓名", "公民身份号码", "性别", "入党时间", "转正时间", "人员类别", "联系电话"]

    def person(name: str, **over: str) -> dict[str, str]:
        number = sheets.new_id()
        sex = "男" if idnumber.parse(number).gender == "M" else "女"
        return {
            "姓名": name,
            "公民身份号码": number,
            "性别": sex,
            "入党时间": "2012-06-01",
            "转正时间": "2013-06-01",
            "人员类别": "正式党员",
            "联系电话": "",
            **over,
        }

    rows = [
        person("钱书记名册"),
        person("孙书记名册"),
        person("李预备", 人员类别="预备党员", 入党时间="2019-07-01", 转正时间=""),
    ]
    rows[1]["性别"] = "女" if rows[1]["性别"] == "男" else "男"
    bad = tmp_path / "第一支部花名册.xlsx"
    bad.write_bytes(sheets.xlsx(rows, header))
    login(page, w["url"], "bob", PASSWORD)
    page.goto(f"{w['url']}/rosters/")
    expect(page.get_by_test_id("import-org")).to_have_value(str(w["branch_a1"].pk))
    _shoot(page, "secretary-index-desktop")
    page.get_by_label("名册文件").set_input_files(str(bad))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_test_id("error-rows")).to_have_text("1", timeout=30_000)
    expect(page.get_by_test_id("row-errors")).to_contain_text("第3行")
    expect(page.get_by_test_id("row-errors")).to_contain_text("但身份证号码显示为")
    _shoot(page, "secretary-errors-desktop")

    rows[1]["性别"] = "女" if rows[1]["性别"] == "男" else "男"
    good = tmp_path / "第一支部花名册-改.xlsx"
    good.write_bytes(sheets.xlsx(rows, header))
    page.get_by_role("link", name="重新上传").click()
    page.get_by_label("名册文件").set_input_files(str(good))
    page.get_by_role("button", name="上传并检查").click()
    expect(page.get_by_test_id("job-status")).to_contain_text("全部 3 行检查通过", timeout=30_000)
    expect(page.get_by_test_id("job-target")).to_contain_text("导入到：紫金社区第一党支部")
    expect(page.get_by_test_id("row-warnings")).to_contain_text("预备期已于2020-07-01期满")
    _shoot(page, "secretary-check-desktop")
    check_url = page.url

    phone = new_context(PHONE).new_page()
    login(phone, w["url"], "bob", PASSWORD)
    for name, path in (("index", f"{w['url']}/rosters/"), ("check", check_url)):
        phone.goto(path)
        assert phone.evaluate("document.documentElement.scrollWidth") <= 375
        _shoot(phone, f"secretary-{name}-phone")

    page.get_by_role("button", name="确认导入").click()
    expect(page.get_by_test_id("job-status")).to_contain_text(
        "导入完成：新增 3 名党员", timeout=30_000
    )
    members = Member.objects.filter(name__in=[r["姓名"] for r in rows])
    assert {(m.org_id, m.education, m.ethnicity) for m in members} == {(w["branch_a1"].pk, "", "")}

    # The coverage audit lists the 预备党员 whose year ran out, with the link to record 转正.
    page.goto(f"{w['url']}/grids/coverage/?cat=overdue_probation")
    expect(page.get_by_test_id("count-overdue_probation")).to_have_text("1")
    item = page.locator("li.list-group-item", has_text="李预备")
    expect(item).to_contain_text("2019-07-01入党，预备期2020-07-01期满")
    expect(item.get_by_role("link", name="核实转正")).to_be_visible()
    _shoot(page, "secretary-coverage-desktop")
    phone.goto(f"{w['url']}/grids/coverage/?cat=overdue_probation")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    _shoot(phone, "secretary-coverage-phone")
