"""Helpers for the stranger cases (tests/stranger.py) of the feature apps.

``make_world()`` holds organizations, members and users only; a case about a service centre, a
meeting or a volunteer team first builds that street-A object. ``staged`` builds it, calls the
service as charlie, checks that the refusal wrote nothing, then rolls the built objects back, so
that the central table (which compares row counts around the whole case) sees nothing either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.apps import apps
from django.db import transaction

from tongxin.accounts.models import User
from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope, scope_for_user

T = TypeVar("T")


def row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy
    }


def scope_of(user: User | None) -> Scope:
    """The acting scope of a test's actor; ``None`` (a system task) acts for everything."""
    return Scope.everything() if user is None else scope_for_user(user)


def staged(build: Callable[[], T], act: Callable[[T], object]) -> None:
    """Build street-A objects (as the system), then ``act`` on them as the stranger: it must
    raise ServiceError and write nothing. Everything built is rolled back before the error
    goes on to the caller."""
    sid = transaction.savepoint()
    try:
        built = build()
        before = row_counts()
        try:
            act(built)
        except ServiceError:
            after = row_counts()
            changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
            assert not changed, f"refused but changed row counts: {changed}"
            raise
        raise AssertionError("the stranger was not refused")
    finally:
        transaction.savepoint_rollback(sid)
