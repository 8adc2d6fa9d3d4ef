"""The 30-minute idle expiry is pushed back at most once a minute (SessionRefreshMiddleware),
not written on every request; an empty session is never written."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tongxin.core.middleware import REFRESHED_KEY


def _session_writes(ctx: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in ctx.captured_queries
        if "django_session" in q["sql"] and not q["sql"].startswith("SELECT")
    ]


def test_a_request_within_the_minute_writes_no_session(world, client_for):
    client = client_for(world["alice"])
    client.get("/accounts/login/")  # the first request stamps the session
    with CaptureQueriesContext(connection) as ctx:
        r = client.get("/accounts/login/")
    assert _session_writes(ctx) == []
    assert "sessionid" not in r.cookies


def test_a_request_after_the_minute_pushes_the_expiry_back(world, client_for):
    client = client_for(world["alice"])
    session = client.session
    session[REFRESHED_KEY] = 0  # the last push was long ago
    session.save()
    key = session.session_key
    Session.objects.filter(pk=key).update(expire_date=timezone.now() + timedelta(minutes=5))
    r = client.get("/accounts/login/")
    left = Session.objects.get(pk=key).expire_date - timezone.now()
    assert left > timedelta(minutes=29)
    assert r.cookies["sessionid"]["max-age"] == 30 * 60


def test_a_visitor_and_a_signed_out_session_are_never_written(world, client_for, client):
    client.get("/accounts/login/")
    assert not Session.objects.exists()
    c = client_for(world["alice"])
    c.post("/accounts/logout/")
    c.get("/accounts/login/")
    assert not Session.objects.exists()
