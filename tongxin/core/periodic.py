"""The scheduler's lock: each run of a periodic task is enqueued by one scheduler only.

A run is named by its task and its slot, ``int(time.time() // every)``, the same number on
every machine whose clock is right. Before enqueueing a run a scheduler claims it: in Redis
(``SET key NX EX``) when ``TONGXIN_REDIS_URL`` is set, otherwise (or when Redis does not answer)
as a row of ``core.PeriodicRun`` under a unique constraint. Whoever claims first enqueues; the
others skip that run. So any number of ``manage.py periodic`` processes may run, on any number
of machines, and a task still runs once per period.
"""

from __future__ import annotations

import logging
import os
import socket
import time

from django.conf import settings
from django.db import IntegrityError, transaction

from tongxin.core.models import PeriodicRun

log = logging.getLogger(__name__)

KEY_PREFIX = "tongxin:periodic:"


def slot_of(every: int, now: float | None = None) -> int:
    return int((time.time() if now is None else now) // every)


def owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _claim_in_redis(url: str, task: str, slot: int, every: int) -> bool | None:
    """True or False from Redis; None when Redis cannot be asked."""
    # Imported here: redis is only needed when TONGXIN_REDIS_URL is set.
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        claimed = client.set(f"{KEY_PREFIX}{task}:{slot}", owner(), nx=True, ex=max(2 * every, 60))
    except redis.RedisError as exc:
        log.warning("scheduler lock: Redis did not answer (%s); using the database", exc)
        return None
    return bool(claimed)


def _claim_in_database(task: str, slot: int) -> bool:
    try:
        with transaction.atomic():
            PeriodicRun.objects.create(task=task, slot=slot, claimed_by=owner()[:200])
    except IntegrityError:
        return False
    # Keep the table small: earlier runs of this task are of no further use.
    PeriodicRun.objects.filter(task=task, slot__lt=slot - 100).delete()
    return True


def claim_run(task: str, every: int, now: float | None = None) -> bool:
    """Claim this period's run of ``task``: True for exactly one caller per run."""
    slot = slot_of(every, now)
    url = getattr(settings, "REDIS_URL", "")
    if url:
        claimed = _claim_in_redis(url, task, slot, every)
        if claimed is not None:
            return claimed
    return _claim_in_database(task, slot)
