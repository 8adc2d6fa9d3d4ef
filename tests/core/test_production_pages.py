"""`make run` serves production-like pages (issue 12, item 5): Tongxin's own Chinese error pages,
never Django's debug pages with their list of every route, while still running on the
development keys so that the demo works without configuration."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

ROOT = Path(__file__).resolve().parents[2]


def _make_target_exports(target: str) -> dict[str, str]:
    """The variables a Makefile target exports, as make itself reads them (``-p`` prints its
    database, ``-q`` runs nothing)."""
    out = subprocess.run(
        ["make", "-pq", target], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout
    found = {}
    for line in out.splitlines():
        if line.startswith(f"{target}: TONGXIN_"):
            name, _, value = line.removeprefix(f"{target}: ").partition(" = ")
            found[name] = value.strip()
    return found


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_turns_debug_pages_off_and_keeps_the_development_keys():
    exports = _make_target_exports("run")
    assert exports.get("TONGXIN_DEBUG") == "0"
    assert exports.get("TONGXIN_DEV_KEYS") == "1"
    assert _make_target_exports("dev").get("TONGXIN_DEBUG") == "1"


def test_settings_start_without_debug_on_the_development_keys(tmp_path):
    """Before, TONGXIN_DEBUG=0 refused to start without production keys, so `make run` had to
    run in debug mode."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")}
    env.update(
        TONGXIN_DEBUG="0",
        TONGXIN_DEV_KEYS="1",
        TONGXIN_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SESSION_COOKIE_SECURE, bool(s.SECRET_KEY), bool(s.PII_KEY))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    # Plain-http cookies: a local demo has no TLS, secure-only cookies would never come back.
    assert out.stdout.split() == ["False", "False", "True", "True"]


def test_production_still_refuses_the_development_keys(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TONGXIN_")}
    env.update(TONGXIN_DEBUG="0", TONGXIN_VAR_DIR=str(tmp_path))
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    out = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert out.returncode != 0 and "TONGXIN_SECRET_KEY must be set" in out.stderr


def test_an_out_of_scope_id_gets_the_chinese_404_without_routes(world, client_for, settings):
    settings.DEBUG = False  # as under `make run`
    r = client_for(world["charlie"]).get(f"/members/{world['m_a1'].pk}/")
    body = r.content.decode()
    assert r.status_code == 404 and "页面不存在" in body
    assert "URL patterns" not in body and "api/v1/" not in body and "Django" not in body


def test_unknown_address_gets_the_chinese_404_without_routes(db, settings):
    settings.DEBUG = False
    r = Client().get("/no-such-page/")
    body = r.content.decode()
    assert r.status_code == 404 and "页面不存在" in body and "URL patterns" not in body


@pytest.mark.parametrize("debug", [False, True])
def test_multipart_without_a_boundary_is_a_400_on_pages(world, client_for, settings, debug):
    settings.DEBUG = debug
    r = client_for(world["alice"]).post(
        "/members/", data=b"--x\r\n", content_type="multipart/form-data"
    )
    assert r.status_code == 400
    if not debug:
        assert "请求有误" in r.content.decode()


@pytest.mark.parametrize("debug", [False, True])
def test_multipart_without_a_boundary_is_a_400_in_the_api(world, client_for, settings, debug):
    """Before, the API answered 500 with a traceback under debug."""
    settings.DEBUG = debug
    r = client_for(world["alice"]).post(
        "/api/v1/rosters/imports", data=b"--x\r\n", content_type="multipart/form-data"
    )
    assert r.status_code == 400
    assert r.json()["code"] == "bad_request" and "multipart" in r.json()["message"]


def test_the_500_page_renders_in_chinese_without_a_request_context():
    from django.test import RequestFactory
    from django.views.defaults import server_error

    r = server_error(RequestFactory().get("/"))
    assert r.status_code == 500 and "系统出错" in r.content.decode()
