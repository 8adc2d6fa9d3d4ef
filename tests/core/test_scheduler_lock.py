"""The periodic scheduler's lock (tongxin/core/periodic.py) and the RQ task settings.

Two real scheduler processes on Redis and RQ workers run in tests/cluster (-m cluster)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.core.test_periodic import RUNS
from tongxin.core import periodic, registry
from tongxin.core.management.commands.supervise import programs_for
from tongxin.core.models import PeriodicRun

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/15"


def _redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(REDIS, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.mark.django_db
def test_a_run_is_claimed_once_in_the_database(settings):
    settings.REDIS_URL = ""
    now = 1_800_000_000.0
    assert periodic.claim_run("t.a", 60, now)
    assert not periodic.claim_run("t.a", 60, now + 30)  # the same minute: taken
    assert periodic.claim_run("t.b", 60, now)  # another task
    assert periodic.claim_run("t.a", 60, now + 60)  # the next run
    assert PeriodicRun.objects.filter(task="t.a").count() == 2


@pytest.mark.skipif(not _redis_up(), reason="no Redis at 127.0.0.1:6379")
@pytest.mark.django_db
def test_a_run_is_claimed_once_in_redis(settings):
    settings.REDIS_URL = REDIS
    task = f"t.{uuid.uuid4().hex}"
    assert periodic.claim_run(task, 60, 1_800_000_000.0)
    assert not periodic.claim_run(task, 60, 1_800_000_010.0)
    assert not PeriodicRun.objects.exists()  # Redis held the lock


@pytest.mark.django_db
def test_without_an_answer_from_redis_the_database_holds_the_lock(settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    assert periodic.claim_run("t.c", 60, 1_800_000_000.0)
    assert not periodic.claim_run("t.c", 60, 1_800_000_000.0)
    assert PeriodicRun.objects.filter(task="t.c").count() == 1


@pytest.mark.django_db
def test_two_schedulers_enqueue_a_run_once(settings, monkeypatch):
    settings.REDIS_URL = ""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(registry.REGISTRY, "periodic", [])
    registry.periodic("tests.core.test_periodic.remember", every=3600)
    RUNS.clear()
    first, second = StringIO(), StringIO()
    call_command("periodic", "--once", stdout=first)
    call_command("periodic", "--once", stdout=second)
    assert RUNS == ["ran"]
    assert "已放入任务队列" in first.getvalue()
    assert "本轮已由其他定时进程放入" in second.getvalue()


def test_the_supervisor_runs_an_rq_worker_with_the_rq_backend():
    assert programs_for("db")["db_worker"][0] == "db_worker"
    rq = programs_for("rq")
    assert set(rq) == {"rqworker", "periodic"}
    assert "django_tasks_rq.backend.Job" in rq["rqworker"]


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"TONGXIN_TASK_BACKEND": "rq"}, "TONGXIN_TASK_BACKEND=rq needs TONGXIN_REDIS_URL"),
        ({"TONGXIN_TASK_BACKEND": "celery"}, "must be 'db' or 'rq', not 'celery'"),
    ],
)
def test_bad_task_settings_stop_the_start(env, says):
    proc = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode != 0
    assert says in proc.stderr


def test_the_rq_backend_passes_the_system_checks():
    proc = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "TONGXIN_TASK_BACKEND": "rq", "TONGXIN_REDIS_URL": REDIS},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
