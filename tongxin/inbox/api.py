"""消息中心 API: my messages, mark one or all read. A message of someone else is a 404."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from tongxin.accounts.scope import request_user
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import request_scope
from tongxin.inbox import selectors, services

router = Router(tags=["消息中心"])


class MessageOut(Schema):
    id: int
    kind: str
    title: str
    body: str
    link: str
    created_at: dt.datetime
    read_at: dt.datetime | None = None


class MessagePage(Schema):
    count: int
    page: int
    page_size: int
    unread: int
    results: list[MessageOut]


class MessageQuery(PageQuery):
    kind: str = ""
    unread: bool = False


class ReadAllIn(Schema):
    kind: str = ""


class ReadAllOut(Schema):
    count: int


@router.get("/messages", response=MessagePage, summary="我的消息")
def message_list(request: HttpRequest, query: Query[MessageQuery]):
    user = request_user(request)
    qs = selectors.message_list(user.pk, kind=query.kind, unread=query.unread)
    return {**api_page(qs, query.page), "unread": selectors.unread_count(user.pk)}


@router.post("/messages/{message_id}/read", response=MessageOut, summary="标为已读")
def message_read(request: HttpRequest, message_id: int):
    user = request_user(request)
    msg = selectors.get_message_for(user.pk, message_id)
    return services.message_mark_read(actor=user, scope=request_scope(request), message=msg)


@router.post("/messages/read-all", response=ReadAllOut, summary="全部标为已读")
def messages_read_all(request: HttpRequest, payload: ReadAllIn):
    user = request_user(request)
    n = services.messages_mark_all_read(
        actor=user, scope=request_scope(request), user=user, kind=payload.kind
    )
    return {"count": n}
