"""Helpers for the stranger cases (tests/stranger.py) of the feature apps.

``make_world()`` holds organizations, members and users only; a case about a service centre, a
meeting or a volunteer team first builds that street-A object. ``staged`` builds it, calls the
service as charlie, checks that the refusal wrote nothing, then rolls the built objects back, so
that the central table (which compares row counts around the whole case) sees nothing either.

``run_case`` and ``services_of`` let an app's own ``test_stranger.py`` run its cases without
the central test.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable
from typing import Any, TypeVar

import pytest
from django.apps import apps
from django.db import transaction

from tests import factories
from tests.stranger import CASES, NOT_ACTING
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


def services_of(app: str) -> list[str]:
    """Every public function defined in ``tongxin.<app>.services``."""
    module = importlib.import_module(f"tongxin.{app}.services")
    return sorted(
        f"{module.__name__}.{name}"
        for name, fn in inspect.getmembers(module, inspect.isfunction)
        if not name.startswith("_") and fn.__module__ == module.__name__
    )


def run_case(service: str) -> None:
    """What the central table does for one service: a case or a reason, and for a case a
    refusal with every table's row count unchanged."""
    if service in NOT_ACTING:
        assert NOT_ACTING[service].strip(), f"not_acting({service!r}) needs a reason"
        return
    run: Callable[[dict[str, Any]], Any] | None = CASES.get(service)
    assert run is not None, f"no stranger case for {service}"
    world = factories.make_world()
    before = row_counts()
    with pytest.raises(ServiceError):
        run(world)
    after = row_counts()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"{service} refused charlie but changed row counts: {changed}"
