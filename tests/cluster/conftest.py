"""tests/cluster runs only inside `scripts/cluster.sh test` (TONGXIN_CLUSTER=1): a real primary,
a streaming replica, Redis and RQ workers. Elsewhere every test here is skipped."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.db import transaction

from tongxin.core import replica

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("TONGXIN_ARTIFACTS", ROOT / "test-artifacts"))
# Numbers the tests measure (queries on each server, fallback times, RQ throughput), written to
# test-artifacts/cluster.json and printed at the end of the run.
MEASURED: dict[str, Any] = {}
CLUSTER = os.environ.get("TONGXIN_CLUSTER") == "1" and bool(os.environ.get("TONGXIN_REPLICA_URL"))


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    here = str(Path(__file__).parent)
    skip = pytest.mark.skip(reason="no cluster: run scripts/cluster.sh test")
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.cluster)
            if not CLUSTER:
                item.add_marker(skip)


@pytest.fixture(scope="session", autouse=True)
def _write_measurements() -> Any:
    yield
    if MEASURED:
        ARTIFACTS.mkdir(exist_ok=True)
        (ARTIFACTS / "cluster.json").write_text(json.dumps(MEASURED, indent=2, ensure_ascii=False))
        print("\ncluster measurements:", json.dumps(MEASURED, ensure_ascii=False))


def sql(url: str, query: str, *params: Any) -> Any:
    with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
        return conn.execute(query, params).fetchone()


def primary_url() -> str:
    return os.environ["DATABASE_URL"]


def replica_url() -> str:
    return os.environ["TONGXIN_REPLICA_URL"].split(",")[0]


def wait_replayed(timeout: float = 20.0) -> float:
    """Wait until the replica has replayed everything the primary wrote; seconds waited."""
    start = time.monotonic()
    (lsn,) = sql(primary_url(), "SELECT pg_current_wal_lsn()::text")
    while time.monotonic() - start < timeout:
        (done,) = sql(replica_url(), "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", lsn)
        if done:
            return time.monotonic() - start
        time.sleep(0.05)
    raise AssertionError(f"the replica did not replay {lsn} within {timeout}s")


def cluster_ctl(action: str) -> None:
    subprocess.run(
        [str(ROOT / "scripts" / "cluster.sh"), action, os.environ["TONGXIN_CLUSTER_DIR"]],
        check=True,
        timeout=60,
    )


@pytest.fixture(scope="session")
def cluster_world(django_db_blocker: Any) -> Any:
    """The test world, written once to the cluster's real database (no test database: the
    replica streams the primary's own database)."""
    from tests import factories
    from tongxin.accounts.models import User
    from tongxin.members.models import Member
    from tongxin.orgs.models import Organization

    with django_db_blocker.unblock():
        if not User.objects.filter(username="alice").exists():
            with transaction.atomic():
                factories.make_world()
        # Built by an earlier run against the same cluster, or just now: looked up by name.
        world = {
            "alice": User.objects.get(username="alice"),
            "bob": User.objects.get(username="bob"),
            "m_a1": Member.objects.get(name="张红"),
            "m_a2": Member.objects.get(name="王芳"),
            "group_a1": Organization.objects.get(name="紫金社区第一党小组"),
        }
    wait_replayed()
    return world


@pytest.fixture
def cluster_db(django_db_blocker: Any, cluster_world: Any) -> Any:
    with django_db_blocker.unblock():
        replica.forget_health()
        yield cluster_world
        replica.forget_health()
