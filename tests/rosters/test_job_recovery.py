"""Jobs recover: a job whose worker died shows as failed (saying the file can be uploaded
again) and its task row is closed; a committed job always shows as done; uploaded rosters
go with their job (done, failed, expired) and no file outlives it."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests import factories
from tests.rosters import sheets
from tests.rosters.conftest import check, commit
from tongxin.core import dbstats
from tongxin.members.models import Member
from tongxin.rosters import jobs, reading, services
from tongxin.rosters.models import ImportJob, JobStatus


def dead_process_tag() -> str:
    """The tag of a process of this machine that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return jobs.process_tag(proc.pid)


def ready_job(user) -> ImportJob:
    job = check(user, sheets.xlsx([sheets.person()]))
    assert job.status == JobStatus.READY
    assert reading.full_path(job.file_name).exists()
    return job


def running(job: ImportJob, status: str, worker: str, beat_ago: int = 0) -> ImportJob:
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, worker=worker, heartbeat_at=timezone.now() - dt.timedelta(seconds=beat_ago)
    )
    job.refresh_from_db()
    return job


def task_row(job: ImportJob, step: str) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": [job.pk, step], "kwargs": {}},
        task_path=jobs.TASK_PATH,
        backend_name="default",
        run_after=timezone.now(),
        queue_name="default",
        priority=0,
        worker_ids=["gone"],
        started_at=timezone.now(),
    )


@pytest.mark.parametrize("status", [JobStatus.CHECKING, JobStatus.COMMITTING])
def test_a_job_whose_worker_died_fails_and_says_to_upload_again(world, status):
    job = running(ready_job(world["alice"]), status, dead_process_tag())
    row = task_row(job, "check" if status == JobStatus.CHECKING else "commit")
    other = task_row(ready_job(world["alice"]), "check")  # another job's row is left alone
    assert jobs.sweep()["dead"] == 1
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "请重新上传该文件" in job.message
    assert job.finished_at is not None
    assert not reading.full_path(job.file_name).exists()
    row.refresh_from_db()
    other.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED and other.status == TaskResultStatus.RUNNING


def test_a_slow_job_of_a_live_worker_is_left_running(world):
    job = running(ready_job(world["alice"]), JobStatus.COMMITTING, jobs.process_tag(), 3600)
    assert jobs.sweep()["dead"] == 0
    job.refresh_from_db()
    assert job.status == JobStatus.COMMITTING and reading.full_path(job.file_name).exists()


def test_another_machines_job_is_judged_by_its_heartbeat(world):
    fresh = running(ready_job(world["alice"]), JobStatus.CHECKING, "elsewhere:12:34", 5)
    silent = running(ready_job(world["alice"]), JobStatus.CHECKING, "elsewhere:12:34", 120)
    assert jobs.sweep()["dead"] == 1
    fresh.refresh_from_db()
    silent.refresh_from_db()
    assert fresh.status == JobStatus.CHECKING and silent.status == JobStatus.FAILED


def test_the_job_page_shows_a_dead_workers_job_as_failed(world, client_for):
    job = running(ready_job(world["alice"]), JobStatus.COMMITTING, dead_process_tag())
    r = client_for(world["alice"]).get(reverse("rosters:progress", args=[job.pk]))
    assert r.status_code == 200 and r["HX-Refresh"] == "true"
    page = client_for(world["alice"]).get(reverse("rosters:job", args=[job.pk]))
    assert "请重新上传该文件" in page.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_the_api_shows_a_dead_workers_job_as_failed(world, client_for):
    job = running(ready_job(world["alice"]), JobStatus.CHECKING, dead_process_tag())
    r = client_for(world["alice"]).get(f"/api/v1/rosters/imports/{job.pk}")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == JobStatus.FAILED


def test_a_committed_job_shows_done_even_if_its_worker_dies_right_after(
    transactional_db, monkeypatch
):
    """The worker dies the moment the rows' transaction commits (an on-commit hook raising
    what a kill looks like from here): the job is done, since its status was written in
    that same transaction, not after it."""
    alice = factories.make_world()["alice"]
    job = ready_job(alice)
    before = Member.objects.count()
    services.job_commit_request(actor=alice, job=job)
    audit = services.audit

    def audit_then_die_at_commit(**kwargs):
        audit(**kwargs)
        if kwargs.get("action") == "rosters.import_members":
            transaction.on_commit(lambda: (_ for _ in ()).throw(KeyboardInterrupt()))

    monkeypatch.setattr(services, "audit", audit_then_die_at_commit)
    with pytest.raises(KeyboardInterrupt):
        services.start(job, "commit")
    job.refresh_from_db()
    assert Member.objects.count() == before + 1
    assert job.status == JobStatus.DONE and job.to_create == 1


def test_a_file_goes_with_its_job_when_it_is_done(world):
    job = commit(world["alice"], ready_job(world["alice"]))
    assert job.status == JobStatus.DONE
    assert not reading.full_path(job.file_name).exists()


