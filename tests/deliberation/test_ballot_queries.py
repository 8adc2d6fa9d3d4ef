"""A resident's ballot from the topic page costs a fixed number of queries, however many
ballots the vote holds: the middleware's session and user, the resident with their home and
household, the option with its vote, topic and forum, then the ballot and its audit row in one
transaction. The page's one read answers exactly what the topic page's reads answer."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.deliberation.conftest import SYSTEM, deliberating, later, make_forum
from tests.sharing.conftest import make_resident
from tongxin.core.models import AuditLog
from tongxin.deliberation import selectors
from tongxin.deliberation.models import Ballot, Topic, TopicStatus
from tongxin.deliberation.services import forums, topics, voting

# session, user, resident (home, household), option (vote, topic, forum); SAVEPOINT (the
# test's transaction: BEGIN in production), INSERT ballot, INSERT audit row, RELEASE.
BALLOT_QUERIES = 8


def _url(pk: int) -> str:
    return reverse("deliberation:resident_topic", args=[pk])


def _household_vote(town, neighbours: int):
    """A one-vote-per-household vote in 紫金花园1幢: ann and ben share 1幢101; each neighbour
    has a household of their own."""
    forum = make_forum(town, "墙门月光会")
    forums.household_register(
        scope=SYSTEM,
        actor=None,
        area=town["building_a"],
        label="1幢101",
        residents=[town["ann"], town["ben"]],
    )
    others = []
    for i in range(neighbours):
        r = make_resident(f"nb{i}", f"邻居{i}", town["building_a"])
        forums.household_register(
            scope=SYSTEM, actor=None, area=town["building_a"], label=f"1幢{201 + i}", residents=[r]
        )
        others.append(r)
    t = deliberating(town, forum)
    v = voting.vote_create(
        scope=SYSTEM, actor=None, topic=t, question="q", options=["同意", "反对"], closes_at=later()
    )
    assert v.household_vote
    return t, v, others


@pytest.mark.parametrize("earlier", [0, 5])
def test_one_ballot_from_the_topic_page_is_a_fixed_number_of_queries(
    town, client_for, django_assert_num_queries, earlier
):
    t, v, others = _household_vote(town, earlier)
    yes = v.options.first()
    for r in others:
        voting.ballot_cast(actor=r.user, resident=r, vote=v, option=yes)
    assert Ballot.objects.count() == earlier
    c = client_for(town["ann"].user)
    assert c.get(_url(t.pk)).status_code == 200  # the page, then the vote
    audits = AuditLog.objects.filter(action="deliberation.ballot_cast").count()
    with django_assert_num_queries(BALLOT_QUERIES):
        r = c.post(_url(t.pk), {"action": "vote", "option": yes.pk})
    assert r.status_code == 302 and r["Location"] == _url(t.pk)
    ballot = Ballot.objects.get(resident=town["ann"])
    assert ballot.voter_key == f"h{town['ann'].delib_household.household_id}"
    assert AuditLog.objects.filter(action="deliberation.ballot_cast").count() == audits + 1
    # ben, of the same household, is refused through the page and nothing is written
    r = client_for(town["ben"].user).post(
        _url(t.pk), {"action": "vote", "option": yes.pk}, follow=True
    )
    assert "一户一票" in r.content.decode()
    assert Ballot.objects.count() == earlier + 1
    assert AuditLog.objects.filter(action="deliberation.ballot_cast").count() == audits + 1


def test_an_option_not_open_is_a_message_and_a_topic_not_seen_is_404(town, client_for):
    t, v, _o = _household_vote(town, 0)
    yes = v.options.first()
    voting.vote_close(scope=SYSTEM, actor=None, vote=v, now=later(48))
    c = client_for(town["ann"].user)
    r = c.post(_url(t.pk), {"action": "vote", "option": yes.pk}, follow=True)
    assert r.status_code == 200 and "请选择一个正在表决的选项" in r.content.decode()
    r = c.post(_url(t.pk), {"action": "vote", "option": "x"}, follow=True)
    assert r.status_code == 200 and "请选择一个正在表决的选项" in r.content.decode()
    # eve lives in street B: the topic is not hers to see, whatever the option
    r = client_for(town["eve"].user).post(_url(t.pk), {"action": "vote", "option": yes.pk})
    assert r.status_code == 404
    assert not Ballot.objects.exists()


def test_resident_sees_answers_as_the_resident_topic_list(town):
    """The ballot's one-query read decides visibility in Python: for every resident and every
    kind of topic (public, private of their own or of another, merged, declined, another
    place's, an inactive forum's) it says what ``resident_topics`` says."""
    forum = town["forum"]
    elsewhere = make_forum(town, "圆桌听证会", area=town["compound_b"])
    public = deliberating(town, forum, "公开议题")
    own_private, _m = topics.topic_raise(
        actor=town["cat"].user, resident=town["cat"], forum=forum, title="私下议题", public=False
    )
    merged = deliberating(town, forum, "被合并")
    Topic.objects.filter(pk=merged.pk).update(status=TopicStatus.MERGED)
    declined = deliberating(town, forum, "不受理")
    Topic.objects.filter(pk=declined.pk).update(status=TopicStatus.DECLINED)
    far = topics.topic_enter(scope=SYSTEM, actor=None, forum=elsewhere, title="别处议题")
    hidden_forum = make_forum(town, "小巷公议会")
    shut = topics.topic_enter(scope=SYSTEM, actor=None, forum=hidden_forum, title="停用平台")
    type(hidden_forum).objects.filter(pk=hidden_forum.pk).update(active=False)
    all_topics = [public, own_private, merged, declined, far, shut]
    for key in ("ann", "ben", "cat", "dan", "eve"):
        resident = town[key]
        listed = set(selectors.resident_topics(resident).values_list("pk", flat=True))
        for t in Topic.objects.filter(pk__in=[x.pk for x in all_topics]).select_related("forum"):
            assert selectors.resident_sees(resident, t) == (t.pk in listed), (key, t.title)
    assert selectors.resident_sees(town["cat"], Topic.objects.get(pk=own_private.pk))
    assert not selectors.resident_sees(town["ann"], Topic.objects.get(pk=own_private.pk))
