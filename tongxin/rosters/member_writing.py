"""The bulk write of a member roster: values sealed as pii seals them (faster, for many), the
column order of the rows inserted, member ids handed out before the insert, and SQLite's page
cache while a commit writes."""

from __future__ import annotations

import base64
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from tongxin.core import pii
from tongxin.members.models import Member


class Sealer:
    """pii.encrypt and pii.blind_index for many values: the same format and keys, with the
    nonces drawn from the OS in one call per few thousand values, and the HMAC one-shot.
    tests/rosters/test_rules.py checks that pii.decrypt reads what this writes."""

    POOL = 12 * 4096

    def __init__(self) -> None:
        from django.conf import settings

        self.aes, idx = pii._keys(settings.PII_KEY)
        self.prefix = f"{settings.PII_KEY_ID}:"
        self.pool = b""
        self.at = 0
        # HMAC-SHA256 (RFC 2104) with the key's inner and outer pads hashed once: each value
        # then costs two hash copies instead of a full HMAC set-up.
        block = idx.ljust(64, b"\0")
        self.inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self.outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def encrypt(self, value: str) -> str:
        if self.at + 12 > len(self.pool):
            self.pool, self.at = os.urandom(self.POOL), 0
        nonce = self.pool[self.at : self.at + 12]
        self.at += 12
        return (
            self.prefix
            + base64.b64encode(nonce + self.aes.encrypt(nonce, value.encode(), None)).decode()
        )

    def index(self, value: str) -> str:
        inner = self.inner.copy()
        inner.update(value.encode())
        outer = self.outer.copy()
        outer.update(inner.digest())
        return outer.hexdigest()[:32]


MEMBER_INSERT = [
    "id",
    "name",
    "gender",
    "ethnicity",
    "education",
    "id_number_enc",
    "id_number_index",
    "phone_enc",
    "phone_index",
    "id_number_masked",
    "phone_masked",
    "birth_date",
    "joined_on",
    "confirmed_on",
    "status",
    "standing",
    "org_id",
    "org_path",
    "residence_id",
    "work_unit_id",
    "is_floating",
    "floating_to",
    "is_lost_contact",
    "is_model_post",
    "is_party_household",
    "created_at",
    "updated_at",
]
HISTORY_INSERT = [
    "member_id",
    "kind",
    "from_org_id",
    "to_org_id",
    "from_org_name",
    "to_org_name",
    "on",
    "note",
]


class IdAllocator:
    """Member ids for the rows a commit inserts, so their history rows can point at them.
    SQLite: the transaction holds the write lock (transaction_mode IMMEDIATE), so the next ids
    after the largest ever used are ours. PostgreSQL: drawn from the column's sequence."""

    def __init__(self) -> None:
        self.next_id: int | None = None

    def take(self, n: int) -> list[int]:
        table = Member._meta.db_table
        with connection.cursor() as cur:
            if connection.vendor == "postgresql":
                cur.execute(
                    # (SQL names from model metadata and constants; every value is a parameter)
                    f"SELECT nextval(pg_get_serial_sequence('{table}', 'id')) "  # noqa: S608
                    "FROM generate_series(1, %s)",
                    [n],
                )
                return [r[0] for r in cur.fetchall()]
            if self.next_id is None:
                # (SQL names from model metadata and constants; every value is a parameter)
                cur.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608
                top = cur.fetchone()[0]
                cur.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
                seq = cur.fetchone()
                self.next_id = max(top, seq[0] if seq else 0) + 1
        first = self.next_id
        self.next_id += n
        return list(range(first, first + n))


BULK_CACHE_KIB = 256 * 1024


@contextmanager
def bulk_cache(*, enabled: bool) -> Iterator[None]:
    """A large SQLite page cache while a commit writes: members_member's indexes (ID and phone
    blind indexes land at random places) are far larger than the connection's usual cache, and
    with it each insert reads pages back from the file. The connection's own size returns after."""
    if not enabled or connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("PRAGMA cache_size")
        before = cur.fetchone()[0]
        cur.execute(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cur:
            cur.execute(f"PRAGMA cache_size = {int(before)}")
