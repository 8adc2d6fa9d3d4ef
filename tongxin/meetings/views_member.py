"""The member's own pages: the phone card with its check-in QR, and the private calendar
feeds (the member's own and a branch's, with the public .ics they serve)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.scope import request_scope
from tongxin.meetings import card, checks, ics, member_selectors, services
from tongxin.meetings.models import FeedKind
from tongxin.orgs.selectors import get_org_for

# ---- the member card (phone) ---------------------------------------------------------------


def _member(request: HttpRequest):
    return getattr(request.user, "member", None)


def _card_context(request: HttpRequest) -> dict[str, object]:
    member = _member(request)
    if member is None:
        return {"member": None}
    context = ""
    meeting_id = request.GET.get("meeting", "")
    today = member_selectors.member_today(member)
    chosen = next((m for m in today if str(m.pk) == meeting_id), None)
    if chosen is not None:
        context = checks.context_of(chosen)
    token = card.issue_token(member.pk, context)
    return {
        "member": member,
        "token": token,
        "qr": card.qr_svg_data_uri(token),
        "code": card.short_code(member.pk),
        "today": today,
        "chosen": chosen,
        "refresh": card.REFRESH_SECONDS,
        "upcoming": member_selectors.member_upcoming(member),
    }


@login_required
@require_GET
def card_page(request: HttpRequest) -> HttpResponse:
    response = render(request, "meetings/card.html", _card_context(request))
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_GET
def card_qr(request: HttpRequest) -> HttpResponse:
    """The QR and code, refreshed by htmx every REFRESH_SECONDS."""
    response = render(request, "meetings/_card_qr.html", _card_context(request))
    response["Cache-Control"] = "no-store"
    return response


# ---- calendar feeds ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def feeds(request: HttpRequest) -> HttpResponse:
    """The private .ics URLs: the user's own (as a member) and a branch's (for its managers)."""
    scope = request_scope(request)
    member = _member(request)
    org = None
    if request.GET.get("org") or request.POST.get("org"):
        org = get_org_for(
            scope, request.GET.get("org") or request.POST.get("org"), "meetings.manage"
        )
    elif member is not None and scope.reaches_org("meetings.manage", member.org_path):
        org = get_org_for(scope, member.org_id, "meetings.manage")  # the secretary's own branch
    if request.method == "POST":
        target = request.POST.get("target")
        try:
            if target == "member" and member is not None:
                services.feed_rotate(
                    scope=request_scope(request), actor=request_user(request), member=member
                )
            elif target == "branch" and org is not None:
                services.feed_rotate(
                    scope=request_scope(request), actor=request_user(request), org=org
                )
            else:
                raise Http404
            messages.success(request, gettext("已生成新的订阅地址，旧地址已失效。"))
        except ServiceError as e:
            messages.error(request, e.message)
        url = reverse("meetings:feeds") + (f"?org={org.pk}" if org is not None else "")
        return redirect(url)
    member_feed = member_selectors.feed_of(member=member) if member is not None else None
    org_feed = member_selectors.feed_of(org=org) if org is not None else None

    def link(feed, kind: str) -> str:
        if feed is None:
            return ""
        return request.build_absolute_uri(reverse("meetings:ical", args=[kind, feed.token]))

    return render(
        request,
        "meetings/feeds.html",
        {
            "member": member,
            "org": org,
            "member_url": link(member_feed, FeedKind.MEMBER),
            "org_url": link(org_feed, FeedKind.BRANCH),
        },
    )


@require_GET
def ical(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    """No login: the token in the URL is the credential."""
    feed = member_selectors.feed_for_token(kind, token)
    if feed is None:
        raise Http404(gettext("订阅地址无效或已更换。"))
    name = gettext("组织生活")
    body = ics.calendar(
        name, member_selectors.feed_meetings(feed), request.get_host().split(":")[0]
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, max-age=300"
    return response
