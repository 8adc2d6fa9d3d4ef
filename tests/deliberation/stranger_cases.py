"""Stranger cases of tongxin.deliberation.services (tests/stranger.py): charlie, secretary of
branch B1 in street B, acts on street A's forums, topics, sessions, votes and actions, and
passes a street-A resident's record as his own."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.apps import apps
from django.utils import timezone

from tests import factories
from tests.stranger import case, not_acting
from tests.stranger_setup import scope_of, staged
from tongxin.accounts.models import Resident
from tongxin.cases.models import Category
from tongxin.deliberation import kinds
from tongxin.deliberation.models import ActionItem, Forum, ForumKind, Session, Topic, Vote
from tongxin.deliberation.services import acting, forums, topics, voting
from tongxin.meetings import card

W = dict[str, Any]
P = "tongxin.deliberation.services."
SYSTEM = scope_of(None)

not_acting(P + "voting.decide", "a pure function of the counts and the rule")
not_acting(P + "voting.close_due_votes", "the periodic task closing votes past their deadline")


def _charlie(w: W) -> dict[str, Any]:
    return {"scope": scope_of(w["charlie"]), "actor": w["charlie"]}


def _kind() -> ForumKind:
    kinds.load(apps, None)
    return ForumKind.objects.get(name="居民说事厅")


def _resident(w: W) -> Resident:
    return Resident.objects.create(user=factories.user("ann"), name="林安", home=w["compound_a"])


def _forum(w: W) -> Forum:
    return forums.forum_create(
        scope=SYSTEM,
        actor=None,
        name="紫金花园居民说事厅",
        kind=_kind(),
        area=w["compound_a"],
        host_org=w["comm_a_org"],
    )


def _topic(w: W, accept: bool = True) -> tuple[Resident, Topic]:
    r = _resident(w)
    t = topics.topic_enter(scope=SYSTEM, actor=None, forum=_forum(w), title="楼道堆物清理")
    t.resident = r
    t.save(update_fields=["resident"])
    if accept:
        topics.topic_accept(scope=SYSTEM, actor=None, topic=t)
    return r, t


def _session(w: W) -> tuple[Resident, Session]:
    r, t = _topic(w)
    s = topics.session_schedule(
        scope=SYSTEM,
        actor=None,
        forum=t.forum,
        held_at=timezone.now(),
        place="议事室",
        topics=[t],
        parties=["residents"],
    )
    return r, s


def _vote(w: W, open_now: bool = True) -> tuple[Resident, Vote]:
    r, t = _topic(w)
    v = voting.vote_create(
        scope=SYSTEM,
        actor=None,
        topic=t,
        question="是否同意",
        options=["同意", "不同意"],
        closes_at=timezone.now() + dt.timedelta(days=1),
        open_now=open_now,
    )
    return r, v


def _action(w: W) -> tuple[Resident, ActionItem]:
    r, t = _topic(w)
    topics.topic_decide(scope=SYSTEM, actor=None, topic=t, decision="清理")
    a = acting.action_add(
        scope=SYSTEM,
        actor=None,
        topic=t,
        title="清理",
        owner_kind="property",
        owner_name="物业",
        deadline=timezone.localdate(),
    )
    return r, a


def _rating_topic(w: W) -> tuple[Resident, Topic]:
    r, a = _action(w)
    acting.action_progress(scope=SYSTEM, actor=None, action=a, progress=100)
    a.topic.refresh_from_db()
    return r, a.topic


@case(P + "forums.forum_create")
def _(w: W) -> None:
    forums.forum_create(
        **_charlie(w),
        name="越界说事厅",
        kind=_kind(),
        area=w["compound_a"],
        host_org=w["comm_a_org"],
    )


@case(P + "forums.household_register")
def _(w: W) -> None:
    staged(
        lambda: _resident(w),
        lambda r: forums.household_register(
            **_charlie(w), area=w["compound_a"], label="1幢101", residents=[r]
        ),
    )


@case(P + "topics.topic_raise")
def _(w: W) -> None:
    staged(
        lambda: (_resident(w), _forum(w)),
        lambda b: topics.topic_raise(actor=w["charlie"], resident=b[0], forum=b[1], title="x"),
    )


@case(P + "topics.topic_enter")
def _(w: W) -> None:
    staged(lambda: _forum(w), lambda f: topics.topic_enter(**_charlie(w), forum=f, title="x"))


@case(P + "topics.topic_from_source")
def _(w: W) -> None:
    def build() -> Topic:
        _r, t = _topic(w)
        category = Category.objects.filter(active=True).first()
        return topics.topic_refer(scope=SYSTEM, actor=None, topic=t, category=category)

    # street A's forum and street A's case (the referred topic's), turned into a topic
    staged(
        build,
        lambda t: topics.topic_from_source(**_charlie(w), forum=t.forum, case=t.case),
    )


@case(P + "topics.topic_accept")
def _(w: W) -> None:
    staged(
        lambda: _topic(w, accept=False)[1],
        lambda t: topics.topic_accept(**_charlie(w), topic=t),
    )


@case(P + "topics.topic_merge")
def _(w: W) -> None:
    def build() -> tuple[Topic, Topic]:
        _r, t = _topic(w)
        other = topics.topic_enter(scope=SYSTEM, actor=None, forum=t.forum, title="楼道堆物")
        return other, t

    staged(build, lambda b: topics.topic_merge(**_charlie(w), topic=b[0], into=b[1]))


@case(P + "topics.topic_refer")
def _(w: W) -> None:
    staged(
        lambda: _topic(w)[1],
        lambda t: topics.topic_refer(
            **_charlie(w), topic=t, category=Category.objects.filter(active=True).first()
        ),
    )


@case(P + "topics.topic_decide")
def _(w: W) -> None:
    staged(
        lambda: _topic(w)[1],
        lambda t: topics.topic_decide(**_charlie(w), topic=t, decision="清理"),
    )


@case(P + "topics.session_schedule")
def _(w: W) -> None:
    staged(
        lambda: _topic(w)[1],
        lambda t: topics.session_schedule(
            **_charlie(w),
            forum=t.forum,
            held_at=timezone.now(),
            place="议事室",
            topics=[t],
            parties=["residents"],
        ),
    )


@case(P + "topics.session_checkin")
def _(w: W) -> None:
    staged(
        lambda: _session(w),
        lambda b: topics.session_checkin(
            actor=w["charlie"], resident=b[0], session=b[1], code=b[1].code
        ),
    )


@case(P + "topics.session_card_checkin")
def _(w: W) -> None:
    # street A's session, and the card of 张红, a street-A member living at its place
    staged(
        lambda: _session(w)[1],
        lambda s: topics.session_card_checkin(
            **_charlie(w), session=s, text=card.issue_token(w["m_a1"].pk)
        ),
    )


@case(P + "topics.session_minutes")
def _(w: W) -> None:
    staged(
        lambda: _session(w)[1],
        lambda s: topics.session_minutes(**_charlie(w), session=s, minutes="纪要"),
    )


@case(P + "voting.vote_create")
def _(w: W) -> None:
    staged(
        lambda: _topic(w)[1],
        lambda t: voting.vote_create(
            **_charlie(w),
            topic=t,
            question="是否同意",
            options=["同意", "不同意"],
            closes_at=timezone.now() + dt.timedelta(days=1),
        ),
    )


@case(P + "voting.vote_open")
def _(w: W) -> None:
    staged(lambda: _vote(w, open_now=False)[1], lambda v: voting.vote_open(**_charlie(w), vote=v))


@case(P + "voting.ballot_cast")
def _(w: W) -> None:
    staged(
        lambda: _vote(w),
        lambda b: voting.ballot_cast(
            actor=w["charlie"], resident=b[0], vote=b[1], option=b[1].options.first()
        ),
    )


@case(P + "voting.ballot_enter_paper")
def _(w: W) -> None:
    staged(
        lambda: _vote(w),
        lambda b: voting.ballot_enter_paper(
            **_charlie(w), vote=b[1], resident=b[0], option=b[1].options.first()
        ),
    )


@case(P + "voting.vote_close")
def _(w: W) -> None:
    staged(
        lambda: _vote(w)[1],
        lambda v: voting.vote_close(
            **_charlie(w), vote=v, now=timezone.now() + dt.timedelta(days=2)
        ),
    )


@case(P + "acting.action_add")
def _(w: W) -> None:
    staged(
        lambda: _action(w)[1].topic,
        lambda t: acting.action_add(
            **_charlie(w),
            topic=t,
            title="再清理",
            owner_kind="property",
            owner_name="物业",
            deadline=timezone.localdate(),
        ),
    )


@case(P + "acting.action_progress")
def _(w: W) -> None:
    staged(
        lambda: _action(w)[1],
        lambda a: acting.action_progress(**_charlie(w), action=a, progress=100),
    )


@case(P + "acting.rating_submit")
def _(w: W) -> None:
    staged(
        lambda: _rating_topic(w),
        lambda b: acting.rating_submit(
            actor=w["charlie"], resident=b[0], topic=b[1], value="satisfied"
        ),
    )


@case(P + "acting.rating_close")
def _(w: W) -> None:
    def build() -> Topic:
        r, t = _rating_topic(w)
        acting.rating_submit(actor=r.user, resident=r, topic=t, value="satisfied")
        return t

    staged(build, lambda t: acting.rating_close(**_charlie(w), topic=t))
