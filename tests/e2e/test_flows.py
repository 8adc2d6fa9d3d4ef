"""The critical flows, in a real browser: a street secretary finds a member and reveals the ID
number (and the reveal is audited); a stranger sees nothing of another street; a wrong password
is explained in Chinese."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import SCREENSHOTS, login
from tests.factories import PASSWORD
from tongxin.core.models import AuditLog

pytestmark = pytest.mark.e2e


def test_alice_finds_a_member_and_reveals_the_id_number(page: Page, e2e_world):
    w = e2e_world
    login(page, w["url"], "alice", PASSWORD)

    # 工作台: street A has 5 organizations and 3 members (street B is not hers).
    expect(page.get_by_role("heading", name="工作台")).to_be_visible()
    expect(page.get_by_test_id("org-total")).to_have_text("5")
    expect(page.get_by_test_id("member-total")).to_have_text("3")

    page.get_by_role("link", name="组织", exact=True).click()
    expect(page.get_by_role("heading", name="党组织")).to_be_visible()
    tree = page.locator(".tx-tree")
    expect(tree.get_by_role("link", name="南门街道党工委")).to_be_visible()
    expect(tree.get_by_text("鼓楼街道党工委")).to_have_count(0)

    # Children load lazily: nothing below the street until its node is opened.
    expect(tree.get_by_role("link", name="紫金社区党委")).to_have_count(0)
    street = tree.locator("li", has=page.get_by_role("link", name="南门街道党工委")).first
    # the disclosure triangle beside the link
    street.locator(":scope > details > summary").click(position={"x": 5, "y": 10})
    expect(tree.get_by_role("link", name="紫金社区党委")).to_be_visible()
    community = tree.locator("li", has=page.get_by_role("link", name="紫金社区党委")).last
    community.locator(":scope > details > summary").click(position={"x": 5, "y": 10})
    expect(tree.get_by_role("link", name="紫金社区第一党支部")).to_be_visible()
    expect(tree.get_by_role("link", name="紫金社区第二党支部")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "org-tree-expanded-desktop.png", full_page=True)

    tree.get_by_role("link", name="紫金社区第一党支部").click()
    expect(page.get_by_role("heading", name="紫金社区第一党支部")).to_be_visible()
    members = page.locator("table.tx-table")
    expect(members.get_by_role("link", name="张红")).to_be_visible()
    expect(members.get_by_role("link", name="李明")).to_be_visible()
    expect(members.get_by_role("link", name="王芳")).to_have_count(0)

    members.get_by_role("link", name="张红").click()
    expect(page.get_by_role("heading", name="张红")).to_be_visible()
    clear = w["m_a1"].reveal_id_number()
    masked = page.get_by_test_id("masked-id")
    expect(masked).to_have_text(re.compile(r"^\d{4}\*{10}\d{3}[\dX]$"))
    assert clear not in page.content()

    page.locator("#pii-id_number").get_by_role("button", name="查看完整号码").click()
    expect(page.get_by_test_id("revealed")).to_have_text(clear)
    assert re.fullmatch(r"\d{17}[\dX]", clear)
    page.screenshot(path=SCREENSHOTS / "member-detail-revealed-desktop.png", full_page=True)
    assert AuditLog.objects.filter(
        action="members.reveal_pii", actor=w["alice"], object_id=str(w["m_a1"].pk)
    ).exists()


def test_charlie_cannot_see_alices_members(page: Page, e2e_world):
    w = e2e_world
    login(page, w["url"], "charlie", PASSWORD)
    expect(page.get_by_test_id("member-total")).to_have_text("1")

    response = page.goto(f"{w['url']}/members/{w['m_a1'].pk}/")
    assert response is not None and response.status == 404
    expect(page.locator("body")).not_to_contain_text("张红")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "not-found-desktop.png", full_page=True)

    response = page.goto(f"{w['url']}/orgs/{w['branch_a1'].pk}/")
    assert response is not None and response.status == 404

    page.goto(f"{w['url']}/members/")
    expect(page.get_by_role("heading", name="党员名册")).to_be_visible()
    roster = page.locator("#member-rows")
    expect(roster.get_by_role("link", name="赵刚")).to_be_visible()
    for name in ("张红", "李明", "王芳"):
        expect(roster).not_to_contain_text(name)
    assert not AuditLog.objects.filter(action="members.reveal_pii").exists()


def test_wrong_password_is_explained_in_chinese(page: Page, e2e_world):
    login(page, e2e_world["url"], "alice", password="not-the-password")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确，请重新输入。")
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    expect(page.get_by_label("用户名")).to_have_value("alice")
    expect(page.get_by_test_id("org-total")).to_have_count(0)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "login-error-desktop.png", full_page=True)
