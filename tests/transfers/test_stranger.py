"""Every public function of tongxin.transfers.services refuses a stranger (charlie, on street
A's member and her transfers) and writes nothing, whatever table it would have written; the
central table (tests/test_stranger_services.py) runs the same cases."""

from __future__ import annotations

import inspect

import pytest
from django.apps import apps

from tests import factories
from tests.helpers import is_chinese, refused
from tests.stranger import CASES, NOT_ACTING
from tests.transfers import stranger_cases
from tongxin.core.errors import ServiceError
from tongxin.core.scope import scope_for_user
from tongxin.orgs.models import Organization, OrgKind
from tongxin.transfers import services

PUBLIC = sorted(
    f"{services.__name__}.{name}"
    for name, fn in inspect.getmembers(services, inspect.isfunction)
    if not name.startswith("_") and fn.__module__ == services.__name__
)


def _counts() -> dict[str, int]:
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.managed and not m._meta.proxy
    }


def test_every_public_service_has_a_stranger_case_or_a_reason():
    assert stranger_cases.__name__  # the cases register on import
    missing = [name for name in PUBLIC if name not in CASES and name not in NOT_ACTING]
    assert PUBLIC and not missing, missing
    assert all(NOT_ACTING[name].strip() for name in PUBLIC if name in NOT_ACTING)


@pytest.mark.parametrize("name", [n for n in PUBLIC if n not in NOT_ACTING])
def test_a_stranger_is_refused_and_nothing_is_written(world, name):
    run = CASES[name]
    steps = run(world) if inspect.isgeneratorfunction(run) else None
    if steps is not None:
        next(steps)  # the case's own setup, up to its yield
    before = _counts()
    with pytest.raises(ServiceError) as exc:
        if steps is None:
            run(world)
        else:
            for _ in steps:
                raise AssertionError(f"the stranger case of {name} yields more than once")
    assert is_chinese(exc.value.message), exc.value.message
    assert _counts() == before


def test_the_target_is_judged_as_stored_not_as_passed(world):
    """The service reads the target again: an Organization object whose fields a caller changed
    in memory (or that went stale) does not get past the transfer rules."""
    temp = factories.org("紫金社区临时党支部", OrgKind.BRANCH, world["comm_a_org"])
    Organization.objects.filter(pk=temp.pk).update(is_temporary=True)
    temp.is_temporary = False  # as the caller holds it
    bob = world["bob"]
    with refused(field="target", contains="临时党组织"):
        services.transfer_create(
            actor=bob, scope=scope_for_user(bob), member=world["m_a1"], target=temp
        )
