"""Read-replica routing without a real replica: the settings, the choice, the router.

The real primary and streaming replica are exercised by tests/cluster (``-m cluster``)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError, transaction
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory

from config.replicas import replica_databases
from tongxin.accounts.models import User
from tongxin.core import replica
from tongxin.core.models import AuditLog
from tongxin.members.models import Member

ROOT = Path(__file__).resolve().parents[2]
PG = {"ENGINE": "django.db.backends.postgresql", "NAME": "tongxin", "HOST": "db"}


# --- without the setting nothing changes -----------------------------------------------------


def test_without_the_setting_there_is_no_replica_no_router_no_middleware():
    assert list(settings.DATABASES) == ["default"]
    assert not getattr(settings, "DATABASE_ROUTERS", [])
    assert "tongxin.core.replica.ReplicaMiddleware" not in settings.MIDDLEWARE
    assert replica.replica_aliases() == []


def test_without_the_setting_a_marked_view_runs_once_on_the_primary(rf):
    calls = []

    @replica.reads_from_replica()
    def view(request: HttpRequest) -> HttpResponse:
        calls.append(replica._active.get())
        return HttpResponse("ok")

    response = view(rf.get("/"))
    assert calls == [None]
    assert "X-Tongxin-Data-As-Of" not in response
    with replica.reads_from_replica():
        assert replica._active.get() is None


@pytest.mark.django_db
def test_the_dashboard_shows_no_data_as_of_line_without_replicas(world, client_for):
    response = client_for(world["alice"]).get("/")
    assert response.status_code == 200
    assert b'data-testid="data-as-of"' not in response.content
    assert "X-Tongxin-Data-As-Of" not in response


# --- the setting ---------------------------------------------------------------------------


def test_replica_urls_become_aliases_that_mirror_the_primary_in_tests():
    dbs = replica_databases("postgres://u@r1:5432/tongxin, postgres://u:pw@r2/tongxin", PG)
    assert list(dbs) == ["replica1", "replica2"]
    assert dbs["replica1"]["HOST"] == "r1"
    assert dbs["replica2"]["PASSWORD"] == "pw"
    assert dbs["replica1"]["TEST"] == {"MIRROR": "default"}
    assert dbs["replica1"]["OPTIONS"]["connect_timeout"] == 2
    assert replica_databases("  ", PG) == {}


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("mysql://u@h/db", "is not a PostgreSQL URL"),
        ("r1:5432/tongxin", "is not a PostgreSQL URL"),
        ("postgres://u:secret@/tongxin", "needs a host"),
        ("postgres://u@host", "needs a host and a database name"),
    ],
)
def test_a_malformed_replica_url_is_refused_with_a_clear_message(value, says):
    with pytest.raises(ImproperlyConfigured, match=says) as info:
        replica_databases(value, PG)
    assert "TONGXIN_REPLICA_URL entry 1" in str(info.value)
    assert "secret" not in str(info.value)


def test_replicas_of_a_sqlite_primary_are_refused():
    sqlite = {"ENGINE": "django.db.backends.sqlite3", "NAME": "x"}
    with pytest.raises(ImproperlyConfigured, match="needs a PostgreSQL primary"):
        replica_databases("postgres://u@r1/tongxin", sqlite)


def test_a_malformed_setting_stops_the_start_not_a_later_request():
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/x",
        "TONGXIN_REPLICA_URL": "postgres://postgres@127.0.0.1:5432/x,redis://oops",
    }
    proc = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert "TONGXIN_REPLICA_URL entry 2 ('redis://oops') is not a PostgreSQL URL" in proc.stderr


# --- choosing a replica (a stand-in replica: its health is given, not probed) ---------------


@pytest.fixture
def fake_replica(monkeypatch):
    """One replica, "replica1", whose probe answers what the test sets."""
    state = {"health": None, "probes": 0}

    def probe(alias: str) -> replica.Health:
        state["probes"] += 1
        return state["health"] or replica.Health(
            ok=True, checked=time.monotonic(), lag=0.0, as_of=dt.datetime.now(dt.UTC)
        )

    monkeypatch.setattr(replica, "replica_aliases", lambda: ["replica1"])
    monkeypatch.setattr(replica, "probe", probe)
    replica.forget_health()
    yield state
    replica.forget_health()


def _view(seen: list[str | None]):
    @replica.reads_from_replica()
    def view(request: HttpRequest) -> HttpResponse:
        seen.append(replica._active.get())
        return HttpResponse("ok")

    return view


def test_a_marked_read_goes_to_the_replica_and_records_its_time(fake_replica, rf):
    seen: list[str | None] = []
    state = replica.RequestState()
    token = replica._request_state.set(state)
    try:
        router = replica.ReplicaRouter()

        @replica.reads_from_replica()
        def view(request: HttpRequest) -> HttpResponse:
            seen.append(router.db_for_read(Member))
            seen.append(router.db_for_read(User))  # who is signed in: the primary
            seen.append(router.db_for_read(AuditLog))
            seen.append(router.db_for_write(Member))
            return HttpResponse("ok")

        view(rf.get("/"))
    finally:
        replica._request_state.reset(token)
    assert seen == ["replica1", "default", "default", "default"]
    assert state.replica == "replica1" and state.as_of is not None
    # Outside the mark: the primary.
    assert replica.ReplicaRouter().db_for_read(Member) == "default"


def test_the_lag_is_checked_at_most_once_per_interval(fake_replica, rf, settings):
    settings.TONGXIN_REPLICA_CHECK_SECONDS = 60
    seen: list[str | None] = []
    view = _view(seen)
    for _ in range(5):
        view(rf.get("/"))
    assert fake_replica["probes"] == 1
    settings.TONGXIN_REPLICA_CHECK_SECONDS = 0
    view(rf.get("/"))
    assert fake_replica["probes"] == 2
    assert seen == ["replica1"] * 6


def test_a_lagging_or_unreachable_replica_is_skipped(fake_replica, rf):
    seen: list[str | None] = []
    view = _view(seen)
    fake_replica["health"] = replica.Health(ok=False, checked=time.monotonic(), lag=99.0)
    view(rf.get("/"))
    replica.forget_health()
    fake_replica["health"] = replica.Health(ok=False, checked=time.monotonic(), reason="down")
    view(rf.get("/"))
    assert seen == [None, None]


def test_a_replica_failing_during_a_read_marks_it_down_and_the_read_runs_on_the_primary(
    fake_replica, rf, monkeypatch
):
    monkeypatch.setattr(replica, "_close_quietly", lambda alias: None)
    seen: list[str | None] = []

    @replica.reads_from_replica()
    def view(request: HttpRequest) -> HttpResponse:
        seen.append(replica._active.get())
        if replica._active.get() == "replica1":
            raise OperationalError("server closed the connection unexpectedly")
        return HttpResponse("from the primary")

    response = view(rf.get("/"))
    assert response.content == b"from the primary"
    assert seen == ["replica1", None]
    assert not replica.health("replica1").ok  # down until the next check
    view(rf.get("/"))
    assert seen == ["replica1", None, None]


def test_writes_and_transactions_never_use_the_replica(fake_replica, rf, transactional_db):
    seen: list[str | None] = []
    view = _view(seen)
    view(rf.post("/"))
    with transaction.atomic():
        view(rf.get("/"))
    assert seen == [None, None]
    router = replica.ReplicaRouter()
    with replica.reads_from_replica():
        assert router.db_for_read(Member) == "replica1"
        with transaction.atomic():
            assert router.db_for_read(Member) == "default"


def test_after_a_write_the_user_reads_the_primary_for_the_window(fake_replica, settings):
    settings.TONGXIN_READ_YOUR_WRITES_SECONDS = 30
    seen: list[str | None] = []
    view = _view(seen)
    middleware = replica.ReplicaMiddleware(view)
    rf = RequestFactory()
    post = rf.post("/")
    post.user = User(pk=4242, username="w")
    written = middleware(post)
    cookie = written.cookies[replica.COOKIE]
    assert int(cookie["max-age"]) == 30
    # The same browser: pinned by the signed cookie.
    get = rf.get("/")
    get.COOKIES[replica.COOKIE] = cookie.value
    middleware(get)
    # A token client (no cookie) of the same user: pinned by the cache key.
    token_client = rf.get("/")
    token_client.user = User(pk=4242, username="w")
    middleware(token_client)
    # Someone else, and a forged cookie: the replica.
    other = rf.get("/")
    other.COOKIES[replica.COOKIE] = "1:forged"
    middleware(other)
    assert seen == [None, None, None, "replica1"]


def test_the_page_shows_the_time_its_data_is_as_of(fake_replica, rf):
    as_of = dt.datetime(2026, 12, 7, 4, 0, 0, tzinfo=dt.UTC)
    fake_replica["health"] = replica.Health(True, time.monotonic(), 0.0, as_of)
    seen = []

    @replica.reads_from_replica()
    def view(request: HttpRequest) -> HttpResponse:
        seen.append(replica.data_as_of_context(request))
        return HttpResponse("ok")

    response = replica.ReplicaMiddleware(view)(rf.get("/"))
    local = seen[0]["replica_as_of"]
    assert local.hour == 12  # Beijing time
    # No read reached the router in this view: the response claims no replica data.
    assert "X-Tongxin-Data-As-Of" not in response
