"""Targets for tests/core/test_guarded.py, run in the guarded child (no Django there)."""

from __future__ import annotations

from collections.abc import Iterator


def count(n: int) -> Iterator[int]:
    yield from range(n)


def hog(megabytes: int) -> Iterator[int]:
    """A runaway: holds ever more memory until it has `megabytes`."""
    held = []
    for i in range(megabytes):
        held.append(bytearray(1024 * 1024))
        if i % 256 == 0:
            yield i


def fail(cell: str) -> Iterator[int]:
    yield 1
    raise ValueError(f"a message quoting the cell {cell}")
