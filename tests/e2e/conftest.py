"""Real-browser tests: pytest-django's live_server + Playwright driving Debian's headless Chromium.

Playwright's sync API runs an event loop in the test thread, so Django's ORM would refuse to run
from the test body (SynchronousOnlyOperation) without DJANGO_ALLOW_ASYNC_UNSAFE.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from tests import factories
from tests.e2e.browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP


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
def new_context(browser: Browser) -> Iterator:  # type: ignore[type-arg]
    """new_context(viewport) -> a fresh browser context (own cookies), closed after the test."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] = DESKTOP) -> BrowserContext:
        ctx = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai")
        ctx.set_default_timeout(10_000)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()


@pytest.fixture
def page(new_context) -> Page:  # type: ignore[no-untyped-def]
    return new_context(DESKTOP).new_page()


@pytest.fixture
def e2e_world(transactional_db, live_server) -> dict:  # type: ignore[no-untyped-def, type-arg]
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
