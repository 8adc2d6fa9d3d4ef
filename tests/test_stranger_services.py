"""The stranger table (tests/stranger.py): every public function of every app's services, called
by charlie (secretary of branch B1 in street B) on street-A objects, is refused with a
ServiceError and writes nothing; a service with neither a case nor a ``not_acting`` entry fails.

One world per service: make_world() costs a few dozen inserts, so the whole table stays fast.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from types import ModuleType

import pytest

import tongxin
from tests import factories
from tests.helpers import is_chinese
from tests.stranger import CASES, NOT_ACTING
from tests.stranger_setup import row_counts
from tongxin.core.errors import ServiceError


def _services_modules() -> Iterator[ModuleType]:
    """``tongxin.<app>.services`` and every module inside a ``tongxin.<app>.services`` package,
    for every app directory present (new apps are found without a list to update)."""
    for app in sorted(m.name for m in pkgutil.iter_modules(tongxin.__path__) if m.ispkg):
        name = f"tongxin.{app}.services"
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        yield module
        if hasattr(module, "__path__"):
            for sub in pkgutil.walk_packages(module.__path__, prefix=f"{name}."):
                yield importlib.import_module(sub.name)


def _stranger_case_modules() -> None:
    """Import every ``tests.<app>.stranger_cases``: each registers its cases on import."""
    import tests

    for pkg in pkgutil.iter_modules(tests.__path__):
        if not pkg.ispkg:
            continue
        name = f"tests.{pkg.name}.stranger_cases"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise


def public_services() -> list[str]:
    found = []
    for module in _services_modules():
        for fn_name, fn in inspect.getmembers(module, inspect.isfunction):
            if fn_name.startswith("_") or fn.__module__ != module.__name__:
                continue
            found.append(f"{module.__name__}.{fn_name}")
    return sorted(found)


_stranger_case_modules()
SERVICES = public_services()


def test_the_table_names_only_services_that_exist() -> None:
    stale = sorted((set(CASES) | set(NOT_ACTING)) - set(SERVICES))
    assert not stale, f"stranger cases for functions that are not public services: {stale}"


@pytest.mark.django_db
@pytest.mark.parametrize("service", SERVICES)
def test_a_stranger_is_refused_and_nothing_is_written(service: str) -> None:
    if service in NOT_ACTING:
        assert NOT_ACTING[service].strip(), f"not_acting({service!r}) needs a reason"
        return
    run = CASES.get(service)
    assert run is not None, f"no stranger case for {service}"
    world = factories.make_world()
    result = None
    if inspect.isgeneratorfunction(run):
        result = run(world)
        next(result)  # the case's own setup, up to its ``yield``
    before = row_counts()
    # No savepoint around the call: rows a service wrote before refusing stay and are counted.
    with pytest.raises(ServiceError) as refusal:
        if result is None:
            run(world)
        else:
            # A case with a setup: the stranger's call is what follows its ``yield``.
            for _ in result:
                raise AssertionError(f"the stranger case of {service} yields more than once")
    assert is_chinese(refusal.value.message), refusal.value.message
    after = row_counts()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"{service} refused charlie but changed row counts: {changed}"
