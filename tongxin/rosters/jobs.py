"""An import job's life beyond one process: who is working on it, whether they still are,
and the sweep that fails the jobs of a worker that died and deletes the files no job needs.

A job being checked or written records its process as "host:pid:start time" (the start time
tells a live process from a later one given the same pid) and a heartbeat. A job of a process
on this machine is dead as soon as that process is gone; one of another machine when its
heartbeat is older than STALE_AFTER (on PostgreSQL a thread beats while the commit writes;
SQLite has one machine and holds its write lock through the commit, so there the process is
what counts). A job whose rows were committed is done in the same transaction: the sweep
never sees it running."""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.rosters import reading
from tongxin.rosters.models import ImportJob, JobStatus

logger = logging.getLogger(__name__)

STALE_AFTER_DEFAULT = 45  # seconds without a heartbeat: the sweep runs every minute
EXPIRE_AFTER_DEFAULT = 24 * 3600  # a job nobody finished, and its file, go after a day
HEARTBEAT_EVERY = 10
TASK_PATH = "tongxin.rosters.tasks.run_import_job"


def stale_after() -> dt.timedelta:
    return dt.timedelta(
        seconds=int(getattr(settings, "ROSTER_JOB_STALE_SECONDS", STALE_AFTER_DEFAULT))
    )


def expire_after() -> dt.timedelta:
    return dt.timedelta(
        seconds=int(getattr(settings, "ROSTER_JOB_EXPIRE_SECONDS", EXPIRE_AFTER_DEFAULT))
    )


# ---- the worker ------------------------------------------------------------------------------


def _start_time(pid: int) -> str:
    """The process's start time in clock ticks since boot (Linux), or "" where unknown."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return ""
    return stat.rsplit(")", 1)[-1].split()[19]


def process_tag(pid: int | None = None) -> str:
    pid = os.getpid() if pid is None else pid
    return f"{socket.gethostname()}:{pid}:{_start_time(pid)}"


def worker_alive(tag: str) -> bool | None:
    """True or False for a process of this machine; None for another machine's."""
    host, _, rest = tag.partition(":")
    pid_text, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return None
    pid = int(pid_text)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # alive, another user's
    return not started or _start_time(pid) in ("", started)


def claim(job: ImportJob) -> None:
    """This process works on the job from now on."""
    now = timezone.now()
    tag = process_tag()
    ImportJob.objects.filter(pk=job.pk).update(worker=tag, heartbeat_at=now, updated_at=now)
    job.worker, job.heartbeat_at = tag, now


