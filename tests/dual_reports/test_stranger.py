"""双报到's rows of the stranger table (tests/dual_reports/stranger_cases.py), run here too:
every public function of tongxin.dual_reports.services has a case; each, as charlie on street A,
is refused with a ServiceError and leaves every table's row count unchanged."""

from __future__ import annotations

import inspect

import pytest
from django.apps import apps

from tests import factories
from tests.dual_reports import stranger_cases  # noqa: F401  (registers the cases)
from tests.stranger import CASES, NOT_ACTING
from tongxin.core.errors import ServiceError
from tongxin.dual_reports import services

PREFIX = "tongxin.dual_reports.services."
PUBLIC = sorted(
    f"{PREFIX}{name}"
    for name, fn in inspect.getmembers(services, inspect.isfunction)
    if not name.startswith("_") and fn.__module__ == services.__name__
)


def test_every_public_service_has_a_case() -> None:
    assert PUBLIC, "no public services found"
    missing = [name for name in PUBLIC if name not in CASES and name not in NOT_ACTING]
    assert not missing, f"no stranger case for {missing}"
    stale = [name for name in CASES if name.startswith(PREFIX) and name not in PUBLIC]
    assert not stale, f"stranger cases for functions that are not services: {stale}"


def _row_counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy
    }


@pytest.mark.django_db
@pytest.mark.parametrize("service", PUBLIC)
def test_charlie_is_refused_and_nothing_is_written(service: str) -> None:
    world = factories.make_world()
    before = _row_counts()
    with pytest.raises(ServiceError) as exc:
        CASES[service](world)
    assert exc.value.message
    after = _row_counts()
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert not changed, f"{service} refused charlie but changed row counts: {changed}"
