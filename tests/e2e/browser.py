"""How the e2e tests launch a browser: Debian's Chromium, headless, never a downloaded build."""

from __future__ import annotations

import os
from pathlib import Path

from playwright.sync_api import Page, expect

CHROMIUM = os.environ.get("TONGXIN_CHROMIUM", "/usr/bin/chromium")
# No internet here: never `playwright install`; launch the distribution's Chromium instead.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}

# axe-core from npm (tools/frontend/package.json), vendored: `npm run vendor:axe` there updates it.
AXE_JS = Path(__file__).resolve().parent / "assets" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_axe_source: list[str] = []


def axe_violations(page: Page) -> list[str]:
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on the page; one line per violation.

    page.evaluate is not subject to the page's Content-Security-Policy, which forbids inline
    script: the page needs no change to be checked."""
    if not _axe_source:
        _axe_source.append(AXE_JS.read_text(encoding="utf-8"))
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source[0])
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    lines = []
    for v in result["violations"]:
        targets = "; ".join(" ".join(map(str, n["target"])) for n in v["nodes"][:3])
        more = f" (+{len(v['nodes']) - 3} more)" if len(v["nodes"]) > 3 else ""
        lines.append(f"{v['id']} [{v['impact']}] {v['help']}: {targets}{more}")
    return lines


def login(page: Page, base_url: str, username: str, password: str) -> None:
    """Log in through the login page, as a person would."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state("networkidle")


def act(page: Page, url: str, pk: int, button: str, note: str = "", reply: str = "") -> None:
    """One step on a case page: the internal note and the public reply, then the action's
    button; the page confirms it by the action's name."""
    page.goto(f"{url}/cases/{pk}/")
    if note:
        page.get_by_label("办理说明").fill(note)
    if reply:
        page.get_by_label("答复居民（可选）").fill(reply)
    page.get_by_test_id("actions").get_by_role("button", name=button, exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text(button)
