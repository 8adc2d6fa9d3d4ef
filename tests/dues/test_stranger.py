"""Every public function of tongxin.dues.services refuses a stranger (charlie on street A's
member) and writes nothing, whatever table it would have written."""

from __future__ import annotations

import inspect

import pytest
from django.apps import apps

from tests.dues import stranger_cases
from tests.helpers import is_chinese
from tests.stranger import CASES, NOT_ACTING
from tongxin.core.errors import ServiceError
from tongxin.dues import services

PREFIX = "tongxin.dues.services."
PUBLIC = sorted(
    f"{PREFIX}{name}"
    for name, fn in inspect.getmembers(services, inspect.isfunction)
    if not name.startswith("_") and fn.__module__ == services.__name__
)


def _counts() -> dict[str, int]:
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


def test_every_public_service_has_a_stranger_case():
    assert stranger_cases.__name__  # the cases are registered on import
    missing = [name for name in PUBLIC if name not in CASES and name not in NOT_ACTING]
    assert PUBLIC and not missing, missing


@pytest.mark.parametrize("name", PUBLIC)
def test_a_stranger_is_refused_and_nothing_is_written(world, name):
    before = _counts()
    with pytest.raises(ServiceError) as exc:
        CASES[name](world)
    assert is_chinese(exc.value.message), exc.value.message
    assert _counts() == before
