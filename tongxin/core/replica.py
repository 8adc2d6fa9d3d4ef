"""Read replicas: which reads may go to a PostgreSQL streaming replica, and when they may not.

Only reads marked at their call site go to a replica: a view or API handler decorated with
``@reads_from_replica()``, or a block ``with reads_from_replica():``. Everything else reads and
writes the primary (``default``): every write, every read inside a transaction, the session,
the login, the user and the audit log. Inside a marked read the replica is still skipped when

- no replica is configured (``TONGXIN_REPLICA_URL`` unset): the mark does nothing at all;
- the user wrote something within ``TONGXIN_READ_YOUR_WRITES_SECONDS`` (a signed cookie for the
  browser, a cache key for token clients): they see their own change at once;
- the replica lags more than ``TONGXIN_REPLICA_MAX_LAG`` seconds or does not answer; its replay
  lag is checked at most once every ``TONGXIN_REPLICA_CHECK_SECONDS`` per process;
- a transaction is open on the primary.

A decorated read that fails on the replica with a connection error marks the replica down and
runs again on the primary: no error page. A request served from a replica carries the time its
data is as of (``X-Tongxin-Data-As-Of``; pages show "数据截至 …").
"""

from __future__ import annotations

import contextlib
import functools
import logging
import random
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ParamSpec, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.db.models import Model
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

PRIMARY = "default"
COOKIE = "tx_recent_write"
COOKIE_SALT = "tongxin.core.replica"
SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# Always read from the primary, even inside a marked read: who is signed in, and the log of
# what they did (a login or an audit row must never be judged on stale data).
PRIMARY_ONLY = frozenset(
    {
        "sessions.session",
        "accounts.user",
        "accounts.apitoken",
        "auth.permission",
        "auth.group",
        "contenttypes.contenttype",
        "core.auditlog",
        "axes.accessattempt",
        "axes.accessfailurelog",
        "axes.accesslog",
    }
)


def replica_aliases() -> list[str]:
    return [alias for alias in settings.DATABASES if alias.startswith("replica")]


def max_lag() -> float:
    return float(getattr(settings, "TONGXIN_REPLICA_MAX_LAG", 10.0))


def check_every() -> float:
    return float(getattr(settings, "TONGXIN_REPLICA_CHECK_SECONDS", 5.0))


def read_your_writes_seconds() -> int:
    return int(getattr(settings, "TONGXIN_READ_YOUR_WRITES_SECONDS", 15))


# --- health ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Health:
    ok: bool
    checked: float  # time.monotonic() of the check
    lag: float | None = None  # seconds behind the primary
    as_of: datetime | None = None  # the replica's data is at least this recent
    reason: str = ""


_health: dict[str, Health] = {}
_health_lock = threading.Lock()

PROBE_SQL = (
    "SELECT pg_is_in_recovery(), now(), pg_last_xact_replay_timestamp(), "
    "pg_last_wal_receive_lsn() IS NOT NULL "
    "AND pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()"
)


def probe(alias: str) -> Health:
    """Ask the replica how far behind it is: one small query on its own connection."""
    now_mono = time.monotonic()
    conn = connections[alias]
    try:
        with conn.cursor() as cursor:
            cursor.execute(PROBE_SQL)
            in_recovery, now, replayed_at, caught_up = cursor.fetchone()
    except DatabaseError as exc:
        _close_quietly(alias)
        return Health(ok=False, checked=now_mono, reason=f"unreachable: {exc}".strip())
    if not in_recovery:
        return Health(ok=False, checked=now_mono, reason="not a replica (not in recovery)")
    if caught_up:
        lag, as_of = 0.0, now
    elif replayed_at is None:
        return Health(ok=False, checked=now_mono, reason="nothing replayed yet")
    else:
        lag, as_of = max(0.0, (now - replayed_at).total_seconds()), replayed_at
    if lag > max_lag():
        return Health(False, now_mono, lag, as_of, f"lag {lag:.1f}s > {max_lag():g}s")
    return Health(True, now_mono, lag, as_of)


def _close_quietly(alias: str) -> None:
    with contextlib.suppress(DatabaseError):
        connections[alias].close()


def health(alias: str, *, fresh: bool = False) -> Health:
    """The replica's last known health, checked again when older than check_every()."""
    known = _health.get(alias)
    if not fresh and known is not None and time.monotonic() - known.checked < check_every():
        return known
    with _health_lock:
        known = _health.get(alias)
        if not fresh and known is not None and time.monotonic() - known.checked < check_every():
            return known
        result = probe(alias)
        if not result.ok and (known is None or known.ok):
            log.warning("replica %s not used, reads go to the primary: %s", alias, result.reason)
        elif result.ok and known is not None and not known.ok:
            log.warning("replica %s back in use (lag %.1fs)", alias, result.lag or 0.0)
        _health[alias] = result
        return result


def mark_down(alias: str, reason: str) -> None:
    """A read on the replica failed: skip it until the next check."""
    _close_quietly(alias)
    with _health_lock:
        _health[alias] = Health(ok=False, checked=time.monotonic(), reason=reason)
    log.warning("replica %s failed during a read, reads go to the primary: %s", alias, reason)


def forget_health() -> None:
    """Check every replica afresh at the next read (tests; after changing a setting)."""
    with _health_lock:
        _health.clear()


# --- per request ---------------------------------------------------------------------------


@dataclass
class RequestState:
    request: HttpRequest | None = None
    pinned: bool = False  # the user wrote recently: read the primary
    user_checked: bool = False  # the user known after the API's token check was looked at
    as_of: datetime | None = None  # the oldest replica data this response used
    replica: str | None = None
    replica_reads: int = 0


