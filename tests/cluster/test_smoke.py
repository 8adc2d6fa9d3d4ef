"""The cluster under load (issue: beyond one machine): two gunicorn app servers on the same
primary, replica and Redis, one RQ worker and the scheduler, driven from loopback for a bounded
time (``TONGXIN_SMOKE_SECONDS``, a minute by default).

Two phases, each counted from ``pg_stat_statements`` on both servers (reset before the phase):

1. only the heavy pages, signed in, spread over both app servers: how many statements the
   primary ran against how many the replica ran;
2. a mixed minute: page views, Open311 posts and a roster import (uploaded on one server,
   followed and committed on the other), with the scheduler running. No request may fail, the
   import must create its rows exactly once, every Open311 post exactly one case, and the queue
   must end empty with no failed job.

The figures go to test-artifacts/cluster.json (``smoke``)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import psycopg
import pytest
import requests
from django.conf import settings
from django.test import Client

from tests.cluster.conftest import MEASURED, ROOT, primary_url, replica_url, sql, wait_replayed
from tests.cluster.test_replica import HEAVY_PAGES
from tongxin.core.management.commands.supervise import RQ_WORKER

SECONDS = float(os.environ.get("TONGXIN_SMOKE_SECONDS", "60"))
HEAVY_SECONDS = max(5.0, SECONDS / 3)
OTHER_PAGES = ["/members/", "/orgs/", "/cases/", "/meetings/"]
IMPORT_ROWS = 20
# Statements that are the measuring itself, or the router's replay-lag probe.
NOT_COUNTED = ("pg_stat_statements", "pg_is_in_recovery", "pg_current_wal_lsn")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_up(url: str, timeout: float = 60.0) -> None:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            if requests.get(url + "/healthz", timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not come up within {timeout}s")


def _start(args: list[str], log: str, env: dict[str, str]) -> subprocess.Popen[bytes]:
    with open(log, "wb") as out:  # noqa: PTH123 - the child keeps its own handle
        return subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True
        )


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def servers(cluster_world: Any, tmp_path_factory: Any) -> Iterator[list[str]]:
    """Two app servers (two gunicorn processes on two ports) and one RQ worker."""
    logs = tmp_path_factory.mktemp("smoke")
    env = {**os.environ, "TONGXIN_UPLOAD_ROOT": str(settings.UPLOAD_ROOT)}
    procs, urls = [], []
    for _ in range(2):
        port = _free_port()
        procs.append(
            _start(
                [
                    str(ROOT / ".venv" / "bin" / "gunicorn"),
                    "config.wsgi",
                    "-b",
                    f"127.0.0.1:{port}",
                    "-w",
                    "2",
                    "--threads",
                    "4",
                ],
                str(logs / f"app-{port}.log"),
                env,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    procs.append(_start([sys.executable, "manage.py", *RQ_WORKER], str(logs / "worker.log"), env))
    try:
        for url in urls:
            _wait_up(url)
        yield urls
    finally:
        _stop(procs)


def _signed_in(user: Any) -> dict[str, str]:
    """A session made here, in the shared cache: both app servers know it."""
    client = Client()
    client.force_login(user, backend="tongxin.accounts.backends.AccountBackend")
    return {settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value}


def _reset_statements() -> None:
    wait_replayed()
    for url in (primary_url(), replica_url()):
        sql(url, "SELECT pg_stat_statements_reset()")


def _calls(url: str) -> list[tuple[str, int]]:
    """(statement, calls) run in the database on one server since the reset, the measuring and
    the lag probe left out."""
    with psycopg.connect(url, autocommit=True, connect_timeout=3) as conn:
        rows = conn.execute(
            "SELECT query, calls FROM pg_stat_statements s JOIN pg_database d "
            "ON d.oid = s.dbid WHERE d.datname = current_database()"
        ).fetchall()
    return [(q, int(n)) for q, n in rows if not any(word in q for word in NOT_COUNTED)]


def _statements(url: str) -> int:
    return sum(n for _q, n in _calls(url))


def _primary_tables() -> dict[str, int]:
    tables: Counter[str] = Counter()
    for query, calls in _calls(primary_url()):
        match = re.search(r'(?:FROM|UPDATE|INTO)\s+"?(\w+)', query)
        tables[match.group(1) if match else query.split()[0]] += calls
    return dict(tables)


class Load:
    """Threads hitting the app servers until a deadline; every response is counted."""

    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()
        self.failures: list[str] = []
        self.lock = threading.Lock()

    def note(self, label: str, response: requests.Response, ok: tuple[int, ...]) -> None:
        with self.lock:
            self.statuses[f"{label} {response.status_code}"] += 1
            if response.status_code not in ok:
                self.failures.append(f"{label} {response.status_code} {response.text[:200]}")

    def run(self, workers: list[Callable[[float], None]], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=w, args=(deadline,)) for w in workers]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + 180)


def _viewer(load: Load, urls: list[str], cookies: dict[str, str], pages: list[str], k: int):
    def work(deadline: float) -> None:
        session = requests.Session()
        session.cookies.update(cookies)
        i = k
        while time.monotonic() < deadline:
            base = urls[i % len(urls)]
            page = pages[i % len(pages)]
            load.note(f"GET {page}", session.get(base + page, timeout=30), (200,))
            i += 1

    return work


def test_heavy_pages_on_two_app_servers_read_the_replica(cluster_db, servers):
    cookies = _signed_in(cluster_db["alice"])
    load = Load()
    _reset_statements()
    viewers = [_viewer(load, servers, cookies, HEAVY_PAGES, k) for k in range(4)]
    load.run(viewers, HEAVY_SECONDS)
    primary, standby = _statements(primary_url()), _statements(replica_url())
    pages = sum(load.statuses.values())
    MEASURED.setdefault("smoke", {})["heavy_pages"] = {
        "seconds": HEAVY_SECONDS,
        "pages": pages,
        "primary_statements": primary,
        "replica_statements": standby,
        "primary_share": round(primary / max(1, primary + standby), 4),
        "primary_tables": _primary_tables(),
    }
    assert not load.failures, load.failures[:5]
    assert pages > 0 and standby > 0
    # Who is signed in is cached for a minute per app server: a handful of user reads at most.
    assert primary <= 0.05 * (primary + standby), MEASURED["smoke"]["heavy_pages"]


def _open311_key(cluster_db: Any) -> tuple[str, int]:
    from tongxin.cases import services
    from tongxin.geo.models import Area

    compound = Area.objects.get(name="紫金花园")
    Area.objects.filter(pk=compound.pk).update(
        latitude=Decimal("29.87"), longitude=Decimal("121.55")
    )
    street = Area.objects.get(name="南门街道")
    _key, raw = services.api_key_issue(actor=cluster_db["alice"], name="压测App", area=street)
    return raw, compound.pk


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=30)
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert match, (url, page.status_code)
    return match.group(1)


def _importer(load: Load, urls: list[str], cookies: dict[str, str], outcome: dict[str, Any]):
    """Upload on the first server, follow and commit on the second."""
    from tests.rosters import sheets

    content = sheets.xlsx([sheets.person() for _ in range(IMPORT_ROWS)])

    def follow(session: requests.Session, job_url: str, until: str, deadline: float) -> str:
        while time.monotonic() < deadline + 120:
            page = session.get(job_url, timeout=30)
            load.note("GET import job", page, (200,))
            if until in page.text:
                return page.text
            time.sleep(0.5)
        raise AssertionError(f"{job_url} never showed {until!r}")

    def work(deadline: float) -> None:
        a, b = requests.Session(), requests.Session()
        a.cookies.update(cookies)
        b.cookies.update(cookies)
        token = _csrf(a, urls[0] + "/rosters/")
        response = a.post(
            urls[0] + "/rosters/",
            data={"csrfmiddlewaretoken": token},
            files={"file": ("名册.xlsx", content)},
            headers={"Referer": urls[0] + "/rosters/"},
            timeout=60,
            allow_redirects=False,
        )
        load.note("POST /rosters/", response, (302,))
        match = re.search(r"/rosters/jobs/(\d+)/", response.headers.get("Location", ""))
        assert match, response.headers
        job = int(match.group(1))
        outcome["job"] = job
        job_url = f"{urls[1]}/rosters/jobs/{job}/"
        follow(b, job_url, f"/rosters/jobs/{job}/commit/", deadline)
        token = _csrf(b, job_url)
        response = b.post(
            f"{job_url}commit/",
            data={"csrfmiddlewaretoken": token},
            headers={"Referer": job_url},
            timeout=60,
            allow_redirects=False,
        )
        load.note("POST commit", response, (302,))

    return work


def _poster(load: Load, urls: list[str], key: str, compound: int, outcome: dict[str, Any]):
    def work(deadline: float) -> None:
        i = 0
        while time.monotonic() < deadline:
            response = requests.post(
                urls[i % 2] + "/open311/v2/requests.json",
                data={
                    "api_key": key,
                    "service_code": "sanitation",
                    "address_id": str(compound),
                    "description": f"压测：紫金花园北门垃圾桶满了（第{i}次）",
                },
                timeout=30,
            )
            load.note("POST open311", response, (200, 201))
            if response.status_code in (200, 201):
                outcome["posted"] += 1
            i += 1
            time.sleep(1.0)

    return work


def _queue_drained(timeout: float = 180.0) -> dict[str, int]:
    import django_rq
    from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

    queue = django_rq.get_queue("default")
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if queue.count == 0 and StartedJobRegistry(queue=queue).count == 0:
            break
        time.sleep(0.5)
    return {
        "queued": queue.count,
        "started": StartedJobRegistry(queue=queue).count,
        "finished": FinishedJobRegistry(queue=queue).count,
        "failed": FailedJobRegistry(queue=queue).count,
    }


def test_a_mixed_minute_on_two_app_servers(cluster_db, servers):
    from tongxin.cases.models import Case
    from tongxin.members.models import Member
    from tongxin.rosters.models import ImportJob, JobStatus

    if settings.TASK_BACKEND != "rq":
        pytest.skip("TONGXIN_TASK_BACKEND is not rq")
    cookies = _signed_in(cluster_db["alice"])
    key, compound = _open311_key(cluster_db)
    members_before, cases_before = Member.objects.count(), Case.objects.count()
    outcome: dict[str, Any] = {"posted": 0}
    load = Load()
    scheduler = _start(
        [sys.executable, "manage.py", "periodic"],
        os.devnull,
        {**os.environ, "TONGXIN_UPLOAD_ROOT": str(settings.UPLOAD_ROOT)},
    )
    _reset_statements()
    start = time.monotonic()
    try:
        load.run(
            [
                _viewer(load, servers, cookies, HEAVY_PAGES, 0),
                _viewer(load, servers, cookies, OTHER_PAGES, 1),
                _viewer(load, servers, cookies, HEAVY_PAGES + OTHER_PAGES, 2),
                _poster(load, servers, key, compound, outcome),
                _importer(load, servers, cookies, outcome),
            ],
            SECONDS,
        )
    finally:
        _stop([scheduler])
    queue = _queue_drained()
    elapsed = time.monotonic() - start
    job = ImportJob.objects.get(pk=outcome["job"])
    MEASURED.setdefault("smoke", {})["mixed"] = {
        "seconds": round(elapsed, 1),
        "requests": dict(load.statuses),
        "open311_posted": outcome["posted"],
        "import_status": job.status,
        "queue": queue,
        "primary_statements": _statements(primary_url()),
        "replica_statements": _statements(replica_url()),
    }
    assert not load.failures, load.failures[:5]
    assert job.status == JobStatus.DONE, job.message
    # Exactly once: the import's rows and one case per accepted post, no more.
    assert Member.objects.count() - members_before == IMPORT_ROWS
    assert Case.objects.count() - cases_before == outcome["posted"] > 0
    assert queue["queued"] == 0 and queue["started"] == 0 and queue["failed"] == 0, queue
    assert queue["finished"] >= 2  # the import's check and commit at least
