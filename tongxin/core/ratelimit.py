"""Fixed-window counters in the cache: how many times a key was used in the current window.

The cache is the one in settings.CACHES: per process unless TONGXIN_REDIS_URL names a Redis
server (then shared by every worker, which is what a deployment with several workers wants)."""

from __future__ import annotations

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)


def hit(name: str, key: object, *, window: int) -> int:
    """Count one use of ``key`` under ``name`` in the current ``window`` seconds; returns the
    count so far in this window, this use included."""
    slot = int(time.time() // window)
    counter = f"ratelimit:{name}:{key}:{slot}"
    try:
        cache.add(counter, 0, timeout=window + 30)
        try:
            return int(cache.incr(counter))
        except ValueError:  # evicted between add and incr
            cache.set(counter, 1, timeout=window + 30)
            return 1
    except Exception:
        # The cache server is down: let the request through (a limit that cannot count must
        # not take the service down with it) and say so in the log.
        logger.warning("rate limit %s not counted: the cache is unavailable", name, exc_info=True)
        return 0
