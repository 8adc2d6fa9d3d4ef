from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tests.stranger_setup import scope_of
from tongxin.accounts.models import Resident
from tongxin.volunteering import services


@pytest.fixture
def team(world):
    return services.team_create(
        scope=scope_of(world["alice"]),
        actor=world["alice"],
        name="紫金社区党员志愿服务队",
        org=world["comm_a_org"],
        area=world["comm_a"],
    )


def make_activity(world, team, by="alice", **kw):
    """An activity of ``team`` published by ``by`` (a user of the world; None: the system)."""
    now = timezone.now()
    data = dict(
        title="楼道清洁志愿服务",
        place="紫金花园3幢",
        start=now - dt.timedelta(minutes=30),
        end=now + dt.timedelta(hours=2),
        slots=2,
    )
    data.update(kw)
    return services.activity_create(
        scope=scope_of(world[by] if by else None),
        actor=world[by] if by else None,
        team=team,
        **data,
    )


@pytest.fixture
def activity(world, team):
    return make_activity(world, team)


@pytest.fixture
def resident(world):
    u = factories.user("resident_wang")
    Resident.objects.create(user=u, name="王阿姨", home=world["compound_a"])
    return u


def make_resident(world, username, name):
    u = factories.user(username)
    Resident.objects.create(user=u, name=name, home=world["compound_a"])
    return u


@pytest.fixture
def member_user(world):
    return factories.user("zhanghong", member=world["m_a1"])
