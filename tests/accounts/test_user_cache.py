"""The signed-in user kept in the shared cache (TONGXIN_SESSIONS=cache, a cluster): one read of
the user per minute, dropped at once when the user is saved, refused once deactivated."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tongxin.accounts.backends import KEY, AccountBackend

BACKEND = "tongxin.accounts.backends.AccountBackend"


@pytest.fixture
def user_cache(settings):
    settings.TONGXIN_USER_CACHE_SECONDS = 60
    cache.clear()
    yield
    cache.clear()


def _user_reads(queries) -> int:
    return sum('"accounts_user"' in q["sql"] and q["sql"].startswith("SELECT") for q in queries)


def test_the_second_request_reads_the_user_from_the_cache(world, user_cache):
    client = Client()
    client.force_login(world["alice"], backend=BACKEND)
    with CaptureQueriesContext(connection) as first:
        assert client.get("/members/").status_code == 200
    with CaptureQueriesContext(connection) as second:
        assert client.get("/members/").status_code == 200
    assert _user_reads(first.captured_queries) >= 1
    assert _user_reads(second.captured_queries) == 0


def test_saving_the_user_drops_it_from_the_cache(world, user_cache):
    backend = AccountBackend()
    alice = world["alice"]
    assert backend.get_user(alice.pk) is not None
    assert cache.get(KEY.format(alice.pk)) is not None
    alice.is_active = False
    alice.save(update_fields=["is_active"])
    assert cache.get(KEY.format(alice.pk)) is None
    assert backend.get_user(alice.pk) is None


def test_a_deactivated_user_is_signed_out_on_the_next_request(world, user_cache):
    client = Client()
    client.force_login(world["alice"], backend=BACKEND)
    assert client.get("/members/").status_code == 200
    world["alice"].is_active = False
    world["alice"].save()
    response = client.get("/members/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_without_the_setting_every_request_reads_the_user(world, settings):
    settings.TONGXIN_USER_CACHE_SECONDS = 0
    client = Client()
    client.force_login(world["alice"], backend=BACKEND)
    client.get("/members/")
    with CaptureQueriesContext(connection) as again:
        assert client.get("/members/").status_code == 200
    assert _user_reads(again.captured_queries) == 1
    assert cache.get(KEY.format(world["alice"].pk)) is None


def test_cache_sessions_without_redis_refuse_to_start(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "TONGXIN_REDIS_URL"}
    env.update(TONGXIN_SESSIONS="cache", DJANGO_SETTINGS_MODULE="config.settings")
    proc = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
    )
    assert proc.returncode != 0
    assert "TONGXIN_SESSIONS=cache needs TONGXIN_REDIS_URL" in proc.stderr
