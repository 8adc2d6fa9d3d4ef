"""Pages of the message centre: my inbox with filters, opening a message (marks it read and
follows its link), marking all read, and my channel settings."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import paginate
from tongxin.core.scope import request_scope
from tongxin.inbox import selectors, services
from tongxin.inbox.models import EXTERNAL, Channel, MessageKind


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    kind = request.GET.get("kind", "")
    kind = kind if kind in MessageKind.values else ""
    unread = request.GET.get("unread") == "1"
    page = paginate(request, selectors.message_list(user.pk, kind=kind, unread=unread))
    query = "&".join(p for p in (f"kind={kind}" if kind else "", "unread=1" if unread else "") if p)
    return render(
        request,
        "inbox/list.html",
        {
            "page": page,
            "kind": kind,
            "unread": unread,
            "kinds": MessageKind.choices,
            "query": query,
        },
    )


@login_required
def badge(request: HttpRequest) -> HttpResponse:
    """The unread count for the top bar (and beside the phone's menu button) and the phone
    tab bar, fetched after the page: one cached count (selectors.unread_count), private to
    the user."""
    n = selectors.unread_count(request_user(request).pk)
    response = render(
        request,
        "inbox/_badge.html",
        # tab: the resident's tab bar; top: the staff top bar, which on a phone also shows
        # the count beside the collapsed menu (swapped in out of band)
        {"n": n, "tab": request.GET.get("tab") == "1", "top": request.GET.get("top") == "1"},
    )
    # The browser asks again on every page (a read elsewhere changes it); the server's cache
    # keeps the count itself.
    response["Cache-Control"] = "private, no-cache"
    return response


@login_required
@require_POST
def message_open(request: HttpRequest, pk: int) -> HttpResponse:
    user = request_user(request)
    msg = selectors.get_message_for(user.pk, pk)
    services.message_mark_read(actor=user, scope=request_scope(request), message=msg)
    if request.POST.get("follow") and url_has_allowed_host_and_scheme(msg.link, None):
        return redirect(msg.link or "inbox:list")
    return redirect("inbox:list")


@login_required
@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    kind = request.POST.get("kind", "")
    try:
        n = services.messages_mark_all_read(
            actor=user, scope=request_scope(request), user=user, kind=kind
        )
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        messages.success(request, gettext("已将 %(n)d 条消息标为已读。") % {"n": n})
    return redirect("inbox:list")


def _time(raw: str) -> dt.time | None:
    try:
        return dt.time.fromisoformat(raw) if raw else None
    except ValueError:
        raise ServiceError(gettext("时间格式应为 时:分，例如 22:00。")) from None


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    enabled, row = selectors.preferences_of(user.pk)
    error = ""
    if request.method == "POST":
        chosen = {
            (k, str(c))
            for k in MessageKind.values
            for c in EXTERNAL
            if request.POST.get(f"{k}:{c}") == "on"
        }
        try:
            services.preferences_set(
                actor=user,
                scope=request_scope(request),
                user=user,
                enabled=chosen,
                quiet_start=_time(request.POST.get("quiet_start", "")),
                quiet_end=_time(request.POST.get("quiet_end", "")),
                digest=request.POST.get("digest") == "on",
            )
        except ServiceError as e:
            error = e.message
        else:
            messages.success(request, gettext("消息设置已保存。"))
            return redirect("inbox:settings")
    rows = [
        (value, label, [(c, f"{value}:{c}", (value, c) in enabled) for c in EXTERNAL])
        for value, label in MessageKind.choices
    ]
    return render(
        request,
        "inbox/settings.html",
        {
            "rows": rows,
            "channels": [Channel(c).label for c in EXTERNAL],
            "row": row,
            "error": error,
        },
    )
