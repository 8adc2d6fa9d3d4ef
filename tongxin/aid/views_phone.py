"""The member's pages (phone first): my applications, apply, one application with its state
and money; and the public pages without login: the 公示 of a fund with masked names and the
objection form, and the check of a 捐助证 (masked name) its QR code opens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from tongxin.accounts.models import User
from tongxin.accounts.scope import request_user
from tongxin.aid import selectors
from tongxin.aid.forms import ApplyForm, ObjectionForm, fen
from tongxin.aid.rules import mask_name
from tongxin.aid.services import applications as app_svc
from tongxin.core import ratelimit
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.request_context import client_ip
from tongxin.core.scope import request_scope
from tongxin.members.selectors import own_member

OBJECTIONS_PER_HOUR = 10


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    member = own_member(request.user)
    funds = selectors.funds_for_member(member)
    apps = list(selectors.own_applications(request.user)[:50])
    return render(request, "aid/mine.html", {"member": member, "funds": funds, "apps": apps})


@login_required
def mine_detail(request: HttpRequest, pk: int) -> HttpResponse:
    a = selectors.own_application(request.user, pk)
    return render(request, "aid/mine_detail.html", {"a": a})


@login_required
@require_http_methods(["GET", "POST"])
def apply(request: HttpRequest, fund_pk: int) -> HttpResponse:
    member = own_member(request.user)
    fund = next((f for f in selectors.funds_for_member(member) if f.pk == int(fund_pk)), None)
    if member is None or fund is None:
        raise Http404(gettext("互助金不存在。"))
    kinds = fund.kinds.filter(active=True)
    form = ApplyForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            a = app_svc.application_submit(
                actor=request_user(request),
                scope=request_scope(request),
                fund=fund,
                member=member,
                kind=d["kind"],
                amount_fen=fen(d["amount"]),
                reason=d["reason"],
                documents=request.FILES.getlist("documents"),
            )
            messages.success(request, gettext("申请已提交，请等待支部审核。"))
            return redirect("aid:mine_detail", pk=a.pk)
        except ServiceError as e:
            apply_service_error(form, e)
    return render(request, "aid/apply.html", {"fund": fund, "form": form, "kinds": kinds})


@require_http_methods(["GET", "POST"])
def publicity(request: HttpRequest, fund_pk: int) -> HttpResponse:
    """The public 公示 (no login): masked name, kind, amount, last day, and the objection form."""
    fund = selectors.public_fund(fund_pk)
    form = ObjectionForm(request.POST or None)
    if request.method == "POST":
        a = selectors.public_application(fund, request.POST.get("application"))
        if ratelimit.hit("aid_objection", client_ip(request) or "-", window=3600) > (
            OBJECTIONS_PER_HOUR
        ):
            form.add_error(None, gettext("提交太频繁，请一小时后再试。"))
        elif form.is_valid():
            try:
                app_svc.objection_file(
                    actor=request.user if isinstance(request.user, User) else None,
                    application=a,
                    text=form.cleaned_data["text"],
                    contact=form.cleaned_data["contact"],
                )
                messages.success(request, gettext("异议已提交，互助金管理人员会答复。"))
                return redirect("aid:publicity", fund_pk=fund.pk)
            except ServiceError as e:
                apply_service_error(form, e)
    rows = [(a, mask_name(a.member.name)) for a in selectors.publicity(fund)]
    return render(request, "aid/publicity.html", {"fund": fund, "rows": rows, "form": form})


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public (no login): what scanning a 捐助证's QR code shows."""
    d = selectors.donation_by_code(code)
    reversed_ = hasattr(d.movement, "reversed_by")
    return render(
        request,
        "aid/verify.html",
        {"d": d, "name": mask_name(d.member.name), "reversed": reversed_},
    )
