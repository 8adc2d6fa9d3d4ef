"""The small task rq_throughput runs 10,000 times (a module the worker processes can import)."""

from __future__ import annotations

from django_tasks import task


@task()
def tick(i: int) -> int:
    return i
