"""A large roster commit on two cores: a forked child reads and checks the file (looking ID
numbers up on a connection of its own) while the parent writes each checked chunk in its
transaction."""

from __future__ import annotations

import datetime as dt
import gc
import logging
import multiprocessing
import threading
import traceback
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django.db import connection

from tongxin.core.errors import ServiceError
from tongxin.geo.models import Area
from tongxin.members.models import Member
from tongxin.rosters.member_writing import bulk_cache
from tongxin.rosters.outcome import Outcome, Rollback

if TYPE_CHECKING:
    from django.db.backends.sqlite3.base import DatabaseWrapper as SQLiteWrapper

    from tongxin.rosters.importer import MemberImport

logger = logging.getLogger(__name__)

PARALLEL_BYTES_DEFAULT = 2 * 1024 * 1024  # about 35,000 rows of xlsx
CHILD_SILENCE = 300  # seconds without a message from the check process before giving up


def parallel_possible(path: Any) -> bool:
    """Whether a commit of this file reads and checks in a second process: a large file,
    where fork exists, and a database a second connection can open (not SQLite in memory,
    as the test database is)."""
    from django.conf import settings

    limit = int(getattr(settings, "ROSTER_PARALLEL_BYTES", PARALLEL_BYTES_DEFAULT))
    if "fork" not in multiprocessing.get_all_start_methods():
        return False
    if threading.current_thread() is not threading.main_thread():
        # A request thread of a threaded web server: another thread may hold a lock (logging,
        # imports) at the fork, which the child would never see released. The task worker and
        # single-threaded servers run imports on their main thread.
        return False
    if connection.vendor == "sqlite" and cast("SQLiteWrapper", connection).is_in_memory_db():
        return False
    try:
        return Path(path).stat().st_size >= limit
    except OSError:
        return False


def run_parallel(
    importer: MemberImport, path: Any, file_format: str, original_name: str
) -> Outcome:
    """A large commit on two cores: a forked child reads the file, checks every row (looking
    ID numbers up on a connection of its own) and encrypts, chunk by chunk; this process
    writes each chunk in the caller's transaction as it arrives. The pipe between them
    holds a few chunks, so neither runs far ahead. The child sees the database as it was
    when the import began: a number written twice in the file is caught by the file's own
    duplicate check, and a member registered by someone else meanwhile fails the unique
    index and rolls the whole import back."""
    ctx = multiprocessing.get_context("fork")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(
        target=_child_main,
        args=(importer, path, file_format, original_name, send, receive),
        daemon=True,
    )
    # The child's garbage collector would touch every object it inherited and so copy the
    # parent's whole heap page by page; frozen objects are left alone.
    gc.freeze()
    try:
        child.start()
    finally:
        gc.unfreeze()
    send.close()
    out: Outcome | None = None
    finished = False
    try:
        with bulk_cache(enabled=True):
            while out is None:
                message = _receive(receive, child)
                kind = message[0]
                if kind == "chunk":
                    if message[1] or message[2]:
                        importer._write(message[1], message[2])
                elif kind == "done":
                    out = message[1]
                elif kind == "refused":
                    raise ServiceError(message[1], fields=message[2])
                else:
                    logger.error("roster check process failed:\n%s", message[1])
                    raise RuntimeError("roster check process failed")
            if out.error_rows == 0:
                importer._write_history()
        finished = True
    finally:
        receive.close()
        if not finished:
            # This process failed while the child may still be checking or blocked on the
            # full pipe: stop it now, before the caller's transaction rolls back.
            child.kill()
        child.join()
    importer.last_outcome = out
    if out.error_rows:
        raise Rollback()
    return out


def _receive(receive: Any, child: Any) -> Any:
    """The child's next message. A child that dies or falls silent for CHILD_SILENCE
    seconds (a chunk takes well under one) fails the import instead of holding the
    transaction open."""
    waited = 0.0
    while not receive.poll(1.0):
        waited += 1.0
        if not child.is_alive() and not receive.poll(0):
            raise RuntimeError("roster check process ended without a result")
        if waited >= CHILD_SILENCE:
            raise RuntimeError("roster check process stopped answering")
    try:
        return receive.recv()
    except EOFError:
        raise RuntimeError("roster check process ended without a result") from None


def _child_main(
    importer: MemberImport, path: Any, file_format: str, original_name: str, send: Any, receive: Any
) -> None:
    """The forked child's whole life. It never touches the connections it inherited (they
    belong to the parent's transaction) and leaves through os._exit, as multiprocessing's
    fork does, so no finalizer closes them either. It closes its copy of the pipe's reading
    end first: once the parent stops reading, sending fails instead of blocking."""
    receive.close()
    try:
        try:
            importer._child_pass(path, file_format, original_name, send)
        except ServiceError as e:
            send.send(("refused", e.message, e.fields))
        except Exception as e:
            # Where it failed, not the message: messages can quote cell values (ID numbers).
            where = "".join(traceback.format_tb(e.__traceback__))
            send.send(("failed", f"{where}{type(e).__name__}"))
    except OSError:
        pass  # the parent stopped listening: it has failed already and rolls back
    finally:
        send.close()


MATCH_SQL_COLUMNS = [
    ("id", "m.id"),
    ("id_number_index", "m.id_number_index"),
    ("org_id", "m.org_id"),
    ("org_path", "m.org_path"),
    ("residence__path", "a.path"),
    ("name", "m.name"),
    ("ethnicity", "m.ethnicity"),
    ("education", "m.education"),
    ("status", "m.status"),
    ("standing", "m.standing"),
    ("joined_on", "m.joined_on"),
    ("confirmed_on", "m.confirmed_on"),
    ("is_floating", "m.is_floating"),
    ("floating_to", "m.floating_to"),
    ("is_lost_contact", "m.is_lost_contact"),
    ("is_model_post", "m.is_model_post"),
    ("is_party_household", "m.is_party_household"),
    ("phone_enc", "m.phone_enc"),
]
_DATE_KEYS = ("joined_on", "confirmed_on")
_BOOL_KEYS = ("is_floating", "is_lost_contact", "is_model_post", "is_party_household")


def members_by_index_raw(raw: Any, indexes: list[str]) -> list[dict[str, Any]]:
    """selectors.members_by_index on a driver connection of the child's own, as the same
    dicts (dates as dates, flags as booleans). tests/rosters/test_parallel.py compares both."""
    if not indexes:
        return []
    cols = ", ".join(expr for _k, expr in MATCH_SQL_COLUMNS)
    keys = [k for k, _e in MATCH_SQL_COLUMNS]
    base = (
        # (SQL names from model metadata and constants; every value is a parameter)
        f"SELECT {cols} FROM {Member._meta.db_table} m LEFT JOIN {Area._meta.db_table} a "  # noqa: S608
        f"ON a.id = m.residence_id WHERE "
    )
    cur = raw.cursor()
    try:
        if connection.vendor == "postgresql":
            cur.execute(base + "m.id_number_index = ANY(%s)", [indexes])
        else:
            cur.execute(base + f"m.id_number_index IN ({', '.join('?' * len(indexes))})", indexes)
        out = []
        for row in cur.fetchall():
            d = dict(zip(keys, row, strict=True))
            for k in _DATE_KEYS:
                if isinstance(d[k], str):
                    d[k] = dt.date.fromisoformat(d[k])
            for k in _BOOL_KEYS:
                d[k] = bool(d[k])
            out.append(d)
        return out
    finally:
        cur.close()
