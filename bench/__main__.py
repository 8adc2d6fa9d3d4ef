"""python -m bench --scale town|city --db sqlite|postgresql [--only NAME[,NAME...]]

Every run starts from a fresh database: a new SQLite file under var/bench/, or the database
``tongxin_bench`` (dropped and recreated; ``TONGXIN_BENCH_DB`` names another, so that two runs on
one server do not drop each other's) on the PostgreSQL server of DATABASE_URL. The database
named in DATABASE_URL itself is never touched.

``--keep`` reuses the bench database as a previous run left it (SQLite file or PostgreSQL
database), when there is one: building a city takes most of an hour, and a benchmark that
only reads the domain data (rollup_refresh, the pages) can be rerun on it. The demo is
loaded only into an empty database, so a kept one is measured with the data it holds.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
from pathlib import Path
from urllib.parse import urlsplit

from bench.util import Context

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["demo_city", "subtree_count", "roster_page"]
# Module benchmarks live in bench/<name>.py with run(ctx); a name whose file is missing is skipped.
MODULE_NAMES = [
    "member_import",
    "subtree_count_after_import",
    "roster_page_after_import",
    "coverage_audit",
    "compliance_city",
    "checkin",
    "open311_post",
    "overdue_sweep",
    "match_suggest",
    "board_page",
    "ballot_post",
    "warnings_sweep",
    "notify_fanout",
    "redmap_page",
    "site_checkin",
    "power_register",
    "topic_page",
    "vote_tally",
    "fund_balance",
    "cockpit_page",
    "rollup_refresh",
    "pioneer_index",
    "points_page",
    # A primary, a streaming replica and Redis: scripts/cluster.sh bench (skipped elsewhere).
    "replica_offload",
    "rq_throughput",
]
DEFAULT_PG = "postgres://postgres@127.0.0.1:5432/test"
PG_BENCH_DB = os.environ.get("TONGXIN_BENCH_DB") or "tongxin_bench"


def fresh_sqlite(scale: str, keep: bool = False) -> None:
    path = ROOT / "var" / "bench" / f"tongxin-{scale}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        if not keep:
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    os.environ.pop("DATABASE_URL", None)
    os.environ["TONGXIN_SQLITE_PATH"] = str(path)


def fresh_postgresql(keep: bool = False) -> None:
    import psycopg

    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", PG_BENCH_DB):
        sys.exit(f"TONGXIN_BENCH_DB 须为小写字母、数字和下划线组成的数据库名：{PG_BENCH_DB!r}")
    url = urlsplit(os.environ.get("DATABASE_URL") or DEFAULT_PG)
    admin = url._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [PG_BENCH_DB]
        ).fetchone()
        if not (keep and exists):
            conn.execute(f"DROP DATABASE IF EXISTS {PG_BENCH_DB} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {PG_BENCH_DB}")
    os.environ["DATABASE_URL"] = url._replace(path=f"/{PG_BENCH_DB}").geturl()
    # A streaming replica follows the primary's new database too (scripts/cluster.sh bench).
    if os.environ.get("TONGXIN_REPLICA_URL"):
        os.environ["TONGXIN_REPLICA_URL"] = ",".join(
            urlsplit(u)._replace(path=f"/{PG_BENCH_DB}").geturl()
            for u in os.environ["TONGXIN_REPLICA_URL"].split(",")
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--scale", choices=["town", "city"], default="town")
    parser.add_argument("--db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument(
        "--keep",
        action="store_true",
        help="reuse the bench database a previous run left (no drop, no rebuild)",
    )
    parser.add_argument(
        "--only", help="comma-separated benchmark names: " + ", ".join(NAMES + MODULE_NAMES)
    )
    args = parser.parse_args()

    if args.db == "sqlite":
        fresh_sqlite(args.scale, args.keep)
    else:
        fresh_postgresql(args.keep)
    # Production-like: no debug cursor wrapper. Development keys are fine for throwaway data.
    os.environ["TONGXIN_DEBUG"] = "0"
    os.environ.setdefault("TONGXIN_SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("TONGXIN_PII_KEY", "bench-only-pii-key")
    # Pages name static files through the finders: a fresh clone has run no collectstatic, and
    # the manifest's lookup is not what the page benchmarks measure.
    os.environ.setdefault("TONGXIN_STATIC_MANIFEST", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    sys.path.insert(0, str(ROOT))

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0, interactive=False)

    from bench import benchmarks

    ctx = Context(scale=args.scale, db=args.db)
    import importlib

    chosen = args.only.split(",") if args.only else NAMES + MODULE_NAMES
    unknown = [n for n in chosen if n not in NAMES + MODULE_NAMES]
    if unknown:
        parser.error(f"未知的基准：{', '.join(unknown)}")
    # One failing benchmark must not hide the others: each runs, a failure is printed with its
    # traceback, and the run exits non-zero at the end if any failed.
    failed: list[str] = []
    for name in chosen:
        try:
            if hasattr(benchmarks, name):
                getattr(benchmarks, name)(ctx)
            elif (ROOT / "bench" / f"{name}.py").exists():
                importlib.import_module(f"bench.{name}").run(ctx)
            else:
                print(f"{name}: 尚未实现，跳过")
        except Exception:
            failed.append(name)
            print(f"{name}: 失败", file=sys.stderr)
            traceback.print_exc()
            from django.db import connection

            # A failure inside a transaction leaves PostgreSQL's connection unusable.
            connection.close()
    if failed:
        print(f"失败的基准：{', '.join(failed)}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
