"""The client IP of the request being served, for audit rows written deep in services."""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar

from django.conf import settings
from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

_ip: ContextVar[str | None] = ContextVar("tongxin_ip", default=None)


def set_ip(ip: str | None):
    return _ip.set(ip)


def reset_ip(token) -> None:
    _ip.reset(token)


def current_ip() -> str | None:
    return _ip.get()


def client_ip(request: HttpRequest) -> str | None:
    """The client's address. Behind TONGXIN_PROXY_COUNT trusted reverse proxies it is taken
    from X-Forwarded-For, counting from the right (the entries the proxies appended);
    otherwise REMOTE_ADDR. Used for the audit log and the login lockout alike."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.PROXY_COUNT
    if count <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        ipaddress.ip_address(candidate)
    except ValueError:
        return remote
    return candidate


def is_htmx(request: HttpRequest) -> bool:
    """Whether htmx sent the request (its HX-Request header), read as django-htmx's
    ``request.htmx`` reads it, but typed."""
    return bool(HtmxDetails(request))
