"""Pages: public (no login), residents' phone pages, hosts' pages; strangers get 404 and
change nothing; public pages keep a fixed query count."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.deliberation.conftest import SYSTEM, deliberating, held_today, later
from tests.stranger_setup import row_counts
from tongxin.deliberation.models import Attendance, Ballot, Topic, TopicStatus
from tongxin.deliberation.services import acting, topics, voting


def _url(name: str, pk: int) -> str:
    return reverse(f"deliberation:{name}", args=[pk])


def test_public_pages_without_login_mask_names(client, town):
    t = deliberating(town, town["forum"])
    r = client.get(_url("public_topic", t.pk))
    assert r.status_code == 200
    body = r.content.decode()
    assert "林*" in body and "林安" not in body
    assert client.get(_url("public_forum", town["forum"].pk)).status_code == 200


def test_html_and_phone_never_reach_the_public_page(client, town):
    t, _m = topics.topic_raise(
        actor=town["ann"].user,
        resident=town["ann"],
        forum=town["forum"],
        title="<img src=x onerror=alert(1)>电梯 13900001111",
    )
    body = client.get(_url("public_topic", t.pk)).content.decode()
    assert "13900001111" not in body and "<img" not in body and "[联系方式已隐藏]" in body


def test_private_topic_is_404_for_the_public_and_other_residents(client, client_for, town):
    t, _m = topics.topic_raise(
        actor=town["ann"].user,
        resident=town["ann"],
        forum=town["forum"],
        title="私事",
        public=False,
    )
    assert client.get(_url("public_topic", t.pk)).status_code == 404
    assert client_for(town["cat"].user).get(_url("resident_topic", t.pk)).status_code == 404
    assert client_for(town["ann"].user).get(_url("resident_topic", t.pk)).status_code == 200


def test_a_draft_vote_is_not_shown(client, town):
    t = deliberating(town, town["forum"])
    voting.vote_create(
        scope=SYSTEM,
        actor=None,
        topic=t,
        question="草稿表决",
        options=["是", "否"],
        closes_at=later(),
        open_now=False,
    )
    assert "草稿表决" not in client.get(_url("public_topic", t.pk)).content.decode()


def test_notice_only_after_decision(client, town):
    t = deliberating(town, town["forum"])
    assert client.get(_url("notice", t.pk)).status_code == 404
    topics.topic_decide(scope=SYSTEM, actor=None, topic=t, decision="物业清理")
    r = client.get(_url("notice", t.pk))
    assert r.status_code == 200 and "议事结果公示" in r.content.decode()


def test_public_pages_have_a_fixed_query_count(client, town):
    def counts(t: Topic) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as q1:
            client.get(_url("public_topic", t.pk))
        with CaptureQueriesContext(connection) as q2:
            client.get(_url("public_forum", town["forum"].pk))
        return len(q1), len(q2)

    t = deliberating(town, town["forum"])
    v = voting.vote_create(
        scope=SYSTEM, actor=None, topic=t, question="表决", options=["是", "否"], closes_at=later()
    )
    voting.vote_close(scope=SYSTEM, actor=None, vote=v, now=later(48))
    # one query each: the topic with its forum, sessions, votes, their options, actions, ratings
    small = counts(t)
    for i in range(5):
        deliberating(town, town["forum"], f"议题{i}")
        v = voting.vote_create(
            scope=SYSTEM,
            actor=None,
            topic=t,
            question=f"表决{i}",
            options=["是", "否"],
            closes_at=later(),
        )
        voting.vote_close(scope=SYSTEM, actor=None, vote=v, now=later(48))
    topics.topic_decide(scope=SYSTEM, actor=None, topic=t, decision="办")
    for i in range(4):
        acting.action_add(
            scope=SYSTEM,
            actor=None,
            topic=t,
            title=f"事{i}",
            owner_kind="org",
            owner_name="社区",
            deadline=timezone.localdate() - dt.timedelta(days=1),
        )
    assert counts(t) == small


def test_resident_raises_votes_and_rates_through_pages(client_for, town):
    c = client_for(town["ann"].user)
    r = c.post(
        reverse("deliberation:raise"),
        {"forum": town["forum"].pk, "title": "加装电梯", "public": "on"},
    )
    t = Topic.objects.get()
    assert r.status_code == 302 and t.resident == town["ann"]
    topics.topic_accept(scope=SYSTEM, actor=None, topic=t)
    v = voting.vote_create(
        scope=SYSTEM,
        actor=None,
        topic=t,
        question="是否加装",
        options=["同意", "反对"],
        closes_at=later(),
    )
    yes = v.options.first()
    c.post(_url("resident_topic", t.pk), {"action": "vote", "option": yes.pk})
    r = c.post(_url("resident_topic", t.pk), {"action": "vote", "option": yes.pk}, follow=True)
    assert "已经投过票" in r.content.decode()
    assert Ballot.objects.count() == 1
    # a similar topic is offered before a second one is raised
    r = c.post(reverse("deliberation:raise"), {"forum": town["forum"].pk, "title": "加装电梯的事"})
    assert r.status_code == 200 and "相似" in r.content.decode()
    assert Topic.objects.count() == 1


def test_stranger_gets_404_on_staff_pages_and_changes_nothing(client_for, town):
    t = deliberating(town, town["forum"])
    s = held_today(town["forum"], t)
    c = client_for(town["charlie"])
    before = row_counts()
    pages = [
        reverse("deliberation:forums"),
        reverse("deliberation:forum_create"),
        _url("forum", town["forum"].pk),
        _url("topic", t.pk),
        _url("session", s.pk),
    ]
    for url in pages:
        assert c.get(url).status_code == 404
    for op in ("accept", "decide", "close_rating", "vote"):
        assert c.post(_url("topic", t.pk), {"action": op, "decision": "x"}).status_code == 404
    assert (
        c.post(_url("forum", town["forum"].pk), {"action": "enter", "title": "x"}).status_code
        == 404
    )
    assert c.post(_url("session", s.pk), {"minutes": "x"}).status_code == 404
    assert row_counts() == before
    t.refresh_from_db()
    assert t.status == TopicStatus.DELIBERATING


def test_resident_from_elsewhere_cannot_vote_through_the_page(client_for, town):
    t = deliberating(town, town["forum"])
    t.refresh_from_db()
    v = voting.vote_create(
        scope=SYSTEM, actor=None, topic=t, question="q", options=["a", "b"], closes_at=later()
    )
    # eve (street B) does not see the topic at all
    r = client_for(town["eve"].user).post(
        _url("resident_topic", t.pk), {"action": "vote", "option": v.options.first().pk}
    )
    assert r.status_code == 404
    assert not Ballot.objects.exists()


def test_host_pages_work_for_the_host(client_for, town):
    t = deliberating(town, town["forum"])
    c = client_for(town["alice"])
    assert c.get(reverse("deliberation:forums")).status_code == 200
    assert c.get(_url("forum", town["forum"].pk)).status_code == 200
    r = c.post(
        _url("topic", t.pk),
        {
            "action": "vote",
            "question": "是否清理",
            "options": "同意\n反对",
            "closes_at": (timezone.localtime() + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert r.status_code == 302 and t.votes.count() == 1
    assert c.get(_url("topic", t.pk)).status_code == 200
    assert c.get(reverse("core:dashboard")).status_code == 200


def test_stranger_without_resident_profile_gets_404_on_resident_pages(client_for, town):
    t = deliberating(town, town["forum"])
    c = client_for(town["charlie"])
    before = row_counts()
    assert c.get(reverse("deliberation:mine")).status_code == 404
    assert c.get(reverse("deliberation:raise")).status_code == 404
    assert (
        c.post(reverse("deliberation:raise"), {"forum": town["forum"].pk, "title": "x"}).status_code
        == 404
    )
    assert (
        c.post(_url("resident_topic", t.pk), {"action": "rate", "value": "satisfied"}).status_code
        == 404
    )
    assert row_counts() == before


def test_resident_cannot_raise_at_a_forum_elsewhere_through_the_page(client_for, town):
    c = client_for(town["eve"].user)
    r = c.post(reverse("deliberation:raise"), {"forum": town["forum"].pk, "title": "越界"})
    assert r.status_code == 200 and not Topic.objects.exists()


def test_a_wrong_check_in_code_is_said_once_and_checks_no_one_in(client_for, town):
    t = deliberating(town, town["forum"])
    s = held_today(town["forum"], t)
    c = client_for(town["ann"].user)
    wrong = "000000" if s.code != "000000" else "111111"
    r = c.post(
        _url("resident_topic", t.pk),
        {"action": "checkin", "session": s.pk, "code": wrong},
        follow=True,
    )
    assert r.content.decode().count("签到码不对") == 1
    assert not Attendance.objects.filter(session=s).exists()
