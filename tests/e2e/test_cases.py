"""A resident's report travels grid → street → department → back to the resident, in Chromium:
the resident reports on a phone (375 px) with a photo, the grid worker sees it, the street
accepts and dispatches, the department claims and resolves, the street verifies and closes,
and the resident sees the result and rates it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests import factories
from tests.cases.conftest import ensure_defaults
from tests.e2e.browser import PHONE, SCREENSHOTS, act, login
from tests.factories import PASSWORD
from tongxin.accounts.models import Resident
from tongxin.cases.models import Agency, AgencyMember, Case

pytestmark = pytest.mark.e2e

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00"
    b"\x00\x00\x00IEND\xaeB`\x82"
)


def open_page(new_context, viewport=None):
    # A shared 2-core machine can be slow: more patience than the default 10 s.
    ctx = new_context(viewport) if viewport else new_context()
    ctx.set_default_timeout(30_000)
    return ctx.new_page()


def test_resident_report_travels_and_comes_back(new_context, e2e_world, tmp_path):
    w = e2e_world
    url = w["url"]
    ensure_defaults()
    from tongxin.geo.models import AreaLevel

    factories.user("grace", "grid_worker", area=w["comm_a"])
    dan = factories.user("dan", "department", area=w["city_a"])
    AgencyMember.objects.create(user=dan, agency=Agency.objects.get(code="chengguan"))
    rita = factories.user("rita")
    Resident.objects.create(user=rita, name="居民丽塔", home=w["compound_a"])
    factories.area("紫金花园二期", AreaLevel.COMPOUND, w["comm_a"])
    photo = tmp_path / "garbage.png"
    photo.write_bytes(PNG)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # 1. the resident reports on a phone
    phone = open_page(new_context, PHONE)
    login(phone, url, "rita", PASSWORD)
    phone.goto(f"{url}/cases/report/")
    phone.get_by_label("什么问题").select_option(label="环境卫生")
    phone.get_by_label("在哪里").select_option(label="紫金花园")
    phone.get_by_label("具体位置").fill("北门")
    phone.get_by_label("问题描述").fill("北门垃圾桶满了三天没人清运，气味很大。")
    phone.get_by_label("照片（可选，最多6张）").set_input_files(str(photo))
    phone.screenshot(path=SCREENSHOTS / "cases-report-phone.png", full_page=True)
    phone.get_by_role("button", name="提交").click()
    expect(phone.get_by_test_id("case-state")).to_have_text("待受理")
    code = phone.get_by_test_id("tracking-code").inner_text()
    case = Case.objects.get(tracking_code=code)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    # 2. the grid worker sees it in the community
    grid = open_page(new_context)
    login(grid, url, "grace", PASSWORD)
    grid.goto(f"{url}/cases/")
    expect(grid.get_by_text(code)).to_be_visible()

    # 3. the street accepts and dispatches to 城管
    street = open_page(new_context)
    login(street, url, "alice", PASSWORD)
    street.goto(f"{url}/cases/?inbox=accept")
    street.get_by_text(code).click()
    expect(
        street.get_by_role("heading", name="北门垃圾桶满了三天没人清运，气味很大。")
    ).to_be_visible()
    expect(street.locator("img.img-thumbnail")).to_have_count(1)
    act(street, url, case.pk, "受理")
    street.get_by_label("处置部门（派遣时）").select_option(label="城管")
    street.get_by_test_id("actions").get_by_role("button", name="派遣").click()
    expect(street.get_by_test_id("case-state")).to_have_text("已派遣")

    # 4. the department claims (部门报到) and resolves
    dept = open_page(new_context)
    login(dept, url, "dan", PASSWORD)
    dept.goto(f"{url}/cases/?inbox=claim")
    dept.get_by_text(code).click()
    act(dept, url, case.pk, "部门报到")
    act(
        dept,
        url,
        case.pk,
        "办结",
        note="清运车辆周三调度，费用计入片区包干。",
        reply="垃圾已清运完毕，感谢您的反映。",
    )

    # 5. the street verifies and closes
    act(street, url, case.pk, "核查通过")
    act(street, url, case.pk, "结案")
    street.screenshot(path=SCREENSHOTS / "cases-detail-closed-desktop.png", full_page=True)
    timeline = street.get_by_test_id("timeline")
    steps = [
        t.split("·")[0].strip() for t in timeline.locator("li > div.fw-semibold").all_inner_texts()
    ]
    assert steps == ["上报", "受理", "派遣", "部门报到", "办结", "核查通过", "结案"]

    # 6. back to the resident: the result, then a rating
    phone.goto(f"{url}/cases/mine/{case.pk}/")
    expect(phone.get_by_test_id("case-state")).to_have_text("已结案")
    # The public reply, never the department's internal note.
    expect(phone.get_by_test_id("status-note")).to_have_text(
        "最新答复：垃圾已清运完毕，感谢您的反映。"
    )
    expect(phone.get_by_text("费用计入片区包干", exact=False)).to_have_count(0)
    phone.locator("label[for=star5]").click()
    phone.get_by_role("button", name="提交评价").click()
    expect(phone.get_by_text("感谢您的评价。")).to_be_visible()
    phone.screenshot(path=SCREENSHOTS / "cases-rated-phone.png", full_page=True)
    case.refresh_from_db()
    assert (case.state, case.rating) == ("closed", 5)

    # a stranger (charlie, street B) finds nothing
    stranger = open_page(new_context)
    login(stranger, url, "charlie", PASSWORD)
    resp = stranger.goto(f"{url}/cases/{case.pk}/")
    assert resp is not None and resp.status == 404
