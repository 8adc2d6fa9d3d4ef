from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tests.stranger_setup import scope_of
from tongxin.redmap import services
from tongxin.redmap.checks import SiteInput

LAT, LNG = 29.8746, 121.5503
EVERY_DAY = {d: [["08:00", "20:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}


def site_input(world, **over) -> SiteInput:
    data = dict(
        name="张人亚党章学堂",
        kind="charter",
        address="紫金路1号",
        area=world["comm_a"],
        org=world["comm_a_org"],
        latitude=LAT,
        longitude=LNG,
        capacity=30,
        radius_m=200,
        story="张人亚守护党章的故事。",
        opening_hours=EVERY_DAY,
    )
    data.update(over)
    return SiteInput(**data)


def make_site(world, **over):
    return services.site_create(scope=scope_of(None), actor=None, data=site_input(world, **over))


@pytest.fixture
def site(world):
    return make_site(world)


@pytest.fixture
def member_user(world):
    return factories.user("zhanghong", member=world["m_a1"])


@pytest.fixture
def member_user2(world):
    return factories.user("liming", member=world["m_a1b"])


def today() -> dt.date:
    return timezone.localdate()


def book(world, site, by="bob", **over):
    data = dict(
        site=site,
        branch=world["branch_a1"],
        date=today(),
        start_time=dt.time(9, 0),
        end_time=dt.time(11, 0),
        people=10,
    )
    data.update(over)
    user = world[by] if by else None
    return services.visit_book(scope=scope_of(user), actor=user, **data)
