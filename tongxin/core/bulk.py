"""The bulk write path shared by the demo loader and the roster imports: ``executemany`` on
SQLite, ``COPY`` on PostgreSQL, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.db import connection


def bulk_insert(
    table: str, columns: list[str], rows: Iterable[tuple[Any, ...]], batch: int = 20000
) -> int:
    """Writes ``rows`` (tuples in the order of ``columns``) into ``table``; returns how many."""
    n = 0
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "postgresql":
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        return n
    # (SQL names from model metadata and constants; every value is a parameter)
    sql = f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(columns))})"  # noqa: S608
    cur = raw.cursor()
    try:
        it: Iterator[tuple[Any, ...]] = iter(rows)
        while chunk := list(islice(it, batch)):
            cur.executemany(sql, chunk)
            n += len(chunk)
    finally:
        cur.close()
    return n
