"""The client IP of the request being served, for audit rows written deep in services."""

from __future__ import annotations

from contextvars import ContextVar

_ip: ContextVar[str | None] = ContextVar("tongxin_ip", default=None)


def set_ip(ip: str | None):  # type: ignore[no-untyped-def]
    return _ip.set(ip)


def reset_ip(token) -> None:  # type: ignore[no-untyped-def]
    _ip.reset(token)


def current_ip() -> str | None:
    return _ip.get()
