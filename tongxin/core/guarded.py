"""Run risky work (a spreadsheet reader on an uploaded file) in a child process whose address
space and CPU time are limited, so that a reader bug costs that one piece of work, never the
web or task worker that asked for it.

The child is a fresh interpreter (``python -m tongxin.core.guarded_child``), not a fork: a
fork of a threaded web worker could inherit a lock another thread held, and the child needs
nothing of the parent's. The target is a generator function named "module:function"; each
item it yields reaches the parent through a pipe, read back by an unpickler that builds
nothing but plain values and dates (the child reads untrusted files)."""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import os
import pickle
import signal
import subprocess
import sys
from collections.abc import Generator
from pathlib import Path
from typing import IO, Any

logger = logging.getLogger(__name__)

MEMORY_DEFAULT = 2 * 1024 * 1024 * 1024
CPU_SECONDS_DEFAULT = 900

_ALLOWED = {
    ("datetime", n): getattr(dt, n) for n in ("date", "datetime", "time", "timedelta", "timezone")
}


class GuardedFailure(Exception):
    """The child ended without finishing: ``reason`` is "memory" (it hit its address-space
    limit), "cpu" (its CPU time), "error" (the target raised) or "crashed" (killed or
    aborted by a signal, or ended without a word)."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(reason, detail)
        self.reason = reason
        self.detail = detail


class _PlainUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        found = _ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not a plain value")
        return found


def run(
    target: str, *args: Any, memory: int = MEMORY_DEFAULT, cpu_seconds: int = CPU_SECONDS_DEFAULT
) -> Generator[Any, None, None]:
    """The items `target(*args)` yields in the child, as they come. Raises GuardedFailure when
    the child dies or fails; closing the iterator early stops the child."""
    orders = {"target": target, "args": args, "memory": memory, "cpu": cpu_seconds}
    # The child finds this project (and the target) where the parent does, whatever its cwd.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p or str(Path.cwd()) for p in sys.path))
    proc = subprocess.Popen(
        [sys.executable, "-m", "tongxin.core.guarded_child"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        close_fds=True,
        env=env,
    )
    assert proc.stdin is not None and proc.stdout is not None
    finished = False
    try:
        proc.stdin.write(pickle.dumps(orders))
        proc.stdin.close()
        while True:
            message = _next(proc.stdout, proc)
            if message[0] == "item":
                yield message[1]
            elif message[0] == "end":
                finished = True
                return
            elif message[0] == "error":
                logger.error("guarded %s failed:\n%s", target, message[1])
                raise GuardedFailure("error", str(message[1]))
            else:
                raise GuardedFailure("memory")
    finally:
        if not finished:
            proc.kill()
        _close(proc.stdout)
        proc.wait()


def _next(stream: IO[bytes], proc: subprocess.Popen[bytes]) -> Any:
    try:
        # Each message is its own pickle, read by its own unpickler: the memo of the last
        # message must not shift this one's (protocol 4 numbers its memo entries in order).
        return _PlainUnpickler(stream).load()
    except (EOFError, pickle.UnpicklingError, ValueError, OSError):
        code = proc.wait()
        reason = "cpu" if code == -signal.SIGXCPU else "crashed"
        logger.warning("guarded child ended with status %s", code)
        raise GuardedFailure(reason, f"exit status {code}") from None


def _close(stream: IO[bytes]) -> None:
    with contextlib.suppress(OSError):
        stream.close()
