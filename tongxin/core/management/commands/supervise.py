from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

PROGRAMS = {
    "db_worker": ["db_worker", "--queue-name", "*"],
    "periodic": ["periodic"],
}
# TONGXIN_TASK_BACKEND=rq: the worker takes tasks from Redis; the job class runs django-tasks'
# tasks (and records their results) as the database worker does.
RQ_WORKER = [
    "rqworker",
    "--job-class",
    "django_tasks_rq.backend.Job",
    "--with-scheduler",
    "default",
]


def programs_for(backend: str) -> dict[str, list[str]]:
    if backend == "rq":
        return {"rqworker": RQ_WORKER, "periodic": PROGRAMS["periodic"]}
    return dict(PROGRAMS)


BACKOFF_MAX = 30.0  # seconds between restarts of a program that keeps dying at once
HEALTHY_AFTER = 60.0  # a run this long resets the backoff
STOP_GRACE = 20.0  # seconds a program gets to finish its task after being told to stop


def supervise(
    programs: Mapping[str, Sequence[str]],
    stop: threading.Event,
    *,
    log: Callable[[str], None] = print,
    backoff_start: float = 1.0,
) -> dict[str, int]:
    """Run every program; start again any that ends, until `stop` is set; then stop them all
    (SIGTERM, then SIGKILL after STOP_GRACE). How many times each was started."""
    procs: dict[str, subprocess.Popen[bytes]] = {}
    started_at: dict[str, float] = {}
    due: dict[str, float] = dict.fromkeys(programs, 0.0)
    backoff: dict[str, float] = dict.fromkeys(programs, backoff_start)
    starts: dict[str, int] = dict.fromkeys(programs, 0)
    try:
        while not stop.is_set():
            now = time.monotonic()
            for name, argv in programs.items():
                proc = procs.get(name)
                if proc is not None and proc.poll() is None:
                    continue
                if proc is not None:
                    ran = now - started_at[name]
                    backoff[name] = (
                        backoff_start
                        if ran >= HEALTHY_AFTER
                        else min(backoff[name] * 2, BACKOFF_MAX)
                    )
                    due[name] = now + backoff[name]
                    log(
                        f"{name} 已退出（状态 {proc.returncode}），{backoff[name]:.0f} 秒后重新启动。"
                    )
                    del procs[name]
                if now >= due[name]:
                    # (argv: this command's own fixed table of processes, no user input)
                    procs[name] = subprocess.Popen(list(argv))  # noqa: S603
                    started_at[name] = now
                    starts[name] += 1
                    log(f"{name} 已启动（进程 {procs[name].pid}）。")
            stop.wait(0.5)
    finally:
        for proc in procs.values():
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + STOP_GRACE
        for proc in procs.values():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    return starts


class Command(BaseCommand):
    help = "运行任务进程（db_worker，或 TONGXIN_TASK_BACKEND=rq 时的 rqworker）和定时任务进程（periodic），任一退出即重新启动；Ctrl-C 或 SIGTERM 停止全部。"

    def handle(self, *args: Any, **kw: Any) -> None:
        stop = threading.Event()

        def on_signal(signum: int, frame: Any) -> None:
            stop.set()

        # SIGINT too: `make run` starts this in the background, where a shell ignores Ctrl-C,
        # and its trap sends SIGTERM; `make worker` runs it in the foreground.
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        manage = [sys.executable, sys.argv[0]]
        chosen = programs_for(getattr(settings, "TASK_BACKEND", "db"))
        programs = {name: [*manage, *argv] for name, argv in chosen.items()}

        def log(line: str) -> None:
            self.stdout.write(line)
            self.stdout.flush()

        supervise(programs, stop, log=log)
        log("任务进程已全部停止。")
