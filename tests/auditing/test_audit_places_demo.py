"""Every audit row the demo writes stands somewhere an auditor reaches (tests/conftest.py's
shared demo town: a module of its own, since the other place tests expect an empty database)."""

from __future__ import annotations

import pytest

from tests.auditing.test_audit_places import seen_by, unplaced
from tongxin.core.models import AuditLog


@pytest.mark.django_db
def test_every_row_the_demo_writes_has_a_place(demo_town):
    """The demo runs every module's services (meetings, visits, cases...) or writes their
    rows in bulk: none of its audit rows may be unplaced, and the demo auditor sees them."""
    assert AuditLog.objects.count() > 0
    assert unplaced() == 0
    from tongxin.accounts.models import User

    shenji = User.objects.get(username="shenji")
    assert seen_by(shenji) == set(AuditLog.objects.values_list("pk", flat=True))