def test_a_job_nobody_finished_expires_after_a_day_with_its_file(world):
    job = ready_job(world["alice"])
    today = ready_job(world["alice"])
    ImportJob.objects.filter(pk=job.pk).update(created_at=timezone.now() - dt.timedelta(days=2))
    assert jobs.sweep()["expired"] == 1
    job.refresh_from_db()
    today.refresh_from_db()
    assert job.status == JobStatus.FAILED and "已过期" in job.message
    assert not reading.full_path(job.file_name).exists()
    assert today.status == JobStatus.READY and reading.full_path(today.file_name).exists()


def test_a_file_no_job_holds_is_deleted(world):
    held = ready_job(world["alice"])
    folder = Path(django_settings.UPLOAD_ROOT) / "rosters"
    orphan = folder / "0123456789abcdef.xlsx"
    orphan.write_bytes(b"PK\x03\x04 left by a process that died")
    recent = folder / "fedcba9876543210.xlsx"
    recent.write_bytes(b"PK\x03\x04 being read by a request right now")
    old = time.time() - 2 * 3600
    os.utime(orphan, (old, old))
    os.utime(reading.full_path(held.file_name), (old, old))
    assert jobs.sweep()["files"] == 1
    assert not orphan.exists() and recent.exists()
    assert reading.full_path(held.file_name).exists()
    recent.unlink()


def test_a_check_that_breaks_fails_its_job_and_deletes_the_file(world, monkeypatch):
    from tongxin.rosters import importer

    def broken(*args, **kwargs):
        raise RuntimeError("a bug")

    monkeypatch.setattr(importer.MemberImport, "run", broken)
    with pytest.raises(RuntimeError):
        check(world["alice"], sheets.xlsx([sheets.person()]))
    job = ImportJob.objects.latest("pk")
    assert job.status == JobStatus.FAILED and "系统错误" in job.message
    assert not reading.full_path(job.file_name).exists()


def test_the_sweep_runs_every_minute():
    from tongxin.core.registry import REGISTRY

    every = {p.task: p.every for p in REGISTRY.periodic}
    assert every["tongxin.rosters.tasks.sweep_import_jobs"] <= 60


def test_an_import_refreshes_the_statistics_of_the_tables_it_wrote(world, monkeypatch):
    monkeypatch.setattr(dbstats, "MIN_ROWS", 1)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'")
            assert cur.fetchone()[0] == 0  # never analysed before
    job = commit(world["alice"], ready_job(world["alice"]))
    assert job.status == JobStatus.DONE
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'members_member'")
            assert cur.fetchone()[0] > 0
        else:
            cur.execute("SELECT reltuples FROM pg_class WHERE relname = 'members_member'")
            assert cur.fetchone()[0] >= Member.objects.count() > 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite jobs are judged by process")
def test_a_running_step_beats_while_it_works(transactional_db, monkeypatch):
    """On PostgreSQL (where workers may run on other machines) the job's heartbeat moves on
    while a step runs, on a connection of its own, so the sweep leaves a slow job alone."""
    alice = factories.make_world()["alice"]
    job = running(ready_job(alice), JobStatus.CHECKING, "elsewhere:12:34", 3600)
    old = job.heartbeat_at
    monkeypatch.setattr(jobs, "HEARTBEAT_EVERY", 0.05)
    with jobs.heartbeat(job):
        for _ in range(200):
            job.refresh_from_db()
            if job.heartbeat_at != old:
                break
            time.sleep(0.05)
        assert jobs.sweep()["dead"] == 0
    assert job.heartbeat_at is not None and old is not None and job.heartbeat_at > old


def test_cancelling_a_checked_roster_deletes_its_file(world, client_for):
    job = ready_job(world["alice"])
    r = client_for(world["alice"]).post(reverse("rosters:cancel", args=[job.pk]))
    assert r.status_code == 302 and r["Location"] == reverse("rosters:index")
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and job.finished_at is not None
    assert not reading.full_path(job.file_name).exists()
    page = client_for(world["alice"]).get(reverse("rosters:job", args=[job.pk])).content.decode()
    assert "已取消导入" in page


def test_a_stranger_cannot_cancel_someone_elses_roster(world, client_for):
    job = ready_job(world["alice"])
    r = client_for(world["charlie"]).post(reverse("rosters:cancel", args=[job.pk]))
    assert r.status_code == 404
    job.refresh_from_db()
    assert job.status == JobStatus.READY and reading.full_path(job.file_name).exists()


def test_a_finished_roster_cannot_be_cancelled(world, client_for):
    job = commit(world["alice"], ready_job(world["alice"]))
    c = client_for(world["alice"])
    r = c.post(reverse("rosters:cancel", args=[job.pk]), follow=True)
    assert "只有检查通过、尚未导入的名册才能取消" in r.content.decode()
    job.refresh_from_db()
    assert job.status == JobStatus.DONE
