"""Public pages (no login: a forum, a topic, the printable 公示 of a decision) and the
resident's phone pages (raise a topic, check in, vote, rate)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from tongxin.accounts.models import Resident
from tongxin.accounts.scope import request_user
from tongxin.accounts.selectors import page_resident
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error, set_queryset
from tongxin.core.pagination import paginate
from tongxin.deliberation import selectors
from tongxin.deliberation.forms import RaiseForm, RateForm
from tongxin.deliberation.models import TopicStatus
from tongxin.deliberation.services import acting, topics, voting


def _error(request: HttpRequest, err: ServiceError) -> None:
    """A refused action as one message: the error and each field's note, each said once."""
    parts = dict.fromkeys([err.message, *err.fields.values()])
    messages.error(request, " ".join(p for p in parts if p))


def _vote(request: HttpRequest, resident: Resident, pk: int) -> HttpResponse:
    """A resident's ballot from the topic page. The topic, the option and the vote are read in
    one query; only when that finds nothing are they read one by one, to answer 404 for a
    topic the resident may not see and a message for an option not open to a vote."""
    try:
        option = selectors.resident_open_option(resident, pk, request.POST.get("option"))
        if option is None:
            topic = selectors.get_topic_for_resident(resident, pk)
            option = selectors.open_option(topic, request.POST.get("option"))
        voting.ballot_cast(
            actor=request_user(request), resident=resident, vote=option.vote, option=option
        )
        messages.success(request, gettext("投票成功，结果将在截止后公布。"))
    except ServiceError as e:
        _error(request, e)
    return redirect("deliberation:resident_topic", pk=pk)


# ---- public -------------------------------------------------------------------------------


def public_forum(request: HttpRequest, pk: int) -> HttpResponse:
    """A forum's public page: its facts, figures, overdue actions and public topics."""
    forum = selectors.public_forum(pk)
    return render(
        request,
        "deliberation/public_forum.html",
        {
            "forum": forum,
            "figures": selectors.forum_figures(forum),
            "overdue": list(selectors.overdue_actions(forum)[:20]),
            "page": paginate(request, selectors.public_topics(forum)),
        },
    )


def public_topic(request: HttpRequest, pk: int) -> HttpResponse:
    topic = selectors.public_topic(pk)
    return render(
        request,
        "deliberation/public_topic.html",
        {"topic": topic, **selectors.topic_detail(topic)},
    )


def notice(request: HttpRequest, pk: int) -> HttpResponse:
    """公示: the printable notice of a topic's decision (only once decided)."""
    topic = selectors.public_topic(pk)
    if not topic.decided_at:
        raise Http404(gettext("该议题还没有议定，没有公示。"))
    return render(
        request, "deliberation/notice.html", {"topic": topic, **selectors.topic_detail(topic)}
    )


# ---- residents ----------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    resident = page_resident(request)
    return render(
        request,
        "deliberation/mine.html",
        {
            "resident": resident,
            "forums": list(selectors.resident_forums(resident)),
            "page": paginate(request, selectors.resident_topics(resident)),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def raise_topic(request: HttpRequest) -> HttpResponse:
    """说 on the phone. Similar open topics of the forum are offered first: joining one beats
    raising the same thing twice; the resident may still go on."""
    resident = page_resident(request)
    choices = selectors.resident_forums(resident)
    first = choices.values_list("pk", flat=True).first()  # the nearest: their compound's
    form = RaiseForm(request.POST or None, initial={"forum": request.GET.get("forum") or first})
    set_queryset(form.fields["forum"], choices)
    similar: list[object] = []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if not request.POST.get("confirm"):
            similar = list(selectors.similar_open_topics(d["forum"], d["title"]))
        if not similar:
            try:
                topic, masked = topics.topic_raise(
                    actor=request_user(request),
                    resident=resident,
                    forum=d["forum"],
                    title=d["title"],
                    body=d["body"],
                    public=d["public"],
                )
            except ServiceError as e:
                apply_service_error(form, e)
            else:
                if masked:
                    messages.warning(
                        request, gettext("议题会公开，其中的电话、微信号和网页代码已隐藏。")
                    )
                messages.success(request, gettext("议题已提出，议事平台受理后会通知您。"))
                return redirect("deliberation:resident_topic", pk=topic.pk)
    return render(request, "deliberation/raise.html", {"form": form, "similar": similar})


@login_required
@require_http_methods(["GET", "POST"])
def resident_topic(request: HttpRequest, pk: int) -> HttpResponse:
    if request.method == "POST" and request.POST.get("action") == "vote":
        return _vote(request, page_resident(request, related=selectors.VOTER_RELATED), pk)
    resident = page_resident(request)
    topic = selectors.get_topic_for_resident(resident, pk)
    actor = request_user(request)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "checkin":
                session = selectors.session_of_topic(topic, request.POST.get("session"))
                topics.session_checkin(
                    actor=actor,
                    resident=resident,
                    session=session,
                    code=request.POST.get("code", ""),
                )
                messages.success(request, gettext("签到成功。"))
            elif action == "rate":
                form = RateForm(request.POST)
                value = form.data.get("value", "")
                acting.rating_submit(actor=actor, resident=resident, topic=topic, value=str(value))
                messages.success(request, gettext("谢谢您的评价。"))
        except ServiceError as e:
            _error(request, e)
        return redirect("deliberation:resident_topic", pk=topic.pk)
    votes = [
        (v, selectors.my_ballot(v, resident)) for v in selectors.open_votes_for(resident, topic)
    ]
    detail = selectors.topic_detail(topic)
    rating = selectors.my_rating(topic, resident)
    may_rate = (
        topic.status == TopicStatus.RATING
        and rating is None
        and selectors.took_part(topic, resident)
    )
    return render(
        request,
        "deliberation/resident_topic.html",
        {
            "topic": topic,
            "resident": resident,
            **detail,
            "attended_ids": selectors.attended(resident, detail["sessions"]),
            "open_votes": votes,
            "my_rating": rating,
            "rate_form": RateForm() if may_rate else None,
        },
    )
