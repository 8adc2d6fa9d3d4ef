"""manage.py supervise: the task worker and the scheduler are started again when they die,
and stopping the supervisor stops them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from tongxin.core.management.commands import supervise as sup


def test_a_program_that_dies_is_started_again_and_stop_ends_all(tmp_path: Path) -> None:
    """'dies' exits at once each time; 'lives' runs until stopped. The supervisor starts
    'dies' again and again and 'lives' once; when told to stop, 'lives' is terminated."""
    pids = tmp_path / "lives.pid"
    programs = {
        "dies": [sys.executable, "-c", "raise SystemExit(1)"],
        "lives": [
            sys.executable,
            "-c",
            f"import os,time; open({str(pids)!r},'w').write(str(os.getpid())); time.sleep(600)",
        ],
    }
    stop = threading.Event()
    result: dict[str, dict[str, int]] = {}
    lines: list[str] = []

    def run() -> None:
        result["starts"] = sup.supervise(programs, stop, log=lines.append, backoff_start=0.01)

    thread = threading.Thread(target=run)
    thread.start()
    while sum("dies 已启动" in line for line in lines) < 3 or not pids.exists():
        assert thread.is_alive()
        time.sleep(0.05)
    stop.set()
    thread.join()
    assert result["starts"]["dies"] >= 3 and result["starts"]["lives"] == 1
    pid = int(pids.read_text())
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        pass  # terminated and reaped
    else:
        raise AssertionError("the supervised program outlived its supervisor")


def test_the_command_stops_its_programs_on_sigterm(tmp_path: Path) -> None:
    """The real command under SIGTERM (what `make run`'s trap sends): it stops, and so do the
    db_worker and periodic it started."""
    # A throwaway SQLite database of its own, whichever database the tests use.
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["TONGXIN_SQLITE_PATH"] = str(tmp_path / "db.sqlite3")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], env=env, check=True)
    proc = subprocess.Popen(
        [sys.executable, "manage.py", "supervise"], env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    children = []
    while len(children) < 2:
        line = proc.stdout.readline()
        assert line, "the supervisor ended early"
        if "已启动" in line:
            children.append(int(line.split("进程 ")[1].split("）")[0]))
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) == 0
    for pid in children:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            continue
        raise AssertionError(f"process {pid} outlived the supervisor")
