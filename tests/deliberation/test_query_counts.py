"""The public topic and forum pages read a fixed number of queries whatever the data around them:
more forums in the city, more topics in the forum (past one page), more sessions, votes with
online and paper ballots, actions (done and overdue) and ratings on the topic. The city demo
has about 2,200 forums (bench/topic_page.py times them); a query per row anywhere on these
pages would show here as a higher count."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.deliberation.conftest import SYSTEM, deliberating, later
from tongxin.deliberation.models import ActionItem, Forum, Topic, TopicStatus
from tongxin.deliberation.services import acting, forums, topics, voting


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as q:
        r = client.get(url)
    assert r.status_code == 200, url
    return len(q.captured_queries)


def _counts(client, topic: Topic, forum: Forum) -> tuple[int, int, int, int]:
    forum_url = reverse("deliberation:public_forum", args=[forum.pk])
    return (
        _queries(client, reverse("deliberation:public_topic", args=[topic.pk])),
        _queries(client, reverse("deliberation:notice", args=[topic.pk])),
        _queries(client, forum_url),
        _queries(client, forum_url + "?page=2"),
    )


def _closed_vote(topic: Topic, question: str, ballots: list[tuple[object, int]] = ()) -> None:
    v = voting.vote_create(
        scope=SYSTEM,
        actor=None,
        topic=topic,
        question=question,
        options=["同意", "不同意"],
        closes_at=later(),
    )
    options = list(v.options.all())
    for i, (resident, k) in enumerate(ballots):
        if i % 2:
            voting.ballot_enter_paper(
                scope=SYSTEM, actor=None, vote=v, resident=resident, option=options[k]
            )
        else:
            voting.ballot_cast(actor=resident.user, resident=resident, vote=v, option=options[k])
    voting.vote_close(scope=SYSTEM, actor=None, vote=v, now=later(48))


def _action(topic: Topic, title: str, days: int) -> ActionItem:
    return acting.action_add(
        scope=SYSTEM,
        actor=None,
        topic=topic,
        title=title,
        owner_kind="property",
        owner_name="紫金花园物业",
        deadline=timezone.localdate() + dt.timedelta(days=days),
    )


def test_the_public_pages_do_not_grow_with_forums_topics_or_what_a_topic_holds(client, town):
    forum = town["forum"]
    t = deliberating(town, forum)
    _closed_vote(t, "是否清理")
    topics.topic_decide(scope=SYSTEM, actor=None, topic=t, decision="物业清理")
    small = _counts(client, t, forum)

    # Forty more forums in 紫金社区's compounds, each with topics.
    kind = forum.kind
    for i in range(40):
        f = forums.forum_create(
            scope=SYSTEM,
            actor=None,
            name=f"议事平台{i}",
            kind=kind,
            area=town["compound_a2"] if i % 2 else town["compound_a"],
            host_org=town["comm_a_org"],
        )
        for k in range(3):
            topics.topic_enter(scope=SYSTEM, actor=None, forum=f, title=f"平台{i}议题{k}")
    # The measured forum: more than a page of topics, some in 办 with overdue actions.
    for k in range(settings.PAGE_SIZE + 5):
        topics.topic_enter(scope=SYSTEM, actor=None, forum=forum, title=f"议题{k}")
    for k in range(3):
        other = deliberating(town, forum, f"办理中议题{k}")
        topics.topic_decide(scope=SYSTEM, actor=None, topic=other, decision="限期办理")
        _action(other, f"逾期事项{k}", days=-3 - k)
        _action(other, f"未到期事项{k}", days=5)
    # The measured topic: sessions, votes with online and paper ballots, actions, ratings.
    t2 = deliberating(town, forum, "加装电梯费用分摊")
    for k in range(3):
        topics.session_schedule(
            scope=SYSTEM,
            actor=None,
            forum=forum,
            held_at=timezone.now() + dt.timedelta(hours=k),
            place=f"议事室{k}",
            topics=[t2],
            parties=["residents", "property"],
        )
    residents = [town["ann"], town["ben"], town["cat"]]
    for k in range(4):
        _closed_vote(t2, f"表决{k}", [(r, (k + j) % 2) for j, r in enumerate(residents)])
    topics.topic_decide(scope=SYSTEM, actor=None, topic=t2, decision="分摊方案通过")
    for a in [_action(t2, f"事项{k}", days=k - 1) for k in range(3)]:
        acting.action_progress(scope=SYSTEM, actor=None, action=a, progress=100)
    t2.refresh_from_db()
    assert t2.status == TopicStatus.RATING
    acting.rating_submit(actor=town["ann"].user, resident=town["ann"], topic=t2, value="satisfied")

    assert (
        Forum.objects.count() == 41
        and Topic.objects.filter(forum=forum).count() > settings.PAGE_SIZE + 5
    )
    assert _counts(client, t2, forum) == small
    assert _counts(client, t, forum) == small
