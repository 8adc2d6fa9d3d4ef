"""Every main page at desktop width and at 375 px, saved for a person to look at
(test-artifacts/screenshots/, git-ignored); at 375 px no page may scroll sideways."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.browser import DESKTOP, PHONE, SCREENSHOTS, login
from tests.factories import PASSWORD

pytestmark = pytest.mark.e2e


def _pages(w: dict) -> list[tuple[str, str, str]]:
    """(name, path, heading) of each page, as alice (street A) sees it."""
    branch, member = w["branch_a1"], w["m_a1"]
    return [
        ("dashboard", "/", "工作台"),
        ("org-tree", "/orgs/", "党组织"),
        ("org-detail", f"/orgs/{branch.pk}/", branch.name),
        ("member-list", "/members/", "党员名册"),
        ("member-detail", f"/members/{member.pk}/", member.name),
        ("member-form", f"/members/new/?org={branch.pk}", "登记党员"),
    ]


def _shoot(page: Page, name: str, label: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{name}-{label}.png", full_page=True)


def _scroll_width(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


@pytest.mark.parametrize(
    ("label", "viewport"), [("desktop", DESKTOP), ("phone", PHONE)], ids=["1280", "375"]
)
def test_pages_render_and_fit(new_context, e2e_world, label, viewport):
    w = e2e_world
    page = new_context(viewport).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    # CSP violations and script errors show up in the console; failed loads are checked by URL.
    page.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not m.text.startswith("Failed to load resource")
            else None
        ),
    )
    # The browser asks for /favicon.ico on its own; the pages do not link one.
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}")
            if r.status >= 400 and not r.url.endswith("/favicon.ico")
            else None
        ),
    )
    too_wide: dict[str, int] = {}

    page.goto(f"{w['url']}/accounts/login/")
    expect(page.get_by_role("button", name="登录")).to_be_visible()
    _shoot(page, "login", label)
    if viewport is PHONE and _scroll_width(page) > PHONE["width"] + 1:
        too_wide["login"] = _scroll_width(page)

    login(page, w["url"], "alice", PASSWORD)
    for name, path, heading in _pages(w):
        response = page.goto(w["url"] + path)
        assert response is not None and response.status == 200, name
        expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()
        page.wait_for_load_state("networkidle")
        _shoot(page, name, label)
        if viewport is PHONE and _scroll_width(page) > PHONE["width"] + 1:
            too_wide[name] = _scroll_width(page)

    assert not too_wide, f"pages wider than 375 px (scrollWidth): {too_wide}"
    assert not errors, f"browser errors: {errors}"
