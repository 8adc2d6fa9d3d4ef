"""The 三访 demo module on a small world: a year of visits, quotas in the seed's shape."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from tongxin.core.demodata import DemoContext
from tongxin.orgs.models import Leadership, Unit
from tongxin.visits import demo
from tongxin.visits.models import ContactAssignment, PatrolPost, Visit, VisitProblem

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_year_of_visits(world):
    today = timezone.localdate()
    term = dict(term_start=today - dt.timedelta(days=400), term_end=today + dt.timedelta(days=400))
    Leadership.objects.create(
        org=world["branch_a1"], member=world["m_a1"], role="secretary", **term
    )
    Leadership.objects.create(org=world["street_a"], member=world["m_a2"], role="secretary", **term)
    for i in range(5):
        Unit.objects.create(name=f"企业{i}", sector="enterprise", area=world["compound_a"])
    ctx = DemoContext(scale="town", seed=1, today=today, rng=random.Random("v"), say=print)
    demo.load(ctx)
    leader = ContactAssignment.objects.get(leader=world["m_a2"])
    assert leader.contact_duty and 4 <= leader.targets.filter(kind="unit").count() <= 5
    assert leader.targets.filter(kind="household").count() == 10
    cadre = ContactAssignment.objects.get(leader=world["m_a1"])
    assert cadre.home_duty
    home = Visit.objects.filter(visitor_member=world["m_a1"], kind="home")
    assert 12 * 6 <= home.count() <= 13 * 14
    assert Visit.objects.filter(visited_on__gt=today).count() == 0
    assert Visit.objects.filter(visitor_member=world["m_a2"], kind="contact").exists()
    assert VisitProblem.objects.exists()
    assert all(p.org_path == p.visit.org_path for p in VisitProblem.objects.all()[:20])
    # the sequences follow the bulk-written ids (PostgreSQL)
    from tests.visits.conftest import record

    v = record(world)
    assert v.pk > Visit.objects.exclude(pk=v.pk).order_by("-pk").first().pk
    demo.wipe()
    assert not Visit.objects.exists() and not PatrolPost.objects.exists()
