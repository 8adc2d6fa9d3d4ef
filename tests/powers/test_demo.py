"""The demo town's 小微权力: a catalogue for every village and community, instances in every
state, and the demo street secretary sees the flows of their villages with stuck ones flagged."""

from __future__ import annotations

import pytest
from django.db.models import Q
from django.test import Client
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.core.scope import scope_for_user
from tongxin.geo.models import Area
from tongxin.powers import selectors
from tongxin.powers.models import InstanceStatus, Objection, PowerInstance, PowerItem


@pytest.mark.django_db
def test_the_demo_town_has_a_catalogue_everywhere_and_instances_in_every_state(demo_town):
    communities = set(Area.objects.filter(level="community").values_list("id", flat=True))
    assert set(PowerItem.objects.values_list("area_id", flat=True)) == communities
    statuses = set(PowerInstance.objects.values_list("status", flat=True))
    assert statuses == set(InstanceStatus.values)
    assert PowerInstance.objects.filter(selectors.stuck_q()).exists()
    assert Objection.objects.filter(answered_at__isnull=True).exists()
    assert Objection.objects.filter(answered_at__isnull=False).exists()
    # no public title names its applicant; no step starts in the future
    for inst in PowerInstance.objects.exclude(applicant=""):
        assert inst.applicant not in inst.title
    assert not PowerInstance.objects.filter(
        Q(status=InstanceStatus.RUNNING) & Q(step_started_at__gt=timezone.now())
    ).exists()
    jiedao = User.objects.get(username="jiedao")
    fig = selectors.power_figures(scope_for_user(jiedao))
    assert fig is not None and fig["items"] > 0
    c = Client()
    c.force_login(jiedao)
    assert c.get("/powers/").status_code == 200
    assert 'data-testid="powers-panel"' in c.get("/").content.decode()
    assert Client().get("/powers/public/").status_code == 200
