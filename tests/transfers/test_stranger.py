"""Transfers' own refusal beside the stranger table (tests/test_stranger_services.py runs
tests/transfers/stranger_cases.py): a target is judged as stored, not as the caller holds it."""

from __future__ import annotations

from tests import factories
from tests.helpers import refused
from tongxin.core.scope import scope_for_user
from tongxin.orgs.models import Organization, OrgKind
from tongxin.transfers import services


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
