from __future__ import annotations

import pytest

from tests import factories


@pytest.fixture
def world(db):  # type: ignore[no-untyped-def]
    return factories.make_world()


@pytest.fixture
def client_for(client):  # type: ignore[no-untyped-def]
    """Log the test client in as a user: client_for(world["alice"])."""

    def login(user):  # type: ignore[no-untyped-def]
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return login


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):  # type: ignore[no-untyped-def]
    # Argon2 at Django's defaults takes a large fraction of a second per user; tests need no
    # resistance to brute force (login, lockout and validators behave the same with MD5).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _uploads_in_tmp(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.UPLOAD_ROOT = tmp_path / "uploads"
