"""The 考评 demo module on the small world: a 千分制 quarter for the streets and two sessions."""

from __future__ import annotations

import random

import pytest
from django.utils import timezone

from tests import factories
from tongxin.appraisal import demo, selectors
from tongxin.appraisal.models import (
    Assessment,
    Ballot,
    IndicatorSet,
    RectificationItem,
    ReviewKind,
    ReviewSession,
    ReviewStatus,
)
from tongxin.cases.models import Agency
from tongxin.core.demodata import DemoContext

pytestmark = pytest.mark.django_db


def test_demo_quarter_and_sessions(world):
    factories.user("jiedao", "street_secretary", org=world["street_a"])
    factories.user("dangyuan", "member", org=world["branch_a1"])
    factories.user("jumin")
    Agency.objects.get_or_create(code="cg", defaults={"name": "区城管局"})
    ctx = DemoContext(
        scale="town", seed=1, today=timezone.localdate(), rng=random.Random("a"), say=print
    )
    demo.load(ctx)
    s = IndicatorSet.objects.get()
    assert s.published and selectors.leaf_total(s) == 1000 and s.org == world["city"]
    statuses = dict(Assessment.objects.values_list("org__name", "status"))
    assert statuses == {"南门街道党工委": "submitted", "鼓楼街道党工委": "final"}
    org_review = ReviewSession.objects.get(kind=ReviewKind.ORG)
    assert org_review.status == ReviewStatus.ANNOUNCED
    assert Ballot.objects.filter(session=org_review).count() == 32  # one community × 32 raters
    res = selectors.results(org_review)
    assert res[0].grade is not None and all(p.shown for p in res[0].pools[:3])
    assert RectificationItem.objects.count() == 1
    dept = ReviewSession.objects.get(kind=ReviewKind.DEPARTMENT)
    assert dept.status == ReviewStatus.OPEN
    assert selectors.rater_of(world["alice"], dept) is None
    demo.wipe()
    assert not IndicatorSet.objects.exists() and not ReviewSession.objects.exists()
