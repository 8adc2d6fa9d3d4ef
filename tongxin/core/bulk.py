"""The bulk write path shared by the demo loader and the roster imports: ``executemany`` on
SQLite, ``COPY`` on PostgreSQL, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import islice
from typing import Any

from django.db import connection


def bulk_insert(
    table: str,
    columns: list[str],
    rows: Iterable[tuple[Any, ...]],
    batch: int = 20000,
    types: list[str] | None = None,
) -> int:
    """Writes ``rows`` (tuples in the order of ``columns``) into ``table``; returns how many.
    ``types``: the PostgreSQL types of ``columns``, for a binary COPY (values as Python
    objects of those types, no text to format: about three times faster on the client)."""
    n = 0
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    connection.ensure_connection()
    raw = connection.connection
    if connection.vendor == "postgresql":
        binary = " (FORMAT BINARY)" if types else ""
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({quoted}) FROM STDIN{binary}") as copy:
            if types:
                copy.set_types(types)
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


def sync_sequences(*tables: str) -> None:
    """After rows were written with their own ids (COPY, or INSERTs naming the id), move each
    table's id sequence on PostgreSQL past the largest id, so that the next ordinary insert
    does not collide. A sequence is never moved back: a reload whose transaction is rolled
    back (a failed ``demo --reset``) leaves the old rows and ids, and a sequence lowered to the
    reload's ids would hand out ids those old rows hold. (SQLite needs nothing: its
    AUTOINCREMENT counter follows the rows and rolls back with them.)"""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cur:
        for table in tables:
            # (table names from model metadata; quote_name for the FROM, a literal for the lookup)
            cur.execute(
                "SELECT setval(s, GREATEST("  # noqa: S608
                f"COALESCE((SELECT MAX(id) FROM {connection.ops.quote_name(table)}), 1), "
                "COALESCE(pg_sequence_last_value(s::regclass), 1))) "
                "FROM pg_get_serial_sequence(%s, 'id') AS s",
                [table],
            )
