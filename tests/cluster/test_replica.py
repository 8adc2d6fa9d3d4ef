"""Read replicas against a real primary and a real streaming replica (scripts/cluster.sh test).

Numbers measured here (queries on each server, fallback times) are written to
test-artifacts/cluster.json for the CI log."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.cluster.conftest import (
    MEASURED,
    ROOT,
    cluster_ctl,
    primary_url,
    replica_url,
    sql,
    wait_replayed,
)
from tongxin.core import replica
from tongxin.members.models import Member

HEAVY_PAGES = [
    "/",  # 工作台
    "/grids/coverage/",  # 应建尽建
    "/meetings/compliance/",  # 组织生活达标
    "/api/v1/members/",
    "/api/v1/orgs/",
    "/api/v1/meetings/compliance",
    "/api/v1/grids/coverage",
]
PROBE = "pg_is_in_recovery"


@contextmanager
def counting() -> Iterator[tuple[list[str], list[str]]]:
    """The SQL run on the primary and on the replica inside the block (the lag probe left out)."""
    primary: list[str] = []
    standby: list[str] = []
    with (
        CaptureQueriesContext(connections["default"]) as p,
        CaptureQueriesContext(connections["replica1"]) as r,
    ):
        yield primary, standby
    primary.extend(q["sql"] for q in p.captured_queries)
    standby.extend(q["sql"] for q in r.captured_queries if PROBE not in q["sql"])


def _table(query: str) -> str:
    """The table a statement names first (or the statement itself: BEGIN, COMMIT)."""
    words = query.replace('"', " ").split()
    for keyword in ("FROM", "UPDATE", "INTO"):
        if keyword in words:
            return words[words.index(keyword) + 1]
    return words[0]


def logged_in(user: Any) -> Client:
    client = Client()
    client.force_login(user, backend="tongxin.accounts.backends.AccountBackend")
    return client


def test_heavy_reads_go_to_the_replica_and_nothing_else_does(cluster_db):
    client = logged_in(cluster_db["alice"])
    shares = {}
    primary_tables: Counter[str] = Counter()
    for url in HEAVY_PAGES:
        with counting() as (primary, standby):
            response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        assert response["X-Tongxin-Read-From"] == "replica1", url
        assert response["X-Tongxin-Data-As-Of"], url
        assert standby, url
        assert not any(
            q.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")) for q in standby
        )
        shares[url] = {"primary": len(primary), "replica": len(standby)}
        primary_tables.update(_table(q) for q in primary)
    total_p = sum(s["primary"] for s in shares.values())
    total_r = sum(s["replica"] for s in shares.values())
    MEASURED["heavy_pages"] = shares
    MEASURED["primary_statements_on_heavy_pages"] = dict(primary_tables)
    MEASURED["replica_share_of_heavy_page_queries"] = round(total_r / (total_p + total_r), 3)
    # The session and the signed-in user live in Redis (TONGXIN_SESSIONS=cache): the primary is
    # asked at most who is signed in, once a minute, and nothing else.
    assert set(primary_tables) <= {"django_session", "accounts_user", "BEGIN", "COMMIT"}, (
        primary_tables
    )
    assert total_p <= 0.05 * (total_p + total_r), shares
    page = client.get("/")
    assert "数据截至".encode() in page.content

    # A page not marked for the replica reads the primary only.
    with counting() as (primary, standby):
        assert client.get("/members/").status_code == 200
    assert primary and not standby


def test_a_write_never_reaches_the_replica(cluster_db):
    before = sql(replica_url(), "SELECT count(*) FROM members_member")[0]
    with replica.reads_from_replica():
        # Inside a marked read, a write still goes to the primary (the replica would refuse it).
        member = Member.objects.get(pk=cluster_db["m_a1"].pk)
        Member.objects.filter(pk=member.pk).update(name="张红")
        cluster_db["m_a1"].refresh_from_db()
    wait_replayed()
    assert sql(replica_url(), "SELECT count(*) FROM members_member")[0] == before
    (writes,) = sql(
        replica_url(),
        "SELECT tup_inserted + tup_updated + tup_deleted FROM pg_stat_database "
        "WHERE datname = current_database()",
    )
    # A hot standby's statistics count only what its own sessions did: none wrote.
    assert writes == 0


def test_after_writing_a_user_reads_the_primary_for_the_window(cluster_db, settings):
    settings.TONGXIN_READ_YOUR_WRITES_SECONDS = 2
    settings.TONGXIN_REPLICA_MAX_LAG = 3600  # a paused replica still counts as fresh here
    client = logged_in(cluster_db["alice"])
    sql(replica_url(), "SELECT pg_wal_replay_pause()")
    try:
        # The user changes something: their language (a POST through the whole stack).
        assert client.post("/i18n/setlang/", {"language": "zh-hans"}).status_code in (200, 302)
        name = f"新组织{time.time_ns()}"
        from tongxin.orgs.models import Organization

        Organization.objects.filter(pk=cluster_db["group_a1"].pk).update(name=name)
        with counting() as (_primary, standby):
            response = client.get("/api/v1/orgs/")
        assert response.status_code == 200
        assert not standby
        assert "X-Tongxin-Read-From" not in response
        # Someone else, who wrote nothing, is served by the (paused, stale) replica.
        other = logged_in(cluster_db["bob"])
        with counting() as (_primary, standby):
            response = other.get("/api/v1/orgs/")
        assert response["X-Tongxin-Read-From"] == "replica1" and standby
        time.sleep(2.2)
        with counting() as (_primary, standby):
            response = client.get("/api/v1/orgs/")
        assert response["X-Tongxin-Read-From"] == "replica1" and standby
    finally:
        sql(replica_url(), "SELECT pg_wal_replay_resume()")
    wait_replayed()


def test_a_lagging_replica_is_left_for_the_primary(cluster_db, settings):
    settings.TONGXIN_REPLICA_MAX_LAG = 1
    settings.TONGXIN_REPLICA_CHECK_SECONDS = 0.5
    client = logged_in(cluster_db["alice"])
    assert client.get("/")["X-Tongxin-Read-From"] == "replica1"
    sql(replica_url(), "SELECT pg_wal_replay_pause()")
    try:
        Member.objects.filter(pk=cluster_db["m_a2"].pk).update(name="王芳")
        start = time.monotonic()
        while True:
            time.sleep(0.25)
            with counting() as (_primary, standby):
                response = client.get("/")
            if "X-Tongxin-Read-From" not in response:
                break
            assert time.monotonic() - start < 10, "the lag was never noticed"
        MEASURED["lag_noticed_after_s"] = round(time.monotonic() - start, 2)
        assert response.status_code == 200 and not standby
        assert "数据截至".encode() not in response.content
        assert not replica.health("replica1").ok
        assert "lag" in replica.health("replica1").reason
    finally:
        sql(replica_url(), "SELECT pg_wal_replay_resume()")
    wait_replayed()
    time.sleep(0.6)
    assert client.get("/")["X-Tongxin-Read-From"] == "replica1"


def test_a_stopped_replica_falls_back_to_the_primary_without_an_error(cluster_db, settings):
    settings.TONGXIN_REPLICA_CHECK_SECONDS = 1
    client = logged_in(cluster_db["alice"])
    assert client.get("/")["X-Tongxin-Read-From"] == "replica1"  # a connection is open
    cluster_ctl("replica-stop")
    try:
        start = time.monotonic()
        response = client.get("/")  # the open connection fails mid-read: run again on primary
        MEASURED["first_page_after_replica_died_s"] = round(time.monotonic() - start, 3)
        assert response.status_code == 200
        assert "X-Tongxin-Read-From" not in response
        timings = []
        for url in HEAVY_PAGES:
            start = time.monotonic()
            response = client.get(url)
            timings.append(time.monotonic() - start)
            assert response.status_code == 200, url
            assert "X-Tongxin-Read-From" not in response
        time.sleep(1.1)  # the next check tries to connect to the dead replica: refused at once
        start = time.monotonic()
        response = client.get("/")
        MEASURED["page_with_recheck_of_dead_replica_s"] = round(time.monotonic() - start, 3)
        assert response.status_code == 200 and "X-Tongxin-Read-From" not in response
        MEASURED["pages_while_replica_down_max_s"] = round(max(timings), 3)
    finally:
        cluster_ctl("replica-start")
    wait_replayed()
    time.sleep(1.1)
    start = time.monotonic()
    while client.get("/").get("X-Tongxin-Read-From") != "replica1":
        assert time.monotonic() - start < 15, "the replica was not taken back"
        time.sleep(0.2)
    MEASURED["replica_back_in_use_after_s"] = round(time.monotonic() - start, 2)


def test_an_unreachable_replica_at_start_up_is_no_error():
    env = {
        **os.environ,
        "TONGXIN_REPLICA_URL": "postgres://postgres@127.0.0.1:1/tongxin",
    }
    code = (
        "import django; django.setup();"
        "from django.test import Client;"
        "from tongxin.core import replica;"
        "print(replica.health('replica1').ok, Client().get('/healthz').status_code)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**env, "DJANGO_SETTINGS_MODULE": "config.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["False", "200"]
    assert primary_url()
