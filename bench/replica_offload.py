"""replica_offload: the 工作台 and the 应建尽建 coverage audit with a streaming replica
configured (run by ``scripts/cluster.sh bench``: a real primary and replica, sessions in Redis).
Ours: the pages with their reads on the replica; the share of their statements that still ran on
the primary. Baseline: the same pages on the primary alone (the replica treated as lagging, so
the router leaves it: the fallback every user gets when a replica falls behind).

Without TONGXIN_REPLICA_URL there is nothing to measure: it says so and records nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.test import Client
from django.test.utils import CaptureQueriesContext, override_settings

from bench.benchmarks import ensure_demo
from bench.util import Context, report, timed_pair
from tongxin.accounts.models import User
from tongxin.core import replica

PAGES = {"工作台": "/", "应建尽建": "/grids/coverage/"}
PROBE = "pg_is_in_recovery"


def counted(fn: Callable[[], Any], alias: str) -> tuple[int, int]:
    """Statements ``fn`` ran on the primary and on ``alias`` (the lag probe left out)."""
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[alias]) as standby,
    ):
        fn()
    return len(primary.captured_queries), sum(
        PROBE not in q["sql"] for q in standby.captured_queries
    )


def run(ctx: Context) -> None:
    aliases = replica.replica_aliases()
    if not aliases:
        print(
            "replica_offload: 未配置只读副本（TONGXIN_REPLICA_URL），跳过；用 scripts/cluster.sh bench 运行"
        )
        return
    alias = aliases[0]
    # The baseline turns the replica away on purpose, each time: not worth a warning per run.
    logging.getLogger("tongxin.core.replica").setLevel(logging.ERROR)
    ensure_demo(ctx)
    client = Client()
    client.force_login(
        User.objects.get(username="zuzhibu"), backend="tongxin.accounts.backends.AccountBackend"
    )
    for label, url in PAGES.items():

        def page(url: str = url) -> Any:
            r = client.get(url)
            assert r.status_code == 200, (url, r.status_code)
            return r

        def on_primary(url: str = url) -> Any:
            # A lag no replica can meet: the router reads the primary, as it does for anyone
            # while a replica lags.
            with override_settings(TONGXIN_REPLICA_MAX_LAG=-1):
                replica.forget_health()
                try:
                    return page(url)
                finally:
                    replica.forget_health()

        assert page().get("X-Tongxin-Read-From") == alias, "the page did not read the replica"
        assert on_primary().get("X-Tongxin-Read-From") is None
        runs = 15
        ours_s, base_s, _r, _b = timed_pair(page, on_primary, runs=runs, warmup=2)
        primary_n, replica_n = counted(page, alias)
        share = primary_n / max(1, primary_n + replica_n)
        report(
            ctx,
            "replica_offload",
            n=primary_n + replica_n,
            ours=ours_s * 1000,
            baseline=base_s * 1000,
            unit="ms",
            target=("ratio", 1.2),
            runs=runs,
            write=label == "工作台",
            page=label,
            url=url,
            primary_statements=primary_n,
            replica_statements=replica_n,
            primary_share=round(share, 4),
            primary_share_met=share <= 0.05,
            note="full request as zuzhibu (city root) with the replica vs the primary alone; "
            "primary_share target <= 0.05",
        )