_request_state: ContextVar[RequestState | None] = ContextVar("replica_request", default=None)
_active: ContextVar[str | None] = ContextVar("replica_active", default=None)


def _user_key(user_pk: Any) -> str:
    return f"tongxin:replica:recent-write:{user_pk}"


def wrote_recently(request: HttpRequest) -> bool:
    window = read_your_writes_seconds()
    if window <= 0:
        return False
    if request.get_signed_cookie(COOKIE, default=None, salt=COOKIE_SALT, max_age=window):
        return True
    return _user_wrote_recently(request)


def _user_wrote_recently(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return bool(cache.get(_user_key(user.pk)))
    return False


def remember_write(request: HttpRequest, response: HttpResponse) -> None:
    window = read_your_writes_seconds()
    if window <= 0:
        return
    response.set_signed_cookie(
        COOKIE,
        str(int(time.time())),
        salt=COOKIE_SALT,
        max_age=window,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        cache.set(_user_key(user.pk), 1, window)


class ReplicaMiddleware:
    """Installed by settings only when replicas are configured: notes a user's writes (any
    unsafe method) and stamps responses read from a replica with their data's time."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        state = RequestState(request=request, pinned=wrote_recently(request))
        token = _request_state.set(state)
        try:
            response = self.get_response(request)
        finally:
            _request_state.reset(token)
        if request.method not in SAFE_METHODS:
            remember_write(request, response)
        if state.as_of is not None:
            response["X-Tongxin-Data-As-Of"] = state.as_of.isoformat()
            response["X-Tongxin-Read-From"] = state.replica or ""
        return response


def data_as_of() -> datetime | None:
    """Inside a read served by a replica: the time its data is as of (None on the primary)."""
    alias = _active.get()
    known = _health.get(alias) if alias is not None else None
    return known.as_of if known is not None else None


def data_as_of_context(request: HttpRequest) -> dict[str, Any]:
    """Template context processor: ``replica_as_of`` for the "数据截至 …" line of base.html."""
    as_of = data_as_of()
    return {"replica_as_of": timezone.localtime(as_of)} if as_of is not None else {}


# --- choosing ------------------------------------------------------------------------------


def _choose(request: HttpRequest | None) -> tuple[str, Health] | None:
    aliases = replica_aliases()
    if not aliases or _active.get() is not None:
        return None
    if request is not None and request.method not in SAFE_METHODS:
        return None
    state = _request_state.get()
    if state is not None and state.pinned:
        return None
    if connections[PRIMARY].in_atomic_block:
        return None
    candidates = aliases[:]
    random.shuffle(candidates)
    for alias in candidates:
        known = health(alias)
        if known.ok:
            return alias, known
    return None


def _note_use(alias: str, known: Health) -> None:
    state = _request_state.get()
    if state is not None and state.replica_reads and known.as_of is not None:
        if state.as_of is None or known.as_of < state.as_of:
            state.as_of = known.as_of
        state.replica = alias


@contextmanager
def _on(alias: str) -> Iterator[None]:
    token = _active.set(alias)
    try:
        yield
    finally:
        _active.reset(token)


class reads_from_replica:
    """Mark a heavy read-only view, handler or block as one a replica may serve.

    As a decorator a replica failure runs the function again on the primary; as a ``with``
    block (which cannot be run again) the failure marks the replica down and propagates."""

    def __call__(self, fn: Callable[P, R]) -> Callable[P, R]:
        @functools.wraps(fn)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
            request = args[0] if args and isinstance(args[0], HttpRequest) else None
            chosen = _choose(request)
            if chosen is None:
                return fn(*args, **kwargs)
            alias, known = chosen
            try:
                with _on(alias):
                    result = fn(*args, **kwargs)
            except (OperationalError, InterfaceError) as exc:
                mark_down(alias, str(exc).strip() or type(exc).__name__)
                return fn(*args, **kwargs)
            _note_use(alias, known)
            return result

        return wrapper

    def __enter__(self) -> None:
        chosen = _choose(None)
        self._token = _active.set(chosen[0] if chosen else None)
        self._chosen = chosen

    def __exit__(self, exc_type: type[BaseException] | None, exc: Any, tb: Any) -> None:
        _active.reset(self._token)
        if self._chosen is None:
            return
        alias, known = self._chosen
        if exc_type is not None and issubclass(exc_type, OperationalError | InterfaceError):
            mark_down(alias, str(exc).strip() or exc_type.__name__)
        elif exc_type is None:
            _note_use(alias, known)


# --- the router ----------------------------------------------------------------------------


class ReplicaRouter:
    """Reads inside reads_from_replica() go to the chosen replica; everything else, and every
    write, to the primary. Installed by settings only when replicas are configured."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str:
        alias = _active.get()
        if alias is None or model._meta.label_lower in PRIMARY_ONLY:
            return PRIMARY
        if connections[PRIMARY].in_atomic_block:
            return PRIMARY
        state = _request_state.get()
        if state is not None:
            if not state.user_checked and state.request is not None:
                # An API token names its user only once the handler runs: look again now.
                state.user_checked = True
                state.pinned = state.pinned or _user_wrote_recently(state.request)
            if state.pinned:
                return PRIMARY
            state.replica_reads += 1
        return alias

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return PRIMARY

    def allow_relation(self, obj1: Model, obj2: Model, **hints: Any) -> bool | None:
        known = {PRIMARY, *replica_aliases()}
        if obj1._state.db in known and obj2._state.db in known:
            return True
        return None

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == PRIMARY
