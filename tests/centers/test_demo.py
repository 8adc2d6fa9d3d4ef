"""The demo loaders write through bulk_insert (executemany / COPY) and wipe cleanly."""

from __future__ import annotations

import random

from django.utils import timezone

from tongxin.centers import demo as centers_demo
from tongxin.centers.models import Room, ServiceCenter, SocialOrganization
from tongxin.core.demodata import DemoContext
from tongxin.volunteering import demo as volunteering_demo
from tongxin.volunteering.models import Activity, VolunteerHours, VolunteerTeam


def test_demo_loads_and_wipes(world):
    said: list[str] = []
    ctx = DemoContext(
        scale="town", seed=1, today=timezone.localdate(), rng=random.Random(1), say=said.append
    )
    centers_demo.load(ctx)
    volunteering_demo.load(ctx)
    # one centre per district, street and community of the world: 海曙区, 2 streets, 2 communities
    assert ServiceCenter.objects.count() == 5
    assert Room.objects.count() == 10
    assert SocialOrganization.objects.get(area=world["comm_a"]).guiding_org == world["comm_a_org"]
    assert VolunteerTeam.objects.count() == 46
    assert Activity.objects.count() == 46 * 6
    assert VolunteerHours.objects.exists()
    c = ServiceCenter.objects.get(name="紫金社区党群服务站")
    assert c.opening_hours["mon"] and c.latitude is not None
    # the centre's own line is public, and a holiday is declared
    assert c.phone == "0574-88000000" and not c.contact_phone_enc
    assert c.closed_dates == [{"date": f"{ctx.today.year + 1}-01-01", "note": "元旦"}]
    volunteering_demo.wipe()
    centers_demo.wipe()
    assert not ServiceCenter.objects.exists() and not VolunteerTeam.objects.exists()
