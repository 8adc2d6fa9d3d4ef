"""议事 API (/api/v1/deliberation/…): the same selectors and services as the pages. The public
topic and forum read without a login, like the public pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext, gettext_lazy
from ninja import Field, Query, Router, Schema, Status

from tongxin.accounts.scope import request_user
from tongxin.accounts.selectors import api_resident
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import Scope, request_scope
from tongxin.deliberation import selectors
from tongxin.deliberation.services import acting, forums, topics, voting

NO_RESIDENT = gettext_lazy("您的账号还没有居民档案，不能参与议事。")
router = Router(tags=["协商议事"])


class ForumOut(Schema):
    id: int
    name: str
    kind: str = Field(..., alias="kind.name")
    area_id: int
    host_org_id: int
    meeting_days: str
    household_vote: bool


class ForumIn(Schema):
    name: str = Field(..., max_length=60)
    kind_id: int
    area_id: int
    host_org_id: int
    meeting_days: str = Field("", max_length=40)


class ForumPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ForumOut]


class TopicOut(Schema):
    id: int
    forum_id: int
    title: str
    body: str
    status: str
    public: bool
    source: str
    decision: str
    reopened: bool
    raised_at: dt.datetime


class TopicPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[TopicOut]


class TopicIn(Schema):
    forum_id: int
    title: str = Field(..., max_length=200)
    body: str = Field("", max_length=2000)
    public: bool = True


class DecideIn(Schema):
    decision: str = Field(..., max_length=2000)
    act: bool = True


class VoteIn(Schema):
    question: str = Field(..., max_length=200)
    options: list[str] = Field(..., max_length=10)
    closes_at: dt.datetime


class OptionOut(Schema):
    id: int
    label: str
    online: int
    paper: int


class VoteOut(Schema):
    id: int
    question: str
    status: str
    household_vote: bool
    eligible: int
    cast: int
    result: str
    closes_at: dt.datetime
    options: list[OptionOut]


class TopicBallotIn(Schema):
    option_id: int


class TopicActionIn(Schema):
    title: str = Field(..., max_length=100)
    owner_kind: str = Field(..., max_length=12)
    owner_name: str = Field(..., max_length=60)
    deadline: dt.date


class ActionOut(Schema):
    id: int
    title: str
    owner_name: str
    deadline: dt.date
    progress: int


class ProgressIn(Schema):
    progress: int
    note: str = Field("", max_length=300)


class TopicRatingIn(Schema):
    value: str = Field(..., max_length=12)


class CardIn(Schema):
    card: str = Field(..., max_length=400, description="党员卡二维码的内容，或卡上的6位签到码")


class AttendanceOut(Schema):
    id: int
    session_id: int
    member_id: int | None = None
    resident_id: int | None = None
    method: str


class DeliberationFiguresOut(Schema):
    raised: int
    deliberating: int
    acting: int
    rated: int
    satisfaction: int | None = None


class TopicQuery(PageQuery):
    forum_id: int | None = Field(None, ge=1, le=2**31 - 1)
    status: str = Field("", max_length=12)


def _need(request: HttpRequest, perm: str = selectors.VIEW) -> Scope:
    """The caller's scope when they hold ``perm`` (VIEW to read, MANAGE to host), else 404."""
    scope = request_scope(request)
    if not scope.has(perm):
        raise Http404
    return scope


M = selectors.MANAGE


def _vote_out(vote: Any) -> dict[str, Any]:
    t = selectors.tally(vote)
    return {
        "id": vote.pk,
        "question": vote.question,
        "status": vote.status,
        "household_vote": vote.household_vote,
        "eligible": vote.eligible,
        "cast": t.cast,
        "result": vote.result,
        "closes_at": vote.closes_at,
        "options": [
            {"id": o.pk, "label": o.label, "online": on, "paper": pa} for o, on, pa in t.rows
        ],
    }


@router.get("/forums", response=ForumPage, summary="辖区内的议事平台")
def forum_list(request: HttpRequest, query: Query[PageQuery]):
    return api_page(selectors.forum_list(_need(request)), query.page)


@router.post("/forums", response={201: ForumOut}, summary="新建议事平台")
def forum_create(request: HttpRequest, payload: ForumIn):
    scope = _need(request, M)
    missing = gettext("不存在或不在您的管辖范围内。")

    def pick(qs: Any, pk: int, field: str) -> Any:
        obj = qs.filter(pk=pk).first() if 0 < pk < 2**31 else None
        if obj is None:
            raise ServiceError(gettext("请按提示修改后再提交。"), fields={field: missing})
        return obj

    forum = forums.forum_create(
        scope=scope,
        actor=request_user(request),
        name=payload.name,
        kind=pick(selectors.forum_kinds(), payload.kind_id, "kind_id"),
        area=pick(selectors.area_choices(scope), payload.area_id, "area_id"),
        host_org=pick(selectors.host_org_choices(scope), payload.host_org_id, "host_org_id"),
        meeting_days=payload.meeting_days,
    )
    return Status(201, forum)


@router.get("/topics", response=TopicPage, summary="辖区内的议题")
def topic_list(request: HttpRequest, query: Query[TopicQuery]):
    scope = _need(request)
    forum = selectors.get_forum_for(scope, query.forum_id) if query.forum_id else None
    return api_page(selectors.topic_list(scope, forum=forum, status=query.status), query.page)


