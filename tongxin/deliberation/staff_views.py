"""The hosts' pages (desktop first): forums in reach, a forum's topics and sessions, a topic's
steps through 议 and 办 (accept, merge, refer, vote, decide, actions, close 评), a session's
attendance by member card. Readers (deliberation.view) see the same pages without the forms;
hosting takes deliberation.manage over the forum."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from tongxin.accounts.scope import request_user
from tongxin.cases.selectors import case_categories, case_queryset
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error, set_choices, set_queryset
from tongxin.core.pagination import paginate
from tongxin.core.scope import Scope, request_scope
from tongxin.deliberation import selectors
from tongxin.deliberation.forms import ActionForm, EnterForm, ForumForm, SessionForm, VoteForm
from tongxin.deliberation.models import Forum, TopicStatus, VoteStatus
from tongxin.deliberation.services import acting, forums, topics, voting
from tongxin.projects.selectors import suggestion_list
from tongxin.sharing.selectors import get_listing_for_staff


def _error(request: HttpRequest, err: ServiceError) -> None:
    messages.error(request, " ".join([err.message, *err.fields.values()]))


def _need(request: HttpRequest, perm: str = selectors.VIEW) -> Scope:
    scope = request_scope(request)
    if not scope.has(perm):
        raise Http404
    return scope


def _hosting(request: HttpRequest, scope: Scope, forum: Forum) -> bool:
    """Whether the user hosts ``forum``; a form posted by someone who only reads it is a 404."""
    host = selectors.may_host(scope, forum)
    if request.method == "POST" and not host:
        raise Http404
    return host


@login_required
def forum_list(request: HttpRequest) -> HttpResponse:
    scope = _need(request)
    return render(
        request,
        "deliberation/forums.html",
        {
            "page": paginate(request, selectors.forum_list(scope)),
            "can_create": scope.has(selectors.MANAGE),
            "nav_active": "deliberation",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def forum_create(request: HttpRequest) -> HttpResponse:
    scope = _need(request, selectors.MANAGE)
    form = ForumForm(request.POST or None)
    set_queryset(form.fields["area"], selectors.area_choices(scope))
    set_queryset(form.fields["host_org"], selectors.host_org_choices(scope))
    if request.method == "POST" and form.is_valid():
        try:
            forum = forums.forum_create(
                scope=scope, actor=request_user(request), **form.cleaned_data
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            return redirect("deliberation:forum", pk=forum.pk)
    return render(
        request, "deliberation/forum_form.html", {"form": form, "nav_active": "deliberation"}
    )


def _session_form(forum: Forum, data: Any = None) -> SessionForm:
    form = SessionForm(data)
    set_choices(form.fields["topics"], [(t.pk, t.title) for t in selectors.agenda_choices(forum)])
    return form


@login_required
@require_http_methods(["GET", "POST"])
def forum_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _need(request)
    forum = selectors.get_forum_for(scope, pk)
    host = _hosting(request, scope, forum)
    actor = request_user(request)
    enter_form = EnterForm()
    session_form = _session_form(forum)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "enter":
                enter_form = EnterForm(request.POST)
                if enter_form.is_valid():
                    t = topics.topic_enter(
                        scope=scope, actor=actor, forum=forum, **enter_form.cleaned_data
                    )
                    return redirect("deliberation:topic", pk=t.pk)
            elif action == "from":
                t = topics.topic_from_source(
                    scope=scope, actor=actor, forum=forum, **_source(request)
                )
                return redirect("deliberation:topic", pk=t.pk)
            elif action == "session":
                session_form = _session_form(forum, request.POST)
                if session_form.is_valid():
                    d = session_form.cleaned_data
                    chosen = list(selectors.agenda_choices(forum).filter(pk__in=d["topics"]))
                    s = topics.session_schedule(
                        scope=scope,
                        actor=actor,
                        forum=forum,
                        held_at=d["held_at"],
                        place=d["place"],
                        topics=chosen,
                        parties=d["parties"],
                        invited_note=d["invited_note"],
                    )
                    return redirect("deliberation:session", pk=s.pk)
        except ServiceError as e:
            _error(request, e)
    status = request.GET.get("status", "")
    status = status if status in TopicStatus.values else ""
    return render(
        request,
        "deliberation/forum.html",
        {
            "forum": forum,
            "figures": selectors.forum_figures(forum),
            "overdue": list(selectors.overdue_actions(forum)[:20]),
            "page": paginate(request, selectors.topic_list(scope, forum=forum, status=status)),
            "statuses": TopicStatus.choices,
            "status": status,
            "sessions": list(forum.sessions.order_by("-held_at")[:10]),
            "enter_form": enter_form,
            "session_form": session_form,
            "host": host,
            "nav_active": "deliberation",
        },
    )


def _source(request: HttpRequest) -> dict[str, Any]:
    """The case (by its 查询码), 共享小区 listing or suggestion (by number) named in the form,
    looked up in the user's reach; anything else is a refusal."""
    scope = request_scope(request)
    kind, ref = request.POST.get("source", ""), request.POST.get("ref", "").strip()
    missing = ServiceError(gettext("没有找到这条记录，请核对编号（事件填查询码）。"))
    if kind == "case":
        case = case_queryset(scope).filter(tracking_code=ref).first()
        if case is None:
            raise missing
        return {"case": case}
    if not ref.isdigit() or len(ref) > 12:
        raise missing
    if kind == "listing":
        try:
            return {"listing": get_listing_for_staff(scope, ref)}
        except Http404:
            raise missing from None
    if kind == "suggestion":
        s = suggestion_list(scope).filter(pk=int(ref)).first()
        if s is None:
            raise missing
        return {"suggestion": s}
    raise missing


