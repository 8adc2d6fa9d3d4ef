from __future__ import annotations

from collections.abc import Iterator
from io import StringIO
from typing import Any

import pytest
from django.core.servers.basehttp import WSGIServer
from django.db import transaction
from django.test import override_settings
from django.test.testcases import LiveServerThread

from tests import factories


@pytest.fixture
def world(db):
    return factories.make_world()


@pytest.fixture
def client_for(client):
    """Log the test client in as a user: client_for(world["alice"])."""

    def login(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


@pytest.fixture(autouse=True)
def _fresh_cache():
    # Each test starts with an empty cache: the 工作台's module panels keep their figures for a
    # minute and rate limits count per key, and ids repeat between tests.
    from django.core.cache import cache

    cache.clear()


FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 at Django's defaults takes a large fraction of a second per user; tests need no
    # resistance to brute force (login, lockout and validators behave the same with MD5).
    settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(autouse=True)
def _data_migration_rows_after_a_flush(request, django_db_blocker):
    """A transactional test (a real browser's, say) flushes every table when it ends, the rows
    the data migrations loaded (roles, case categories, meeting rules …) with them. Put them
    back at once, so that whatever test runs next in this process finds them (set up before
    transactional_db, this is torn down after its flush)."""
    yield
    marker = request.node.get_closest_marker("django_db")
    transactional = (
        "transactional_db" in request.fixturenames
        or "live_server" in request.fixturenames
        or (marker is not None and marker.kwargs.get("transaction", False))
    )
    if transactional:
        with django_db_blocker.unblock():
            factories.restore_data_migration_rows()


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"


class _SerialWSGIServer(WSGIServer):
    """The live server answers one request at a time. On SQLite the test database is one
    in-memory connection shared with the server's threads: two requests at once (a page and the
    browser's /favicon.ico, or two browser contexts) would interleave their transactions on it
    ("cannot start a transaction within a transaction"). Django closes every connection of a
    non-threaded server after its response, so browsers never wait on a kept-alive socket."""

    def __init__(self, *args, connections_override=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.connections_override = connections_override


LiveServerThread.server_class = _SerialWSGIServer


# ---------------------------------------------------------------------------------------------
# The demo town, loaded once for every test that reads it.
#
# Loading the town takes most of a minute, and a dozen modules test what the demo holds. The
# town is loaded inside a transaction that stays open while the tests that ask for it run (each
# test in its own savepoint, rolled back after it) and is rolled back before any other test
# runs, so no other test ever sees it. The modules that ask for it run last (see
# pytest_collection_modifyitems), one after another, so the town is loaded once per process.
# A module whose tests read the town must not hold tests that expect an empty database.

_TOWN_FIXTURE = "_demo_town_loaded"


class _SharedTown:
    atomic: Any = None
    output = ""
    keep = False  # the next test reads the town too: keep it through this module's teardown


_TOWN = _SharedTown()


class DemoTown(dict):
    """The demo users by username (residents named demo_res_* left out), and what the demo
    command printed while it loaded the town."""

    output: str = ""


def _close_town() -> None:
    if _TOWN.atomic is not None:
        atomic, _TOWN.atomic, _TOWN.output = _TOWN.atomic, None, ""
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture(scope="module")
def _demo_town_loaded(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    from django.core.management import call_command

    with django_db_blocker.unblock():
        if _TOWN.atomic is None:
            # Whatever ran before may have flushed the tables (a transactional test the
            # teardown above did not recognise): the town needs the roles and rules back.
            factories.restore_data_migration_rows()
            atomic = transaction.atomic()
            atomic.__enter__()
            _TOWN.atomic = atomic
            out = StringIO()
            try:
                # The demo users' passwords hashed as every test checks them (see above).
                with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                    call_command("demo", "--scale", "town", "--seed", "1", stdout=out)
            except BaseException:
                _close_town()
                raise
            _TOWN.output = out.getvalue()
    yield _TOWN.output
    if not _TOWN.keep:
        with django_db_blocker.unblock():
            _close_town()


@pytest.fixture
def demo_town(_demo_town_loaded: str, db: Any) -> DemoTown:
    """The demo town (seed 1) as `manage.py demo --scale town` loads it; the test runs in a
    savepoint inside it. Users are read afresh for each test."""
    from tongxin.accounts.models import User

    town = DemoTown(
        (u.username, u)
        for u in User.objects.select_related("member").exclude(username__startswith="demo_res_")
    )
    town.output = _demo_town_loaded
    return town


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> None:
    _TOWN.keep = nextitem is not None and _TOWN_FIXTURE in getattr(nextitem, "fixturenames", ())


def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    # Every module with a test of the demo town moves, whole and in its order, to the end.
    town_modules = {
        item.module.__name__
        for item in items
        if _TOWN_FIXTURE in getattr(item, "fixturenames", ()) and hasattr(item, "module")
    }
    items.sort(
        key=lambda item: (
            getattr(item, "module", None).__name__ in town_modules
            if hasattr(item, "module")
            else False
        )
    )
