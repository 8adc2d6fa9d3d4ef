from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps
from django.utils import timezone

from tests import factories
from tests.sharing.conftest import make_resident
from tongxin.core.scope import Scope
from tongxin.deliberation import kinds
from tongxin.deliberation.models import Forum, ForumKind, Topic
from tongxin.deliberation.services import forums, topics
from tongxin.geo.models import AreaLevel

SYSTEM = Scope.everything()


def kind(name: str) -> ForumKind:
    kinds.load(apps, None)  # a transactional test flushed the data migration's rows
    return ForumKind.objects.get(name=name)


def make_forum(w: dict[str, Any], kind_name: str = "居民说事厅", area: Any = None) -> Forum:
    return forums.forum_create(
        scope=SYSTEM,
        actor=None,
        name=f"紫金花园{kind_name}",
        kind=kind(kind_name),
        area=area or w["compound_a"],
        host_org=w["comm_a_org"],
        meeting_days="10,25",
    )


def deliberating(w: dict[str, Any], forum: Forum, title: str = "3幢楼道堆物清理") -> Topic:
    t, _m = topics.topic_raise(actor=w["ann"].user, resident=w["ann"], forum=forum, title=title)
    return topics.topic_accept(scope=SYSTEM, actor=None, topic=t)


def later(hours: int = 24) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


@pytest.fixture
def town(world):
    """紫金花园 (street A) with a building; residents ann, ben (one household), cat; dan in
    another compound of 紫金社区; eve in street B."""
    w = world
    w["building_a"] = factories.area("紫金花园1幢", AreaLevel.BUILDING, w["compound_a"])
    w["compound_a2"] = factories.area("紫金苑", AreaLevel.COMPOUND, w["comm_a"])
    w["compound_b"] = factories.area("孝闻小区", AreaLevel.COMPOUND, w["comm_b"])
    w["ann"] = make_resident("ann", "林安", w["building_a"], "13900001111")
    w["ben"] = make_resident("ben", "周斌", w["building_a"], "13900002222")
    w["cat"] = make_resident("cat", "许彩", w["compound_a"], "13900003333")
    w["dan"] = make_resident("dan", "钱丹", w["compound_a2"], "13900004444")
    w["eve"] = make_resident("eve", "吴依", w["compound_b"], "13900005555")
    w["forum"] = make_forum(w)
    return w


def held_today(forum: Forum, topic: Topic, place: str = "议事室"):
    """A deliberation session of ``forum`` on ``topic``, now, for the residents."""
    return topics.session_schedule(
        scope=SYSTEM,
        actor=None,
        forum=forum,
        held_at=timezone.now(),
        place=place,
        topics=[topic],
        parties=["residents"],
    )
