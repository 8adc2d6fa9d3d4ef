"""说 → 议 → 办 → 评 through the services, and every bad input the issue lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.deliberation.conftest import SYSTEM, deliberating, later, make_forum
from tests.sharing.conftest import post
from tongxin.cases.models import Case, Category
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.deliberation import selectors
from tongxin.deliberation.models import (
    Ballot,
    BallotOrigin,
    Rating,
    Topic,
    TopicStatus,
    Vote,
    VoteResult,
)
from tongxin.deliberation.services import acting, forums, topics, voting


def test_bad_meeting_days_are_refused(town):
    with pytest.raises(ServiceError) as e:
        forums.forum_create(
            scope=SYSTEM,
            actor=None,
            name="x",
            kind=town["forum"].kind,
            area=town["compound_a"],
            host_org=town["comm_a_org"],
            meeting_days="31",
        )
    assert "28" in e.value.fields["meeting_days"]


def test_phone_and_html_in_a_topic_are_masked(town):
    t, masked = topics.topic_raise(
        actor=town["ann"].user,
        resident=town["ann"],
        forum=town["forum"],
        title="<b>电梯</b>坏了 联系13900001111",
        body="<script>alert(1)</script>微信 abcde123 找我",
    )
    assert masked
    assert "<" not in t.title and "13900001111" not in t.title
    assert "[联系方式已隐藏]" in t.title
    assert "script" not in t.body and "abcde123" not in t.body


def test_a_resident_raises_only_in_their_own_place(town):
    with pytest.raises(ForbiddenError):
        topics.topic_raise(
            actor=town["eve"].user, resident=town["eve"], forum=town["forum"], title="x"
        )
    with pytest.raises(ForbiddenError):
        topics.topic_raise(
            actor=town["ann"].user, resident=town["ben"], forum=town["forum"], title="x"
        )
    assert not Topic.objects.exists()


def test_similar_open_topics_are_offered_and_merged(town):
    a = deliberating(town, town["forum"], "3幢楼道堆物清理")
    b, _m = topics.topic_raise(
        actor=town["cat"].user, resident=town["cat"], forum=town["forum"], title="楼道堆物太多"
    )
    assert a in selectors.similar_open_topics(town["forum"], b.title, exclude=b.pk)
    topics.topic_merge(scope=SYSTEM, actor=None, topic=b, into=a)
    b.refresh_from_db()
    assert b.status == TopicStatus.MERGED and b.merged_into == a
    with pytest.raises(ServiceError):
        topics.topic_merge(scope=SYSTEM, actor=None, topic=a, into=a)


def _vote(w, forum=None, **kw) -> Vote:
    t = deliberating(w, forum or w["forum"])
    return voting.vote_create(
        scope=SYSTEM,
        actor=None,
        topic=t,
        question="是否同意清理楼道堆物",
        options=["同意", "不同意"],
        closes_at=later(),
        **kw,
    )


def test_second_vote_by_the_same_person_is_refused(town):
    v = _vote(town)
    yes = v.options.first()
    voting.ballot_cast(actor=town["ann"].user, resident=town["ann"], vote=v, option=yes)
    with pytest.raises(ConflictError) as e:
        voting.ballot_cast(actor=town["ann"].user, resident=town["ann"], vote=v, option=yes)
    assert "已经投过票" in e.value.message
    assert Ballot.objects.count() == 1


def test_second_vote_by_the_same_household_is_refused(town):
    forum = make_forum(town, "墙门月光会")
    h = forums.household_register(
        scope=SYSTEM,
        actor=None,
        area=town["building_a"],
        label="1幢101",
        residents=[town["ann"], town["ben"]],
    )
    assert h.members.count() == 2
    v = _vote(town, forum)
    assert v.household_vote and v.eligible == 1
    yes = v.options.first()
    voting.ballot_cast(actor=town["ann"].user, resident=town["ann"], vote=v, option=yes)
    with pytest.raises(ConflictError) as e:
        voting.ballot_cast(actor=town["ben"].user, resident=town["ben"], vote=v, option=yes)
    assert "一户一票" in e.value.message
    # cat has no registered household: told to register, not counted
    with pytest.raises(ServiceError):
        voting.ballot_cast(actor=town["cat"].user, resident=town["cat"], vote=v, option=yes)
    assert Ballot.objects.count() == 1


def test_vote_from_outside_the_place_is_refused(town):
    v = _vote(town)
    with pytest.raises(ForbiddenError):
        voting.ballot_cast(
            actor=town["dan"].user, resident=town["dan"], vote=v, option=v.options.first()
        )
    assert not Ballot.objects.exists()


def test_vote_after_close_is_refused(town):
    v = _vote(town)
    with pytest.raises(ConflictError):
        voting.ballot_cast(
            actor=town["ann"].user,
            resident=town["ann"],
            vote=v,
            option=v.options.first(),
            now=later(48),
        )
    voting.vote_close(scope=SYSTEM, actor=None, vote=v, now=later(48))
    with pytest.raises(ConflictError):
        voting.ballot_cast(
            actor=town["ann"].user, resident=town["ann"], vote=v, option=v.options.first()
        )
    assert not Ballot.objects.exists()


def test_quorum_not_met_is_recorded_not_passed(town):
    forum = make_forum(town, "圆桌听证会")  # quorum 50% of the 3 residents
    v = _vote(town, forum)
    assert v.eligible == 3
    voting.ballot_cast(
        actor=town["ann"].user, resident=town["ann"], vote=v, option=v.options.first()
    )
    v = voting.vote_close(scope=SYSTEM, actor=None, vote=v, now=later(48))
    assert v.result == VoteResult.NO_QUORUM and v.winner is None
    assert v.get_result_display() == "未达法定人数"


def test_vote_passes_with_more_than_half_and_counts_origin(town):
    v = _vote(town)
    yes, no = list(v.options.all())
    voting.ballot_cast(actor=town["ann"].user, resident=town["ann"], vote=v, option=yes)
    voting.ballot_enter_paper(scope=SYSTEM, actor=None, vote=v, resident=town["ben"], option=yes)
    voting.ballot_cast(actor=town["cat"].user, resident=town["cat"], vote=v, option=no)
    v = voting.vote_close(scope=SYSTEM, actor=None, vote=v)  # everyone voted: early close
    assert v.result == VoteResult.PASSED and v.winner == yes
    yes.refresh_from_db()
    assert (yes.online, yes.paper) == (1, 1)
    assert Ballot.objects.filter(origin=BallotOrigin.PAPER).count() == 1


def test_compound_convention_needs_two_thirds_of_households():
    d = dict(quorum_percent=67, pass_percent=67, inclusive=True, basis="eligible")
    assert voting.decide(eligible=3000, cast=2100, counts=[2010, 90], **d)[0] == VoteResult.PASSED
    assert voting.decide(eligible=3000, cast=2100, counts=[2009, 91], **d)[0] == VoteResult.REJECTED
    assert (
        voting.decide(eligible=3000, cast=2100, counts=[1900, 200], **d)[0] == VoteResult.REJECTED
    )
    assert voting.decide(eligible=3000, cast=1900, counts=[1900, 0], **d)[0] == VoteResult.NO_QUORUM
    half = dict(quorum_percent=20, pass_percent=50, inclusive=False, basis="cast")
    assert voting.decide(eligible=10, cast=4, counts=[2, 2], **half)[0] == VoteResult.REJECTED


def test_a_draft_vote_cannot_be_voted_on(town):
    v = _vote(town, open_now=False)
    with pytest.raises(ConflictError):
        voting.ballot_cast(
            actor=town["ann"].user, resident=town["ann"], vote=v, option=v.options.first()
        )


def test_from_say_to_rate_and_reopen_once(town):
    t = deliberating(town, town["forum"])
    session = topics.session_schedule(
        scope=SYSTEM,
        actor=None,
        forum=town["forum"],
        held_at=timezone.now(),
        place="紫金花园议事室",
        topics=[t],
        parties=["residents", "property"],
    )
    with pytest.raises(ServiceError):
        topics.session_checkin(
            actor=town["cat"].user, resident=town["cat"], session=session, code="x"
        )
    topics.session_checkin(
        actor=town["cat"].user, resident=town["cat"], session=session, code=session.code
    )
    with pytest.raises(ConflictError):
        topics.session_checkin(
            actor=town["cat"].user, resident=town["cat"], session=session, code=session.code
        )
    topics.topic_decide(scope=SYSTEM, actor=None, topic=t, decision="物业一周内清理")
    action = acting.action_add(
        scope=SYSTEM,
        actor=None,
        topic=t,
        title="清理楼道",
        owner_kind="property",
        owner_name="紫金物业",
        deadline=timezone.localdate() + dt.timedelta(days=7),
    )
    with pytest.raises(ConflictError):
        acting.rating_submit(
            actor=town["ann"].user, resident=town["ann"], topic=t, value="satisfied"
        )
    acting.action_progress(scope=SYSTEM, actor=None, action=action, progress=50)
    with pytest.raises(ServiceError):
        acting.action_progress(scope=SYSTEM, actor=None, action=action, progress=20)
    acting.action_progress(scope=SYSTEM, actor=None, action=action, progress=100)
    t.refresh_from_db()
    assert t.status == TopicStatus.RATING
    with pytest.raises(ForbiddenError):  # dan took no part
        acting.rating_submit(
            actor=town["dan"].user, resident=town["dan"], topic=t, value="satisfied"
        )
    acting.rating_submit(actor=town["ann"].user, resident=town["ann"], topic=t, value="unsatisfied")
    acting.rating_submit(actor=town["cat"].user, resident=town["cat"], topic=t, value="unsatisfied")
    acting.rating_close(scope=SYSTEM, actor=None, topic=t)
    t.refresh_from_db()
    assert t.status == TopicStatus.ACTING and t.reopened
    a2 = acting.action_add(
        scope=SYSTEM,
        actor=None,
        topic=t,
        title="加装监控",
        owner_kind="org",
        owner_name="社区",
        deadline=timezone.localdate(),
    )
    acting.action_progress(scope=SYSTEM, actor=None, action=a2, progress=100)
    acting.rating_submit(actor=town["ann"].user, resident=town["ann"], topic=t, value="unsatisfied")
    acting.rating_close(scope=SYSTEM, actor=None, topic=t)
    t.refresh_from_db()
    assert t.status == TopicStatus.CLOSED  # reopened once only
    assert Rating.objects.count() == 3


def test_a_case_becomes_a_topic_and_a_topic_a_case(town):
    category = Category.objects.filter(active=True).first()
    t = deliberating(town, town["forum"], "路灯不亮")
    topics.topic_refer(scope=SYSTEM, actor=None, topic=t, category=category)
    t.refresh_from_db()
    assert t.status == TopicStatus.REFERRED and t.case is not None
    case = Case.objects.get()
    with pytest.raises(ConflictError):
        topics.topic_from_source(scope=SYSTEM, actor=None, forum=town["forum"], case=case)


def test_a_listing_becomes_a_topic_in_one_step(town):
    listing = post(town["ann"], "need", "楼下想建个共享书架")
    t = topics.topic_from_source(scope=SYSTEM, actor=None, forum=town["forum"], listing=listing)
    assert t.listing == listing and t.source == "listing"
    with pytest.raises(ServiceError):  # not of the forum's place
        topics.topic_from_source(
            scope=SYSTEM,
            actor=None,
            forum=make_forum(town, area=town["compound_a2"]),
            listing=listing,
        )
