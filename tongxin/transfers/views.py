"""Pages of 组织关系转接: the inbox, the request form, the detail with its timeline and
actions, the printable introduction letter and its public verification page."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.pagination import paginate
from tongxin.core.scope import request_scope
from tongxin.members import selectors as member_selectors
from tongxin.transfers import selectors, services
from tongxin.transfers.forms import OwnRequestForm, TransferForm
from tongxin.transfers.models import StepDecision

TAB_LABELS = {
    "todo": _("待我处理"),
    "outgoing": _("转出"),
    "incoming": _("转入"),
    "all": _("全部"),
}

EVENT_LABELS = {
    "created": _("发起转接"),
    "submitted": _("提交审批"),
    "approved": _("审批同意"),
    "approved_out": _("同意转出，开具介绍信"),
    "received": _("同意接收"),
    "completed": _("办结，党员转入"),
    "rejected": _("退回"),
    "withdrawn": _("撤回"),
    "expired": _("介绍信过期"),
    "requested": _("党员申请转接"),
    "withdrawn_by_member": _("党员本人撤回申请"),
}


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    tab = request.GET.get("tab", "todo")
    if tab not in selectors.TABS:
        tab = "todo"
    page = paginate(request, selectors.transfer_list(scope, tab))
    return render(
        request,
        "transfers/list.html",
        {
            "page": page,
            "tab": tab,
            "tabs": TAB_LABELS.items(),
            "query": f"tab={tab}",
            "shown_status": {t.pk: selectors.shown_status(t) for t in page},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_create(request: HttpRequest, member_pk: int) -> HttpResponse:
    scope = request_scope(request)
    member = member_selectors.get_member_for(scope, member_pk, "members.manage")
    form = TransferForm(request.POST or None)
    q = request.GET.get("q", "") if request.method == "GET" else request.POST.get("q", "")
    candidates = selectors.target_search(q)
    chosen = None
    if request.method == "POST" and form.is_valid():
        target_pk = form.cleaned_data["target"]
        chosen = selectors.target_get(target_pk) if target_pk else None
        try:
            t = services.transfer_create(
                actor=request_user(request),
                scope=scope,
                member=member,
                target=chosen,
                reason=form.cleaned_data["reason"] or "",
                submit=request.POST.get("action") == "submit",
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已发起组织关系转接。"))
            return redirect("transfers:detail", pk=t.pk)
    return render(
        request,
        "transfers/form.html",
        {
            "member": member,
            "form": form,
            "q": q,
            "candidates": candidates,
            "chosen": chosen,
            "open": selectors.open_transfer_of(member),
        },
    )


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    t = selectors.get_transfer_for(scope, pk)
    steps = selectors.transfer_steps(t)
    actions = selectors.transfer_actions(scope, t, steps)
    events = selectors.transfer_events(t)
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
    can_see_member = member_selectors.member_queryset(scope).filter(pk=t.member_id).exists()
    return render(
        request,
        "transfers/detail.html",
        {
            "t": t,
            "steps": steps,
            "events": events,
            "actions": actions,
            "status": selectors.shown_status(t),
            "lapsed": selectors.is_lapsed(t),
            "can_see_member": can_see_member,
            "pending": StepDecision.PENDING,
        },
    )


ACTIONS = ("submit", "approve", "reject", "withdraw", "complete")


@login_required
@require_POST
def transfer_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = request_scope(request)
    if action not in ACTIONS:
        raise Http404
    t = selectors.get_transfer_for(scope, pk)
    note = request.POST.get("note", "")[:500]
    position = request.POST.get("position")
    pos = int(position) if position and position.isdigit() else None
    try:
        if action == "submit":
            services.transfer_submit(actor=request_user(request), scope=scope, transfer=t)
        elif action == "approve":
            services.transfer_approve(
                actor=request_user(request), scope=scope, transfer=t, position=pos, note=note
            )
        elif action == "reject":
            services.transfer_reject(
                actor=request_user(request), scope=scope, transfer=t, position=pos, note=note
            )
        elif action == "withdraw":
            services.transfer_withdraw(
                actor=request_user(request), scope=scope, transfer=t, note=note
            )
        else:
            services.transfer_complete(actor=request_user(request), scope=scope, transfer=t)
    except ServiceError as e:
        messages.error(
            request,
            " ".join([e.message, *e.fields.values()])
            if e.fields and e.message not in e.fields.values()
            else e.message,
        )
    else:
        messages.success(request, gettext("已处理。"))
    return redirect("transfers:detail", pk=t.pk)


@login_required
def transfer_letter(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    t = selectors.get_transfer_for(scope, pk)
    if not t.letter_no:
        raise Http404(gettext("介绍信尚未开具：共同上级党组织同意转出后开具。"))
    url = request.build_absolute_uri(reverse("transfers:verify", args=[selectors.letter_token(t)]))
    qr = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    return render(
        request,
        "transfers/letter.html",
        {
            "t": t,
            "qr": qr,
            "verify_url": url,
            "status": selectors.shown_status(t),
            "lapsed": selectors.is_lapsed(t),
        },
    )


def transfer_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public (no login): what a receiving office learns by scanning the letter's QR code."""
    check = selectors.letter_verify(token)
    response = render(request, "transfers/verify.html", {"check": check})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- 我的组织关系: the member's own page --------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def transfer_mine(request: HttpRequest) -> HttpResponse:
    """我的组织关系: the member's current branch, their transfers with the progress along the
    chain, and the request form (党员申请转接) when none is open. Only their own, whatever
    their roles; an account without a member sees a notice and can file nothing."""
    member = member_selectors.own_member(request.user)
    mine = list(selectors.own_transfers(request.user)[:20]) if member else []
    open_t = next((t for t in mine if t.is_open), None)
    posted = request.method == "POST"
    if posted and member is None:
        raise Http404
    searching = posted and request.POST.get("action") == "search"
    data = request.POST if posted else request.GET
    q = data.get("q", "")
    form = (
        OwnRequestForm(request.POST)
        if posted and not searching
        else OwnRequestForm(initial=request.POST.dict() if searching else None)
    )
    picked = request.POST.get("target", "") if posted else ""
    # Only among the targets her search offers: an id posted by hand for anything else (a
    # committee, a temporary branch, another tree) is as unknown as a missing one.
    chosen = (
        selectors.target_get(picked, source=member.org) if member and picked.isdigit() else None
    )
    if posted and not searching and form.is_valid():
        try:
            services.transfer_request_own(
                actor=request_user(request),
                target=chosen,
                reason_kind=form.cleaned_data["reason_kind"] or "",
                reason=form.cleaned_data["reason"] or "",
                moved_on=form.cleaned_data["moved_on"],
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已提交转接申请，等待所在党支部审批。"))
            return redirect("transfers:mine")
    candidates = selectors.target_search(q, source=member.org) if member and q else []
    more = len(candidates) >= 20  # target_search's limit: ask for a longer name
    if chosen is not None and all(o.pk != chosen.pk for o in candidates):
        chosen.parent_name = ""
        candidates.insert(0, chosen)  # keep what they picked in the list after a refusal
    shown = None
    if request.GET.get("transfer"):
        shown = next((t for t in mine if str(t.pk) == request.GET["transfer"]), None)
        if shown is None:
            raise Http404(gettext("转接记录不存在。"))
    else:
        shown = open_t or (mine[0] if mine else None)
    return render(
        request,
        "transfers/mine.html",
        {
            "member": member,
            "transfers": mine,
            "open": open_t,
            "shown": shown,
            "steps": selectors.own_progress(shown) if shown else [],
            "shown_status": selectors.shown_status(shown) if shown else "",
            "can_withdraw": bool(shown and selectors.may_withdraw_own(shown)),
            "form": form,
            "q": q,
            "candidates": candidates,
            "chosen": chosen,
            "more": more,
            "show_form": member is not None
            and (open_t is None or (posted and not form.is_valid())),
        },
    )


@login_required
@require_POST
def transfer_mine_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    t = selectors.get_own_transfer(request.user, pk)
    try:
        services.transfer_withdraw_own(
            actor=request_user(request), transfer=t, note=request.POST.get("note", "")[:500]
        )
    except ServiceError as e:
        messages.error(request, next(iter(e.fields.values()), e.message))
    else:
        messages.success(request, gettext("已撤回转接申请。"))
    return redirect(f"{reverse('transfers:mine')}?transfer={t.pk}")
