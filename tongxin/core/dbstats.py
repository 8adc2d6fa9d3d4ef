"""Planner statistics after a bulk write: an import that adds thousands of rows to a table
leaves the query planner with the table's old shape (on PostgreSQL until autovacuum comes
round), and the next list page may pick a poor plan. Refreshing them costs a sample of the
table, so it is done only after a write of some size."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.db import connection

logger = logging.getLogger(__name__)

MIN_ROWS = 1000  # below this a write does not change a table's shape enough to matter
SQLITE_ANALYSIS_LIMIT = 1000  # rows sampled per index on SQLite: a quick estimate


def refresh_statistics(tables: Iterable[str], rows_written: int) -> bool:
    """ANALYZE the tables just written (outside any transaction of the write's own). Whether
    it ran; a failure is logged, never raised: the rows are in already."""
    if rows_written < MIN_ROWS:
        return False
    names = [connection.ops.quote_name(t) for t in tables]
    try:
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(f"ANALYZE {', '.join(names)}")
            elif connection.vendor == "sqlite":
                cur.execute(f"PRAGMA analysis_limit = {SQLITE_ANALYSIS_LIMIT}")
                for name in names:
                    cur.execute(f"ANALYZE {name}")
            else:
                return False
    except Exception:
        logger.warning("refreshing planner statistics failed", exc_info=True)
        return False
    return True
