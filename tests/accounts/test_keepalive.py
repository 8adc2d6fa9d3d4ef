"""The session-timeout warning's 继续使用: a POST that refreshes the 30-minute idle expiry."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone


def test_keepalive_extends_a_signed_in_session(world, client_for):
    client = client_for(world["alice"])
    key = client.session.session_key
    # The last request was 25 minutes ago: five minutes left.
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    r = client.post("/accounts/keepalive/")
    assert r.status_code == 204
    assert r["Cache-Control"].startswith("max-age=0")
    left = Session.objects.get(pk=key).expire_date - timezone.now()
    assert left > timedelta(seconds=settings.SESSION_COOKIE_AGE - 60)
    assert r.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE


def test_keepalive_without_a_session_answers_401_not_a_login_page(client, db):
    r = client.post("/accounts/keepalive/")
    assert r.status_code == 401
    assert "Location" not in r


def test_keepalive_is_post_only(world, client_for):
    client = client_for(world["alice"])
    assert client.get("/accounts/keepalive/").status_code == 405


def test_signed_in_pages_carry_the_timeout_warning_and_signed_out_pages_do_not(
    world, client_for, client
):
    page = client.get("/accounts/login/").content.decode()
    assert 'id="tx-timeout"' not in page
    page = client_for(world["alice"]).get("/").content.decode()
    assert f'data-age="{settings.SESSION_COOKIE_AGE}"' in page
    assert 'data-keepalive="/accounts/keepalive/"' in page
