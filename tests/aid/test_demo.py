"""The 互助金 demo at town scale: a few hundred aid payments, every movement a balanced pair,
no fund below zero, the monthly totals equal to the lines, every payment approved twice."""

from __future__ import annotations

import pytest
from django.db.models import Count, Sum

from tongxin.aid import ledger, selectors
from tongxin.aid.models import AidApplication, AidFund, LedgerEntry, Status

pytestmark = pytest.mark.django_db


def test_the_town_demo_fund_follows_the_ledgers_rules(demo_town):
    paid = AidApplication.objects.filter(status=Status.PAID)
    assert paid.count() >= 300
    unbalanced = (
        LedgerEntry.objects.values("movement_id")
        .annotate(t=Sum("amount_fen"), n=Count("id"))
        .exclude(t=0, n=2)
    )
    assert not unbalanced.exists()
    for fund in AidFund.objects.all():
        assert ledger.balances(fund.pk) == ledger.balances_from_lines(fund.pk)
        b = selectors.fund_balance(fund)
        assert b.cash >= 0 and b.held >= 0 and b.paid > 0
    assert not paid.annotate(n=Count("approvals")).exclude(n=2).exists()
