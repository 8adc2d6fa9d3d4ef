"""Pages of 组织关系转接: the inbox, the request form, the detail with its timeline and
actions, the printable introduction letter and its public verification page."""

from __future__ import annotations

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.pagination import paginate
from tongxin.members import selectors, transfers
from tongxin.members.models import StepDecision, TransferReason

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


class TransferForm(forms.Form):
    target = forms.IntegerField(label=_("转入党组织"), required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("转接原因"),
        max_length=200,
        required=False,
        help_text=_("例如：工作调动、升学、迁居"),
    )


@login_required
def transfer_list(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    tab = request.GET.get("tab", "todo")
    if tab not in transfers.TABS:
        tab = "todo"
    page = paginate(request, transfers.transfer_list(scope, tab))
    return render(
        request,
        "members/transfers/list.html",
        {
            "page": page,
            "tab": tab,
            "tabs": TAB_LABELS.items(),
            "query": f"tab={tab}",
            "shown_status": {t.pk: transfers.shown_status(t) for t in page},
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_create(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    member = selectors.get_member_for(scope, pk, "members.manage")
    form = TransferForm(request.POST or None)
    q = request.GET.get("q", "") if request.method == "GET" else request.POST.get("q", "")
    candidates = transfers.target_search(q)
    chosen = None
    if request.method == "POST" and form.is_valid():
        target_pk = form.cleaned_data["target"]
        chosen = transfers.target_get(target_pk) if target_pk else None
        try:
            t = transfers.transfer_create(
                actor=request.user,
                member=member,
                target=chosen,
                reason=form.cleaned_data["reason"] or "",
                submit=request.POST.get("action") == "submit",
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已发起组织关系转接。"))
            return redirect("members:transfer_detail", pk=t.pk)
    return render(
        request,
        "members/transfers/form.html",
        {
            "member": member,
            "form": form,
            "q": q,
            "candidates": candidates,
            "chosen": chosen,
            "open": transfers.open_transfer_of(member),
        },
    )


@login_required
def transfer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    t = transfers.get_transfer_for(scope, pk)
    steps = transfers.transfer_steps(t)
    actions = transfers.transfer_actions(scope, t, steps)
    events = transfers.transfer_events(t)
    for e in events:
        e.label = EVENT_LABELS.get(e.action, e.action)  # type: ignore[attr-defined]
    can_see_member = selectors.member_queryset(scope).filter(pk=t.member_id).exists()
    return render(
        request,
        "members/transfers/detail.html",
        {
            "t": t,
            "steps": steps,
            "events": events,
            "actions": actions,
            "status": transfers.shown_status(t),
            "lapsed": transfers.is_lapsed(t),
            "can_see_member": can_see_member,
            "pending": StepDecision.PENDING,
        },
    )


ACTIONS = ("submit", "approve", "reject", "withdraw", "complete")


@login_required
@require_POST
def transfer_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    if action not in ACTIONS:
        raise Http404
    t = transfers.get_transfer_for(scope, pk)
    note = request.POST.get("note", "")[:500]
    position = request.POST.get("position")
    pos = int(position) if position and position.isdigit() else None
    try:
        if action == "submit":
            transfers.transfer_submit(actor=request.user, scope=scope, transfer=t)
        elif action == "approve":
            transfers.transfer_approve(
                actor=request.user, scope=scope, transfer=t, position=pos, note=note
            )
        elif action == "reject":
            transfers.transfer_reject(
                actor=request.user, scope=scope, transfer=t, position=pos, note=note
            )
        elif action == "withdraw":
            transfers.transfer_withdraw(actor=request.user, scope=scope, transfer=t, note=note)
        else:
            transfers.transfer_complete(actor=request.user, scope=scope, transfer=t)
    except ServiceError as e:
        messages.error(
            request,
            " ".join([e.message, *e.fields.values()])
            if e.fields and e.message not in e.fields.values()
            else e.message,
        )
    else:
        messages.success(request, gettext("已处理。"))
    return redirect("members:transfer_detail", pk=t.pk)


@login_required
def transfer_letter(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    t = transfers.get_transfer_for(scope, pk)
    if not t.letter_no:
        raise Http404(gettext("介绍信尚未开具：共同上级党组织同意转出后开具。"))
    url = request.build_absolute_uri(
        reverse("members:transfer_verify", args=[transfers.letter_token(t)])
    )
    qr = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    return render(
        request,
        "members/transfers/letter.html",
        {
            "t": t,
            "qr": qr,
            "verify_url": url,
            "status": transfers.shown_status(t),
            "lapsed": transfers.is_lapsed(t),
        },
    )


def transfer_verify(request: HttpRequest, token: str) -> HttpResponse:
    """Public (no login): what a receiving office learns by scanning the letter's QR code."""
    check = transfers.letter_verify(token)
    response = render(request, "members/transfers/verify.html", {"check": check})
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


# --- 我的组织关系: the member's own page --------------------------------------------------------

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OwnRequestForm(forms.Form):
    target = forms.IntegerField(label=_("转入党组织"), required=False, widget=forms.HiddenInput)
    reason_kind = forms.ChoiceField(
        label=_("转接事由"),
        choices=[("", _("请选择")), *TransferReason.choices],
        required=False,
        error_messages={"invalid_choice": _("请选择转接事由（工作调动、迁居搬家、升学等）。")},
    )
    reason = forms.CharField(
        label=_("说明"),
        max_length=200,
        required=False,
        help_text=_("选填，例如新单位、新住址所在社区或就读学校；选“其他”时必填。"),
        error_messages={"max_length": _("转接说明请控制在200字以内。")},
    )
    moved_on = forms.DateField(
        label=_("迁移日期"),
        required=False,
        widget=DATE,
        help_text=_("工作调动、迁居或入学的日期。"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def transfer_mine(request: HttpRequest) -> HttpResponse:
    """我的组织关系: the member's current branch, their transfers with the progress along the
    chain, and the request form (党员申请转接) when none is open. Only their own, whatever
    their roles; an account without a member sees a notice and can file nothing."""
    member = selectors.own_member(request.user)
    mine = list(transfers.own_transfers(request.user)[:20]) if member else []
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
        transfers.target_get(picked, source=member.org) if member and picked.isdigit() else None
    )
    if posted and not searching and form.is_valid():
        try:
            transfers.transfer_request_own(
                actor=request.user,
                target=chosen,
                reason_kind=form.cleaned_data["reason_kind"] or "",
                reason=form.cleaned_data["reason"] or "",
                moved_on=form.cleaned_data["moved_on"],
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已提交转接申请，等待所在党支部审批。"))
            return redirect("members:transfer_mine")
    candidates = transfers.target_search(q, source=member.org) if member and q else []
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
        "members/transfers/mine.html",
        {
            "member": member,
            "transfers": mine,
            "open": open_t,
            "shown": shown,
            "steps": transfers.own_progress(shown) if shown else [],
            "shown_status": transfers.shown_status(shown) if shown else "",
            "can_withdraw": bool(shown and transfers.may_withdraw_own(shown)),
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
    t = transfers.get_own_transfer(request.user, pk)
    try:
        transfers.transfer_withdraw_own(
            actor=request.user, transfer=t, note=request.POST.get("note", "")[:500]
        )
    except ServiceError as e:
        messages.error(request, next(iter(e.fields.values()), e.message))
    else:
        messages.success(request, gettext("已撤回转接申请。"))
    return redirect(f"{reverse('members:transfer_mine')}?transfer={t.pk}")
