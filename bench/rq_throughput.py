"""rq_throughput: 10,000 small tasks (bench.tasks.tick) through RQ on Redis with two worker
processes, against the database task backend (django-tasks-db) with two worker processes, on
the same database. Each side: the tasks are enqueued first, then two workers started in burst
mode; the time runs from starting the workers until both have exited with the queue empty
(worker start-up included, the same for both). Seconds per 10,000 tasks; smaller is better.

Needs TONGXIN_REDIS_URL (``scripts/cluster.sh bench`` sets it); without it, it says so."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from django.conf import settings

from bench.util import Context, report
from tongxin.core.management.commands.supervise import PROGRAMS, RQ_WORKER

N = int(os.environ.get("TONGXIN_BENCH_TASKS", "10000"))
ROOT = settings.BASE_DIR
ENQUEUE = (
    "import django, sys; django.setup();"
    "from bench.tasks import tick;"
    "[tick.enqueue(i) for i in range(int(sys.argv[1]))]"
)


def _env(backend: str) -> dict[str, str]:
    return {
        **os.environ,
        "TONGXIN_TASK_BACKEND": backend,
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }


def _run(backend: str, worker: list[str]) -> float:
    env = _env(backend)
    subprocess.run([sys.executable, "-c", ENQUEUE, str(N)], cwd=ROOT, env=env, check=True)
    start = time.perf_counter()
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", *worker],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(2)
    ]
    for proc in procs:
        proc.wait(timeout=3600)
    return time.perf_counter() - start


def _db_left() -> int:
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult.objects.filter(task_path="bench.tasks.tick", status="READY").count()


def run(ctx: Context) -> None:
    if settings.TASK_BACKEND != "rq":
        print(
            "rq_throughput: 任务未走 Redis（TONGXIN_TASK_BACKEND=rq），跳过；用 scripts/cluster.sh bench 运行"
        )
        return
    # Only when RQ is configured (RQ_QUEUES exists then).
    import django_rq

    django_rq.get_queue("default").empty()
    rq_s = _run("rq", [*RQ_WORKER[:-2], "--burst", "default"])
    db_s = _run("db", [*PROGRAMS["db_worker"], "--batch", "--no-startup-delay"])
    left = _db_left()
    assert left == 0, f"{left} database tasks were not run"
    report(
        ctx,
        "rq_throughput",
        n=N,
        ours=rq_s * 10_000 / N,
        baseline=db_s * 10_000 / N,
        unit="s per 10000",
        target=("ratio", 1.0),
        runs=1,
        note="two RQ workers on Redis vs two django-tasks-db workers, burst/batch, start-up included",
    )
