"""Rate-limit counters: one window per key, and shared by every worker through Redis."""

from __future__ import annotations

import socket
import time

import pytest
from django.core.cache import caches
from django.test import override_settings

from tongxin.core import ratelimit


def test_counts_per_key_within_a_window():
    caches["default"].clear()
    assert [ratelimit.hit("t", "a", window=60) for _ in range(3)] == [1, 2, 3]
    assert ratelimit.hit("t", "b", window=60) == 1
    assert ratelimit.hit("other", "a", window=60) == 1


def _redis_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis server at 127.0.0.1:6379")
def test_with_redis_two_workers_count_together():
    """What TONGXIN_REDIS_URL configures: two cache clients (two web workers) share counts."""
    redis = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/15",
        }
    }
    with override_settings(CACHES=redis):
        from django.core.cache.backends.redis import RedisCache

        other_worker = RedisCache("redis://127.0.0.1:6379/15", {})
        caches["default"].clear()
        assert ratelimit.hit("t", "k", window=3600) == 1
        # The other worker's client finds the same counter and counts on it.
        slot = int(time.time() // 3600)
        assert other_worker.incr(f"ratelimit:t:k:{slot}") == 2
        assert ratelimit.hit("t", "k", window=3600) == 3
        caches["default"].clear()


def test_an_unreachable_cache_lets_requests_through():
    """Redis down: the limit cannot count, and the request is not refused for it."""
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    with override_settings(CACHES=dead):
        assert ratelimit.hit("t", "k", window=60) == 0
