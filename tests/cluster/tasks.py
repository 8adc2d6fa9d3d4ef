"""Tasks for the RQ tests of tests/cluster: each notes which worker process ran it, in Redis."""

from __future__ import annotations

import os
import time

import redis
from django_tasks import task

DONE = "tongxin:cluster:done"


@task()
def note(i: int) -> int:
    client = redis.Redis.from_url(os.environ["TONGXIN_REDIS_URL"])
    # RQ runs each job in a child of the worker ("work horse"): the parent names the worker.
    client.rpush(DONE, f"{i}:{os.getppid()}")
    time.sleep(0.01)
    return i
