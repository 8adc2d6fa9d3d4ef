"""Real-browser tests: pytest-django's live_server + Playwright driving Debian's headless Chromium.

Playwright's sync API runs an event loop in the test thread, so Django's ORM would refuse to run
from the test body (SynchronousOnlyOperation) without DJANGO_ALLOW_ASYNC_UNSAFE.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlsplit

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from playwright.sync_api import Error as PlaywrightError

from tests import factories
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP, PHONE, axe_violations

# Every page an e2e test opens is checked with axe-core (WCAG 2.0/2.1 A and AA) at 1280 and
# 375 px once the test has finished, in the test's own browser context (its login), while the
# test's data is still there. A page is checked once per session whatever its ids (/cases/7/ and
# /cases/8/ are one page). TONGXIN_AXE=0 skips it (.ci/run's second, PostgreSQL run of the suite).
AXE_ON = os.environ.get("TONGXIN_AXE", "1") != "0"
_AXE_SKIP = re.compile(r"^/(admin|api|static|open311)/|\.(ics|csv|xlsx|json|pdf|png|svg)$")
_axe_seen: set[str] = set()


def _axe_key(url: str) -> str:
    parts = urlsplit(url)
    path = re.sub(r"/\d+(?=/|$)", "/<n>", parts.path)
    keys = sorted({k for k, _ in parse_qsl(parts.query)} - {"page", "month"})
    return path + ("?" + "&".join(keys) if keys else "")


def _check_visited(ctx: BrowserContext, urls: list[str], origin: str) -> list[str]:
    problems: list[str] = []
    todo = []
    for url in urls:
        key = _axe_key(url)
        if (
            url.startswith(origin)
            and not _AXE_SKIP.search(urlsplit(url).path)
            and key not in _axe_seen
        ):
            _axe_seen.add(key)
            todo.append(url)
    if not todo:
        return problems
    page = ctx.new_page()
    for url in todo:
        for viewport in (DESKTOP, PHONE):
            page.set_viewport_size(viewport)
            try:
                response = page.goto(url, wait_until="networkidle")
            except PlaywrightError:
                break  # gone since the test saw it (an empty 404 once the test deleted it)
            if response is None or "html" not in (response.headers.get("content-type") or ""):
                break
            _axe_seen.add(_axe_key(page.url))
            problems += [f"{url} at {viewport['width']} px: {v}" for v in axe_violations(page)]
    page.close()
    return problems


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    # A missing browser is a failure, not a skip: CI must really run these flows.
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"{CHROMIUM} not found: install Debian's chromium (apt-get install chromium)")
    b = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
    yield b
    b.close()


@pytest.fixture
def new_context(browser: Browser, transactional_db, live_server) -> Iterator:
    """new_context(viewport) -> a fresh browser context (own cookies), closed after the test,
    after axe has checked the pages it visited (transactional_db: before the data is flushed)."""
    contexts: list[tuple[BrowserContext, list[str]]] = []

    def make(viewport: dict[str, int] = DESKTOP) -> BrowserContext:
        ctx = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        ctx.set_default_timeout(10_000)
        visited: list[str] = []
        # Only note the address here: a handler must not drive the browser (sync API).
        ctx.on(
            "page",
            lambda p: p.on(
                "framenavigated",
                lambda f: visited.append(f.url) if f.parent_frame is None else None,
            ),
        )
        contexts.append((ctx, visited))
        return ctx

    yield make
    problems: list[str] = []
    try:
        if AXE_ON:
            for ctx, visited in contexts:
                problems += _check_visited(ctx, visited, live_server.url)
    finally:
        for ctx, _ in contexts:
            ctx.close()
    if problems:
        pytest.fail("axe-core found WCAG 2.1 A/AA violations:\n" + "\n".join(problems))


@pytest.fixture
def page(new_context) -> Page:
    return new_context(DESKTOP).new_page()


@pytest.fixture
def e2e_world(transactional_db, live_server) -> dict:
    """make_world() committed to the database the live server reads.

    transactional_db flushes every table after each test, including the Role rows the data
    migration loaded, so put them back first (idempotent)."""
    from tongxin.accounts.models import Role
    from tongxin.core.permissions import DEFAULT_ROLES

    for code, (name, perms) in DEFAULT_ROLES.items():
        Role.objects.update_or_create(code=code, defaults={"name": name, "permissions": perms})
    world = factories.make_world()
    world["url"] = live_server.url
    return world
