"""小微权力 in a real browser: a community's power (最低生活保障申请) is exercised through its
flow. The staff desktop refuses to end its 公示 early, naming the day it ends; a resident objects
on the phone during the 公示; once the 公示 has run (its start moved back in the test, no
sleeping) the unanswered objection still blocks it; answered, the flow goes on, each step with
its required document, and the public register shows the instance done — with the applicant's
name masked."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD
from tests.powers.conftest import RELIEF, back_date, walk_to_publicity
from tests.sharing.conftest import make_resident
from tests.stranger_setup import scope_of
from tongxin.powers import services
from tongxin.powers.models import InstanceStatus, PowerInstance, PowerItem

pytestmark = pytest.mark.e2e

PDF = {"name": "scan.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n% e2e\n"}


def test_a_power_refuses_to_skip_its_publicity_then_completes(new_context, e2e_world):
    w = e2e_world
    alice = w["alice"]
    services.catalogue_load(
        scope=scope_of(alice), actor=alice, area=w["comm_a"], org=w["comm_a_org"]
    )
    w["relief"] = PowerItem.objects.get(area=w["comm_a"], name=RELIEF)
    make_resident("ann", "林安", w["compound_a"], "13900001111")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    staff: Page = new_context(DESKTOP).new_page()
    login(staff, w["url"], "alice", PASSWORD)
    staff.goto(f"{w['url']}/powers/items/{w['relief'].pk}/")
    expect(staff.get_by_test_id("flow-step")).to_have_count(6)
    staff.get_by_label("事由").fill("2026年第12号低保申请")
    staff.get_by_label("申请人").fill("王建国")
    staff.get_by_role("button", name="登记").click()
    expect(staff.get_by_test_id("instance-status")).to_have_text("草稿")
    staff.get_by_test_id("start").click()
    expect(staff.get_by_test_id("instance-status")).to_have_text("办理中")
    inst = PowerInstance.objects.get(title="2026年第12号低保申请")

    # The first three steps (申请, 入户调查, 民主评议) with their documents, as the service does.
    inst = walk_to_publicity(w, inst)
    staff.reload()
    expect(staff.get_by_test_id("advance")).to_have_text("完成“评议公示”")
    staff.get_by_test_id("advance").click()
    expect(staff.locator(".alert-danger")).to_contain_text("公示期未满")
    expect(staff.locator(".alert-danger")).to_contain_text("须公示7天")
    staff.screenshot(path=SCREENSHOTS / "powers-publicity-refused-desktop.png", full_page=True)
    inst.refresh_from_db()
    assert inst.done_steps == 3

    phone: Page = new_context(PHONE).new_page()
    login(phone, w["url"], "ann", PASSWORD)
    phone.goto(f"{w['url']}/powers/public/instances/{inst.pk}/")
    expect(phone.get_by_test_id("publicity-notice")).to_be_visible()
    expect(phone.locator("main")).not_to_contain_text("王建国")
    phone.get_by_label("异议内容").fill("申请人家里开着小卖部，收入是否如实？")
    phone.get_by_role("button", name="提出异议").click()
    expect(phone.locator("body")).to_contain_text("您的异议已提交")
    phone.screenshot(path=SCREENSHOTS / "powers-objection-phone.png", full_page=True)

    back_date(inst, 7)  # the 公示 has now run its seven days
    staff.reload()
    staff.get_by_test_id("advance").click()
    expect(staff.locator(".alert-danger")).to_contain_text("1条异议尚未答复")
    staff.get_by_label("答复").fill("经入户核实，小卖部已于去年关闭，收入如实。")
    staff.get_by_role("button", name="答复", exact=True).click()
    expect(staff.get_by_test_id("objections")).to_contain_text("小卖部已于去年关闭")
    staff.get_by_test_id("advance").click()
    expect(staff.locator(".alert-success")).to_contain_text("“评议公示”已办理")

    for document, step in (("审批表", "报镇街审批"), ("发放签收单", "发放到户")):
        staff.get_by_label("材料").select_option(document)
        staff.get_by_label("文件（图片或 PDF，10 MB 以内）").set_input_files(files=[PDF])
        staff.get_by_role("button", name="上传材料").click()
        expect(staff.locator(".alert-success")).to_contain_text("材料已上传")
        staff.get_by_test_id("advance").click()
        expect(staff.locator(".alert-success")).to_contain_text(f"“{step}”已办理")
    expect(staff.get_by_test_id("instance-status")).to_have_text("已办结")
    staff.screenshot(path=SCREENSHOTS / "powers-instance-desktop.png", full_page=True)
    inst.refresh_from_db()
    assert inst.status == InstanceStatus.COMPLETED

    phone.goto(f"{w['url']}/powers/public/?area={w['comm_a'].pk}")
    row = (
        phone.get_by_test_id("public-register")
        .locator("li")
        .filter(has_text="2026年第12号低保申请")
    )
    expect(row).to_contain_text("已办结")
    expect(row).to_contain_text("王**")
    phone.screenshot(path=SCREENSHOTS / "powers-register-phone.png", full_page=True)
    row.get_by_role("link").click()
    expect(phone.get_by_test_id("public-status")).to_have_text("已办结")
    expect(phone.get_by_test_id("flow-step").filter(has_text="已完成")).to_have_count(6)
    phone.screenshot(path=SCREENSHOTS / "powers-public-instance-phone.png", full_page=True)
