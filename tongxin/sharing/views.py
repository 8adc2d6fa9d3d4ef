"""共享小区 pages: the resident's board (phone first) and the staff's moderation pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.accounts.selectors import page_resident, resident_of
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.pagination import paginate
from tongxin.core.scope import Scope, request_scope
from tongxin.sharing import selectors, services
from tongxin.sharing.forms import FeedbackForm, ListingForm, ReportForm
from tongxin.sharing.models import Direction, ListingKind, ListingStatus, MatchStatus


def _query(**params: str) -> str:
    q = QueryDict(mutable=True)
    for k, v in params.items():
        if v:
            q[k] = v
    return q.urlencode()


def resident_home(request: HttpRequest) -> HttpResponse | None:
    """The home at ``/`` of a user who holds no staff role (core.views.dashboard): a
    resident's compound board, rendered there directly; None for anyone else."""
    if resident_of(request.user) is None:
        return None
    return home(request)


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """首页 of a resident: their compound's board and shortcuts. Staff without a resident
    profile go to the staff board."""
    resident = resident_of(request.user)
    if resident is None:
        if request_scope(request).has(selectors.MODERATE):
            return redirect("sharing:board")
        return render(request, "sharing/no_resident.html")
    place = selectors.place_of(resident)
    kind = request.GET.get("kind", "")
    kind = kind if kind in ListingKind.values else ""
    direction = request.GET.get("direction", "")
    direction = direction if direction in Direction.values else ""
    page = paginate(request, selectors.board(place, kind=kind, direction=direction))
    return render(
        request,
        "sharing/home.html",
        {
            "resident": resident,
            "place": place,
            "page": page,
            "kinds": ListingKind.choices,
            "kind": kind,
            "direction": direction,
            "query": _query(kind=kind, direction=direction),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def create(request: HttpRequest) -> HttpResponse:
    resident = page_resident(request)
    initial = {"direction": request.GET.get("direction", Direction.NEED)}
    form = ListingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = services.ListingInput(**form.cleaned_data)
        try:
            listing, masked = services.listing_create(
                actor=request_user(request), resident=resident, data=data
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            if masked:
                messages.warning(request, services.contact_notice())
            messages.success(request, gettext("已发布。下面是为您找到的可能对接的邻居。"))
            return redirect("sharing:detail", pk=listing.pk)
    return render(request, "sharing/form.html", {"form": form})


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    resident = page_resident(request)
    place = selectors.place_of(resident)
    listing = selectors.get_listing_for_resident(resident, place, pk)
    mine = listing.resident_id == resident.pk
    context = {"listing": listing, "mine": mine, "resident": resident}
    if mine:
        context["matches"] = list(selectors.matches_of_listing(listing)[:20])
        if listing.status == ListingStatus.OPEN:
            context["suggestions"] = list(selectors.suggestions(listing))
            context["proposed"] = selectors.already_proposed(listing)
    else:
        context["reported"] = selectors.has_reported(listing, resident)
    return render(request, "sharing/detail.html", context)


def _fail(request: HttpRequest, err: ServiceError) -> None:
    messages.error(request, err.message)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    resident = page_resident(request)
    listing = selectors.get_listing_for_resident(resident, selectors.place_of(resident), pk)
    try:
        services.listing_withdraw(actor=request_user(request), resident=resident, listing=listing)
        messages.success(request, gettext("已撤回。"))
    except ServiceError as e:
        _fail(request, e)
    return redirect("sharing:detail", pk=listing.pk)


@login_required
@require_POST
def propose(request: HttpRequest, pk: int, other: int) -> HttpResponse:
    resident = page_resident(request)
    place = selectors.place_of(resident)
    mine = selectors.get_listing_for_resident(resident, place, pk)
    theirs = selectors.get_listing_for_resident(resident, place, other)
    try:
        match = services.match_propose(
            actor=request_user(request), resident=resident, mine=mine, other=theirs
        )
    except ServiceError as e:
        _fail(request, e)
        return redirect("sharing:detail", pk=mine.pk)
    messages.success(request, gettext("已向对方发起对接，等待对方确认。"))
    return redirect("sharing:match", pk=match.pk)


@login_required
@require_http_methods(["GET", "POST"])
def report(request: HttpRequest, pk: int) -> HttpResponse:
    resident = page_resident(request)
    listing = selectors.get_listing_for_resident(resident, selectors.place_of(resident), pk)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_report(
                actor=request_user(request),
                resident=resident,
                listing=listing,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已收到您的举报，工作人员会尽快处理。"))
            return redirect("sharing:home")
    return render(request, "sharing/report.html", {"form": form, "listing": listing})


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    resident = page_resident(request)
    page = paginate(request, selectors.my_listings(resident))
    matches = list(selectors.my_matches(resident)[:20])
    return render(
        request, "sharing/mine.html", {"page": page, "matches": matches, "resident": resident}
    )


@login_required
@require_http_methods(["GET", "POST"])
def match(request: HttpRequest, pk: int) -> HttpResponse:
    resident = page_resident(request)
    m = selectors.get_match_for_resident(resident, pk)
    side = services.side_of(m, resident)
    form = FeedbackForm(request.POST or None)
    contact = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "confirm":
                services.match_confirm(actor=request_user(request), resident=resident, match=m)
                messages.success(request, gettext("已确认对接。"))
            elif action == "cancel":
                services.match_cancel(actor=request_user(request), resident=resident, match=m)
                messages.success(request, gettext("已取消对接。"))
            elif action == "complete":
                services.match_complete(actor=request_user(request), resident=resident, match=m)
                messages.success(request, gettext("已标记完成，请给对方一个评价。"))
            elif action == "feedback":
                if form.is_valid():
                    services.match_feedback(
                        actor=request_user(request),
                        resident=resident,
                        match=m,
                        rating=form.cleaned_data["rating"],
                        feedback=form.cleaned_data["feedback"],
                    )
                    messages.success(request, gettext("感谢您的评价，本次对接已结束。"))
                else:
                    messages.error(request, gettext("请选择1到5分的评分。"))
            elif action == "contact":
                contact = services.match_reveal_contact(
                    actor=request_user(request), resident=resident, match=m
                )
            else:
                raise Http404
        except ServiceError as e:
            _fail(request, e)
        if contact is None:
            return redirect("sharing:match", pk=m.pk)
        m = selectors.get_match_for_resident(resident, pk)
    assert side is not None
    other_side = "offer" if side == "need" else "need"
    response = render(
        request,
        "sharing/match.html",
        {
            "match": m,
            "side": side,
            "mine": getattr(m, side),
            "theirs": getattr(m, other_side),
            "my_confirmed": getattr(m, f"{side}_confirmed_at") is not None,
            "my_rating": getattr(m, f"{side}_rating"),
            "form": form,
            "contact": contact,
            "can_contact": m.status in services.CONTACT_STATUSES,
            "statuses": MatchStatus,
        },
    )
    if contact is not None:
        response["Cache-Control"] = "no-store"
    return response


# ---- staff --------------------------------------------------------------------------------


def _moderator(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not scope.has(selectors.MODERATE):
        raise Http404
    return scope


@login_required
def board(request: HttpRequest) -> HttpResponse:
    """共享小区 for staff: every listing in their reach, filterable; 待审核 = hidden ones."""
    scope = _moderator(request)
    status = request.GET.get("status", "")
    status = status if status in ListingStatus.values else ""
    kind = request.GET.get("kind", "")
    kind = kind if kind in ListingKind.values else ""
    page = paginate(request, selectors.staff_board(scope, status=status, kind=kind))
    return render(
        request,
        "sharing/board.html",
        {
            "page": page,
            "status": status,
            "kind": kind,
            "statuses": ListingStatus.choices,
            "kinds": ListingKind.choices,
            "query": _query(status=status, kind=kind),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _moderator(request)
    listing = selectors.get_listing_for_staff(scope, pk)
    if request.method == "POST":
        try:
            services.listing_review(
                scope=scope,
                actor=request_user(request),
                listing=listing,
                decision=request.POST.get("decision", ""),
            )
        except ServiceError as e:
            _fail(request, e)
        else:
            messages.success(request, gettext("已处理。"))
        return redirect("sharing:review", pk=listing.pk)
    return render(
        request,
        "sharing/review.html",
        {
            "listing": listing,
            "reports": selectors.listing_reports(listing),
        },
    )
