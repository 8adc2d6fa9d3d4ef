"""Login lockout that fits an office behind one address (DESIGN §3.5).

django-axes locks an account *at an address* (combined parameters username + ip_address) after
``AXES_FAILURE_LIMIT`` failures: one person's typos in a 街道 office behind one NAT address lock
only that person, there. An address alone is locked only after ``LOGIN_ADDRESS_FAILURE_LIMIT``
failures across all its accounts within the cool-off time (someone trying many accounts). Both
counts come from axes' own attempt rows, so every web worker sees the same numbers."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Protocol, cast

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from axes.models import AccessAttempt
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from tongxin.core.request_context import client_ip


class _LockoutMarks(Protocol):
    """What a refused login leaves on the request: our reason (read by the login view) and
    axes' flag (read by axes' own handler)."""

    tongxin_lockout: str
    axes_locked_out: bool


def cool_off() -> timedelta:
    return timedelta(hours=float(settings.AXES_COOLOFF_TIME))


def _recent(ip: str | None) -> Any:
    return AccessAttempt.objects.filter(
        ip_address=ip, attempt_time__gte=timezone.now() - cool_off()
    )


def address_locked_until(ip: str | None) -> datetime | None:
    """When the address may log in again, or None when it is not locked. Each attempt row counts
    until the cool-off has passed since its last failure; the lock ends when enough rows have
    expired for the sum to drop below the limit."""
    if not ip:
        return None
    rows = list(
        _recent(ip).order_by("attempt_time").values_list("attempt_time", "failures_since_start")
    )
    total = sum(n for _t, n in rows)
    limit = settings.LOGIN_ADDRESS_FAILURE_LIMIT
    if total < limit:
        return None
    for attempt_time, failures in rows:
        total -= failures
        if total < limit:
            return attempt_time + cool_off()
    return None  # unreachable: the loop ends below the limit


def account_locked_until(username: str, ip: str | None) -> datetime | None:
    """When this account may log in again from this address (axes' cool-off runs from the last
    failure), or None when it is not locked there."""
    rows = _recent(ip).filter(username=username)
    failures = sum(rows.values_list("failures_since_start", flat=True))
    if failures < settings.AXES_FAILURE_LIMIT:
        return None
    last = rows.order_by("-attempt_time").values_list("attempt_time", flat=True).first()
    return last + cool_off() if last else None


class LoginBackend(AxesStandaloneBackend):
    """axes' checks, preceded by the per-address limit (axes supports one failure limit)."""

    def authenticate(
        self,
        request: HttpRequest,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> Any:
        if request is not None and address_locked_until(client_ip(request)) is not None:
            marked = cast(_LockoutMarks, request)
            marked.tongxin_lockout = "address"
            marked.axes_locked_out = True
            raise AxesBackendPermissionDenied("too many failed logins from this address")
        return super().authenticate(request, username, password, **kwargs)
