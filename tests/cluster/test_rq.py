"""Tasks on Redis with real worker processes, and two schedulers at once (scripts/cluster.sh test
runs this with TONGXIN_TASK_BACKEND=rq on the machine's Redis)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections import Counter
from typing import Any

import pytest
import redis
from django.conf import settings

from tests.cluster.conftest import MEASURED, ROOT
from tests.cluster.tasks import DONE, note
from tongxin.core.management.commands.supervise import RQ_WORKER
from tongxin.core.registry import REGISTRY

N_TASKS = 100


@pytest.fixture
def rq_redis() -> Any:
    if settings.TASK_BACKEND != "rq":
        pytest.skip("TONGXIN_TASK_BACKEND is not rq")
    import django_rq

    client = redis.Redis.from_url(os.environ["TONGXIN_REDIS_URL"])
    client.delete(DONE)
    django_rq.get_queue("default").empty()
    yield client
    client.delete(DONE)


def manage(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def test_two_rq_workers_run_every_task_once(cluster_db, rq_redis):
    results = [note.enqueue(i) for i in range(N_TASKS)]
    start = time.monotonic()
    workers = [manage(*RQ_WORKER[:-2], "--burst", "default") for _ in range(2)]
    outputs = [w.communicate(timeout=240)[0] for w in workers]
    elapsed = time.monotonic() - start
    assert all(w.returncode == 0 for w in workers), outputs
    done = [item.decode().split(":") for item in rq_redis.lrange(DONE, 0, -1)]
    runs = Counter(int(i) for i, _ in done)
    assert sorted(runs) == list(range(N_TASKS))
    assert set(runs.values()) == {1}, "a task ran twice"
    by_worker = Counter(pid for _, pid in done)
    assert len(by_worker) == 2, f"one worker did everything: {by_worker}"
    statuses = Counter(r.task.get_backend().get_result(r.id).status.name for r in results)
    assert statuses == {"SUCCESSFUL": N_TASKS}
    MEASURED["rq_two_workers"] = {
        "tasks": N_TASKS,
        "seconds_incl_start": round(elapsed, 2),
        "per_worker": sorted(by_worker.values()),
    }


def _outside_a_minute_boundary() -> None:
    # Both schedulers must look at the same run: not straddling the turn of a minute.
    if time.time() % 60 > 45:
        time.sleep(61 - time.time() % 60)


def test_two_schedulers_enqueue_each_run_once_with_the_redis_lock(cluster_db, rq_redis):
    import django_rq

    _outside_a_minute_boundary()
    for key in rq_redis.scan_iter("tongxin:periodic:*"):
        rq_redis.delete(key)
    schedulers = [manage("periodic", "--once") for _ in range(2)]
    outputs = [s.communicate(timeout=120)[0] for s in schedulers]
    assert all(s.returncode == 0 for s in schedulers), outputs
    queued = Counter(job.func_name for job in django_rq.get_queue("default").get_jobs())
    assert queued == Counter({item.task: 1 for item in REGISTRY.periodic}), (queued, outputs)
    assert sum(o.count("已放入任务队列") for o in outputs) == len(REGISTRY.periodic)


def test_two_schedulers_enqueue_each_run_once_with_the_database_lock(cluster_db):
    from django_tasks_db.models import DBTaskResult

    from tongxin.core.models import PeriodicRun

    _outside_a_minute_boundary()
    PeriodicRun.objects.all().delete()
    DBTaskResult.objects.all().delete()
    env = {"TONGXIN_TASK_BACKEND": "db", "TONGXIN_REDIS_URL": "", "TONGXIN_SESSIONS": "db"}
    schedulers = [manage("periodic", "--once", env=env) for _ in range(2)]
    outputs = [s.communicate(timeout=120)[0] for s in schedulers]
    assert all(s.returncode == 0 for s in schedulers), outputs
    queued = Counter(DBTaskResult.objects.values_list("task_path", flat=True))
    assert queued == Counter({item.task: 1 for item in REGISTRY.periodic}), (queued, outputs)
    assert PeriodicRun.objects.count() == len(REGISTRY.periodic)


def test_a_large_import_runs_on_an_rq_worker_and_its_page_follows_it(
    cluster_db, rq_redis, settings
):
    from django.test import Client

    from tests.rosters import sheets
    from tests.rosters.conftest import check, commit
    from tongxin.rosters.models import JobStatus

    settings.ROSTER_INLINE_BYTES = 0  # every file goes through the queue
    alice = cluster_db["alice"]
    client = Client()
    client.force_login(alice, backend="django.contrib.auth.backends.ModelBackend")
    worker_env = {"TONGXIN_UPLOAD_ROOT": str(settings.UPLOAD_ROOT)}
    rows = [sheets.person() for _ in range(20)]
    job = check(alice, sheets.xlsx(rows))
    assert job.status == JobStatus.QUEUED
    assert client.get(f"/rosters/jobs/{job.pk}/progress/").status_code == 200
    worker = manage(*RQ_WORKER[:-2], "--burst", "default", env=worker_env)
    output = worker.communicate(timeout=180)[0]
    job.refresh_from_db()
    assert job.status == JobStatus.READY, (job.message, output)
    assert job.rows_done == 20
    page = client.get(f"/rosters/jobs/{job.pk}/progress/")
    assert page.status_code == 200 and page["HX-Refresh"] == "true"  # finished: the page reloads

    job = commit(alice, job)
    assert job.status == JobStatus.COMMITTING
    worker = manage(*RQ_WORKER[:-2], "--burst", "default", env=worker_env)
    output = worker.communicate(timeout=180)[0]
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, (job.message, output)
    assert job.to_create == 20