@contextmanager
def heartbeat(job: ImportJob) -> Iterator[None]:
    """While the block runs (a check, or a commit: one long transaction), a thread of this
    process marks the job alive every few seconds on a connection of its own. PostgreSQL
    only: SQLite's commit holds the database's write lock, and SQLite jobs are judged by
    their process."""
    if connection.vendor != "postgresql":
        yield
        return
    stop = threading.Event()

    def beat() -> None:
        try:
            while not stop.wait(HEARTBEAT_EVERY):
                ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now())
        except Exception:
            logger.warning("import job heartbeat stopped", exc_info=True)
        finally:
            close_old_connections()
            connection.close()

    thread = threading.Thread(target=beat, name=f"import-job-{job.pk}-heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


# ---- the sweep -------------------------------------------------------------------------------


def worker_died_message() -> str:
    return gettext("处理这份名册的后台进程意外中止，没有写入任何数据。请重新上传该文件。")


def queue_down_message() -> str:
    return gettext(
        "任务队列暂时无法使用，这份名册没有处理，也没有写入任何数据。请稍后重新上传该文件。"
    )


def expired_message() -> str:
    return gettext(
        "这份名册上传已超过一天仍未完成导入，已过期，上传的文件已删除。如需导入，请重新上传该文件。"
    )


def is_dead(job: ImportJob, now: dt.datetime | None = None) -> bool:
    """Whether a job that says it is being checked or written has nobody working on it."""
    now = now or timezone.now()
    if job.status not in (JobStatus.CHECKING, JobStatus.COMMITTING):
        return False
    if not job.worker:
        return False  # waiting in the queue for a worker; expired after a day if never taken
    alive = worker_alive(job.worker)
    if alive is not None:
        return not alive
    beat = job.heartbeat_at or job.updated_at
    return beat is None or now - beat > stale_after()


def fail(job: ImportJob, message: str, *, from_status: str) -> bool:
    """Mark the job failed unless it moved on meanwhile; delete its file and close its task
    row. False when another process got there first."""
    now = timezone.now()
    with transaction.atomic():
        changed = ImportJob.objects.filter(pk=job.pk, status=from_status).update(
            status=JobStatus.FAILED, message=message[:500], finished_at=now, updated_at=now
        )
        if changed:
            close_task_rows(job.pk)
    if changed:
        reading.delete(job.file_name)
        job.status, job.message, job.finished_at = JobStatus.FAILED, message[:500], now
    return bool(changed)


def close_task_rows(job_id: int) -> int:
    """The task backend's rows for this job that a dead worker left running or that would
    start it again: marked failed."""
    try:
        from django_tasks_db.models import DBTaskResult
    except ImportError:  # another task backend keeps no rows
        return 0
    from django_tasks.base import TaskResultStatus

    rows = DBTaskResult.objects.filter(
        task_path=TASK_PATH, status__in=[TaskResultStatus.RUNNING, TaskResultStatus.READY]
    ).only("id", "args_kwargs")
    ids = [r.pk for r in rows if (r.args_kwargs or {}).get("args", [None])[:1] == [job_id]]
    if not ids:
        return 0
    return DBTaskResult.objects.filter(pk__in=ids).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now()
    )


def recover(job: ImportJob) -> ImportJob:
    """The job as it should be shown: failed if its worker died (the job page asks)."""
    if is_dead(job):
        fail(job, worker_died_message(), from_status=job.status)
    return job


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Fail the jobs whose worker died, expire those nobody finished within a day, and delete
    roster files no live job holds. Idempotent; run every minute (tasks.sweep_import_jobs)."""
    now = now or timezone.now()
    counts = {"dead": 0, "expired": 0, "files": 0}
    running = ImportJob.objects.filter(status__in=[JobStatus.CHECKING, JobStatus.COMMITTING])
    for job in running.only("id", "status", "worker", "heartbeat_at", "updated_at", "file_name"):
        if is_dead(job, now) and fail(job, worker_died_message(), from_status=job.status):
            counts["dead"] += 1
    old = ImportJob.objects.filter(
        Q(status__in=[JobStatus.QUEUED, JobStatus.READY])
        | Q(status__in=[JobStatus.CHECKING, JobStatus.COMMITTING], worker=""),
        created_at__lt=now - expire_after(),
    )
    for job in old.only("id", "status", "file_name"):
        if fail(job, expired_message(), from_status=job.status):
            counts["expired"] += 1
    counts["files"] = delete_orphans(now)
    return counts


def delete_orphans(now: dt.datetime) -> int:
    """Roster files older than STALE_AFTER that no unfinished job names: left by a process
    that died between storing a file and recording or deleting it (the dues import reads
    its file within the request and deletes it there)."""
    folder = Path(settings.UPLOAD_ROOT) / "rosters"
    if not folder.is_dir():
        return 0
    held = set(
        ImportJob.objects.filter(
            status__in=[JobStatus.QUEUED, JobStatus.CHECKING, JobStatus.READY, JobStatus.COMMITTING]
        ).values_list("file_name", flat=True)
    )
    cutoff = time.time() - stale_after().total_seconds() - 3600
    deleted = 0
    for path in folder.iterdir():
        try:
            if f"rosters/{path.name}" not in held and path.stat().st_mtime < cutoff:
                path.unlink()
                deleted += 1
        except OSError:
            continue
    return deleted
