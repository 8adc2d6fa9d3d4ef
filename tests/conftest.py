from __future__ import annotations

import pytest
from django.core.servers.basehttp import WSGIServer
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


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 at Django's defaults takes a large fraction of a second per user; tests need no
    # resistance to brute force (login, lockout and validators behave the same with MD5).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
