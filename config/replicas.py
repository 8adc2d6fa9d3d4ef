"""Read replicas from ``TONGXIN_REPLICA_URL`` (read by config/settings.py).

One or more PostgreSQL streaming replicas, comma-separated:
``postgres://tongxin@replica1:5432/tongxin,postgres://tongxin@replica2:5432/tongxin``. Each
becomes a database alias ``replica1``, ``replica2``, … beside ``default`` (the primary); the
router in tongxin/core/replica.py sends only the reads marked ``reads_from_replica()`` there.
A malformed value stops the start with a message naming the entry; a replica that does not
answer is not an error: reads go to the primary until it does.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import dj_database_url
from dj_database_url import DBConfig
from django.core.exceptions import ImproperlyConfigured

POSTGRES_SCHEMES = ("postgres", "postgresql", "pgsql", "postgis")
POSTGRES_ENGINES = ("django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis")


def _shown(url: str) -> str:
    """The entry as it may appear in a message: without its password."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<unparsable>"
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return parts._replace(netloc=netloc).geturl()
    return url


def replica_databases(
    value: str, primary: DBConfig | dict[str, Any], *, connect_timeout: int = 2
) -> dict[str, DBConfig]:
    """The ``DATABASES`` entries of the replicas named in ``value`` (empty when it is empty).

    Raises ImproperlyConfigured, naming the variable and the bad entry, for anything that
    could only fail later: an entry that is not a PostgreSQL URL with a host and a database,
    or replicas of a primary that is not PostgreSQL."""
    entries = [item.strip() for item in value.split(",") if item.strip()]
    if not entries:
        return {}
    if primary.get("ENGINE") not in POSTGRES_ENGINES:
        raise ImproperlyConfigured(
            "TONGXIN_REPLICA_URL needs a PostgreSQL primary (DATABASE_URL=postgres://…); "
            f"the primary is {primary.get('ENGINE')}."
        )
    databases: dict[str, DBConfig] = {}
    for n, url in enumerate(entries, start=1):
        scheme = url.split("://", 1)[0].lower() if "://" in url else ""
        if scheme not in POSTGRES_SCHEMES:
            raise ImproperlyConfigured(
                f"TONGXIN_REPLICA_URL entry {n} ({_shown(url)!r}) is not a PostgreSQL URL: "
                "expected postgres://user@host:port/dbname, several separated by commas."
            )
        try:
            db = dj_database_url.parse(url, conn_max_age=60)
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"TONGXIN_REPLICA_URL entry {n} ({_shown(url)!r}) cannot be read: {exc}"
            ) from exc
        if not db.get("HOST") or not db.get("NAME"):
            raise ImproperlyConfigured(
                f"TONGXIN_REPLICA_URL entry {n} ({_shown(url)!r}) needs a host and a "
                "database name: postgres://user@host:port/dbname."
            )
        options = dict(db.get("OPTIONS") or {})
        # A replica that does not answer must cost a page seconds at most, once per check.
        options.setdefault("connect_timeout", connect_timeout)
        db["OPTIONS"] = options
        # Tests: the replica reads the primary's test database (a streaming replica has it;
        # elsewhere the alias is the same database under another name).
        db["TEST"] = {"MIRROR": "default"}
        databases[f"replica{n}"] = db
    return databases