@router.get("/topics/{topic_id}", response=TopicOut, summary="议题")
def topic_get(request: HttpRequest, topic_id: int):
    return selectors.get_topic_for(_need(request), topic_id)


@router.get("/public/topics/{topic_id}", response=TopicOut, auth=None, summary="公开的议题")
def public_topic(request: HttpRequest, topic_id: int):
    return selectors.public_topic(topic_id)


@router.post("/topics", response={201: TopicOut}, summary="居民说事：提出议题")
def topic_raise(request: HttpRequest, payload: TopicIn):
    resident = api_resident(request, NO_RESIDENT)
    forum = selectors.resident_forums(resident).filter(pk=payload.forum_id).first()
    if forum is None:
        msg = gettext("请选择您居住地方的议事平台。")
        raise ServiceError(msg, fields={"forum_id": msg})
    topic, _masked = topics.topic_raise(
        actor=request_user(request),
        resident=resident,
        forum=forum,
        title=payload.title,
        body=payload.body,
        public=payload.public,
    )
    return Status(201, topic)


@router.post("/topics/{topic_id}/accept", response=TopicOut, summary="受理议题")
def topic_accept(request: HttpRequest, topic_id: int):
    scope = _need(request, M)
    topic = selectors.get_topic_for(scope, topic_id, M)
    return topics.topic_accept(scope=scope, actor=request_user(request), topic=topic)


@router.post("/topics/{topic_id}/decide", response=TopicOut, summary="议定")
def topic_decide(request: HttpRequest, topic_id: int, payload: DecideIn):
    scope = _need(request, M)
    topic = selectors.get_topic_for(scope, topic_id, M)
    return topics.topic_decide(
        scope=scope,
        actor=request_user(request),
        topic=topic,
        decision=payload.decision,
        act=payload.act,
    )


@router.post("/topics/{topic_id}/votes", response={201: VoteOut}, summary="发起表决")
def vote_create(request: HttpRequest, topic_id: int, payload: VoteIn):
    scope = _need(request, M)
    topic = selectors.get_topic_for(scope, topic_id, M)
    vote = voting.vote_create(
        scope=scope,
        actor=request_user(request),
        topic=topic,
        question=payload.question,
        options=payload.options,
        closes_at=payload.closes_at,
    )
    return Status(201, _vote_out(vote))


@router.get("/votes/{vote_id}", response=VoteOut, summary="表决与计票")
def vote_get(request: HttpRequest, vote_id: int):
    return _vote_out(selectors.get_vote_for(_need(request), vote_id))


@router.post("/votes/{vote_id}/close", response=VoteOut, summary="结束并计票")
def vote_close(request: HttpRequest, vote_id: int):
    scope = _need(request, M)
    vote = selectors.get_vote_for(scope, vote_id, M)
    return _vote_out(voting.vote_close(scope=scope, actor=request_user(request), vote=vote))


@router.post(
    "/sessions/{session_id}/card-check-in",
    response={201: AttendanceOut},
    summary="议事会刷党员卡签到（扫码或输入卡上的签到码）",
)
def session_card_checkin(request: HttpRequest, session_id: int, payload: CardIn):
    scope = _need(request, M)
    session = selectors.get_session_for(scope, session_id, M)
    attendance = topics.session_card_checkin(
        scope=scope, actor=request_user(request), session=session, text=payload.card
    )
    return Status(201, attendance)


@router.post("/topics/{topic_id}/ballots", response={201: dict[str, int]}, summary="居民投票")
def ballot_cast(request: HttpRequest, topic_id: int, payload: TopicBallotIn):
    resident = api_resident(request, NO_RESIDENT)
    topic = selectors.get_topic_for_resident(resident, topic_id)
    option = selectors.open_option(topic, payload.option_id)
    ballot = voting.ballot_cast(
        actor=request_user(request), resident=resident, vote=option.vote, option=option
    )
    return Status(201, {"id": ballot.pk})


@router.post("/topics/{topic_id}/actions", response={201: ActionOut}, summary="添加办理事项")
def action_add(request: HttpRequest, topic_id: int, payload: TopicActionIn):
    scope = _need(request, M)
    topic = selectors.get_topic_for(scope, topic_id, M)
    action = acting.action_add(
        scope=scope, actor=request_user(request), topic=topic, **payload.dict()
    )
    return Status(201, action)


@router.post("/actions/{action_id}/progress", response=ActionOut, summary="更新办理进度")
def action_progress(request: HttpRequest, action_id: int, payload: ProgressIn):
    scope = _need(request, M)
    action = selectors.get_action_for(scope, action_id, M)
    return acting.action_progress(
        scope=scope,
        actor=request_user(request),
        action=action,
        progress=payload.progress,
        note=payload.note,
    )


@router.post("/topics/{topic_id}/ratings", response={201: dict[str, int]}, summary="居民评议")
def rating_submit(request: HttpRequest, topic_id: int, payload: TopicRatingIn):
    resident = api_resident(request, NO_RESIDENT)
    topic = selectors.get_topic_for_resident(resident, topic_id)
    rating = acting.rating_submit(
        actor=request_user(request), resident=resident, topic=topic, value=payload.value
    )
    return Status(201, {"id": rating.pk})


@router.get("/figures", response=DeliberationFiguresOut, summary="议题数、办理中、满意率")
def figures(request: HttpRequest):
    out = selectors.figures(_need(request))
    assert out is not None
    return out
