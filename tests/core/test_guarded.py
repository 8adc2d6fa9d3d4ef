"""The guarded child: what a runaway reader costs is its own process, never the caller's."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest

from tongxin.core import guarded


def test_items_come_back_in_order():
    assert list(guarded.run("tests.core.guard_targets:count", 3)) == [0, 1, 2]


def test_a_runaway_is_stopped_by_its_address_space_limit_and_this_process_goes_on():
    """The target would hold 4 GB; its limit is 256 MB. The caller gets a clean failure and
    its own limit is untouched."""
    before = resource.getrlimit(resource.RLIMIT_AS)
    got: list[int] = []
    with pytest.raises(guarded.GuardedFailure) as e:
        for item in guarded.run("tests.core.guard_targets:hog", 4096, memory=256 * 1024 * 1024):
            got.append(item)  # noqa: PERF402 -- keeps what came before the child was stopped
    assert e.value.reason in ("memory", "crashed")
    assert got and max(got) < 256  # it was stopped before reaching 256 MB
    assert resource.getrlimit(resource.RLIMIT_AS) == before
    assert bytearray(300 * 1024 * 1024)  # this process may still allocate more than the child


def test_an_error_in_the_target_is_reported_without_its_message():
    with pytest.raises(guarded.GuardedFailure) as e:
        list(guarded.run("tests.core.guard_targets:fail", "330206195501010011"))
    assert e.value.reason == "error"
    assert "ValueError" in e.value.detail and "330206" not in e.value.detail


def _children() -> set[int]:
    """This process's live or unreaped child processes (a zombie is listed until reaped)."""
    out: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        out.update(int(pid) for pid in (task / "children").read_text().split())
    return out


def test_closing_early_stops_the_child():
    # Other children may exist (the browser tests' driver in a full run): watch this one only.
    before = _children()
    items = guarded.run("tests.core.guard_targets:count", 10**9)
    assert next(items) == 0
    (child,) = _children() - before
    items.close()  # the finally clause kills and reaps the child: no zombie is left
    assert child not in _children()
    assert not Path(f"/proc/{child}").exists()
