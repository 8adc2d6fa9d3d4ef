"""The demo department handler (bumen) sees what a department sees: the cases dispatched to
城管, in a dispatched or later state, never a reported or accepted one (issue 12)."""

from __future__ import annotations

import pytest

from tongxin.accounts.models import User
from tongxin.cases import selectors
from tongxin.core.scope import scope_for_user

pytestmark = pytest.mark.django_db


def test_bumen_sees_only_cases_dispatched_to_chengguan(demo_town):
    scope = scope_for_user(User.objects.get(username="bumen"))
    cases = selectors.case_list(scope, selectors.CaseFilters(inbox="all"))
    states = set(cases.values_list("state", flat=True))
    assert cases.exists() and states <= {
        "dispatched",
        "claimed",
        "resolved",
        "verified",
        "returned",
        "closed",
    }
    assert not cases.filter(dispatched_at__isnull=True).exists()
    assert set(cases.values_list("agency__code", flat=True)) == {"chengguan"}
    assert selectors.case_list(scope, selectors.CaseFilters(inbox="claim")).exists()