@login_required
@require_http_methods(["GET", "POST"])
def topic_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _need(request)
    topic = selectors.get_topic_for(scope, pk)
    host = _hosting(request, scope, topic.forum)
    actor = request_user(request)
    vote_form, action_form = VoteForm(), ActionForm()
    if request.method == "POST":
        op = request.POST.get("action", "")
        try:
            if op == "accept":
                topics.topic_accept(scope=scope, actor=actor, topic=topic)
            elif op == "merge":
                into = selectors.get_topic_for(scope, request.POST.get("into", ""))
                topics.topic_merge(scope=scope, actor=actor, topic=topic, into=into)
            elif op == "refer":
                code = request.POST.get("category", "")
                category = case_categories().filter(code=code).first()
                topics.topic_refer(scope=scope, actor=actor, topic=topic, category=category)
            elif op == "vote":
                vote_form = VoteForm(request.POST)
                if not vote_form.is_valid():
                    raise ServiceError(gettext("请按提示填写表决事项、选项和截止时间。"))
                d = vote_form.cleaned_data
                voting.vote_create(
                    scope=scope,
                    actor=actor,
                    topic=topic,
                    question=d["question"],
                    options=d["options"].splitlines(),
                    closes_at=d["closes_at"],
                )
            elif op in ("paper", "close"):
                vote = selectors.get_vote_for(scope, request.POST.get("vote", ""))
                if vote.topic_id != topic.pk:
                    raise ServiceError(gettext("请选择本议题的表决。"))
                if op == "close":
                    voting.vote_close(scope=scope, actor=actor, vote=vote)
                else:
                    resident = (
                        selectors.residents_in(scope, topic)
                        .filter(pk=_int(request.POST.get("resident")))
                        .first()
                    )
                    option = vote.options.filter(pk=_int(request.POST.get("option"))).first()
                    if resident is None or option is None:
                        raise ServiceError(gettext("请选择投票的居民和选项。"))
                    voting.ballot_enter_paper(
                        scope=scope, actor=actor, vote=vote, resident=resident, option=option
                    )
            elif op == "decide":
                topics.topic_decide(
                    scope=scope,
                    actor=actor,
                    topic=topic,
                    decision=request.POST.get("decision", ""),
                    act=request.POST.get("act", "1") == "1",
                )
            elif op == "add_action":
                action_form = ActionForm(request.POST)
                if not action_form.is_valid():
                    raise ServiceError(gettext("请填写办理事项、责任方和完成期限。"))
                acting.action_add(scope=scope, actor=actor, topic=topic, **action_form.cleaned_data)
            elif op == "progress":
                item = selectors.get_action_for(scope, request.POST.get("item", ""))
                acting.action_progress(
                    scope=scope,
                    actor=actor,
                    action=item,
                    progress=_int(request.POST.get("progress")),
                    note=request.POST.get("note", ""),
                )
            elif op == "close_rating":
                acting.rating_close(scope=scope, actor=actor, topic=topic)
            else:
                raise ServiceError(gettext("未知的操作。"))
        except ServiceError as e:
            _error(request, e)
        else:
            messages.success(request, gettext("已保存。"))
            return redirect("deliberation:topic", pk=topic.pk)
    detail = selectors.topic_detail(topic)
    all_votes = list(topic.votes.prefetch_related("options").order_by("id"))
    return render(
        request,
        "deliberation/topic.html",
        {
            "topic": topic,
            **detail,
            "all_votes": all_votes,
            "open_votes": [v for v in all_votes if v.status == VoteStatus.OPEN],
            "similar": selectors.similar_open_topics(topic.forum, topic.title, exclude=topic.pk)
            if host and topic.status in (TopicStatus.RAISED, TopicStatus.DELIBERATING)
            else [],
            "categories": case_categories(),
            "residents": list(selectors.residents_in(scope, topic)[:300]) if host else [],
            "vote_form": vote_form,
            "action_form": action_form,
            "host": host,
            "nav_active": "deliberation",
        },
    )


def _int(value: object) -> int:
    try:
        n = int(str(value))
    except ValueError:
        return -1
    return n if -1 <= n < 2**31 else -1


@login_required
@require_http_methods(["GET", "POST"])
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A session: its code, agenda and minutes, and attendance; the host scans or types a
    member's card to mark them present."""
    scope = _need(request)
    session = selectors.get_session_for(scope, pk)
    host = _hosting(request, scope, session.forum)
    card_error = ""
    if request.method == "POST":
        actor = request_user(request)
        try:
            if request.POST.get("action") == "card":
                a = topics.session_card_checkin(
                    scope=scope, actor=actor, session=session, text=request.POST.get("card", "")
                )
                messages.success(
                    request,
                    gettext("%(name)s 已签到。") % {"name": a.member.name if a.member else ""},
                )
            else:
                topics.session_minutes(
                    scope=scope,
                    actor=actor,
                    session=session,
                    minutes=request.POST.get("minutes", ""),
                )
                messages.success(request, gettext("会议纪要已保存。"))
            return redirect("deliberation:session", pk=session.pk)
        except ServiceError as e:
            if request.POST.get("action") == "card":
                card_error = e.fields.get("card") or e.message
            else:
                _error(request, e)
    return render(
        request,
        "deliberation/session.html",
        {
            "session": session,
            "agenda": list(session.topics.all()),
            "attendance": selectors.session_attendance(session),
            "host": host,
            "card_error": card_error,
            "nav_active": "deliberation",
        },
    )
