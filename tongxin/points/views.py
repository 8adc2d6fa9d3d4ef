"""Pages of 锋领指数: the ranking of a branch or subtree with its 红榜/警示 and the month's
closing (staff), a member's ledger with the award form and corrections (staff), the approvals
queue, the rule sets, and the member's own page with their claims (phone)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.core import uploads
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.months import add_months
from tongxin.core.numbers import figure
from tongxin.core.pagination import paginate
from tongxin.core.scope import request_scope
from tongxin.members.selectors import get_member_for, own_member
from tongxin.orgs.models import Organization, OrgKind
from tongxin.orgs.selectors import get_org_for, org_queryset
from tongxin.points import selectors, services
from tongxin.points.forms import AwardForm, CloseForm, DecideForm, ReverseForm
from tongxin.points.scores import parse_month, today_month

VIEW, MANAGE = "members.view", "members.manage"


def _month(request: HttpRequest) -> dt.date:
    text = request.GET.get("month", "")
    return parse_month(text) or today_month()


def _org(request: HttpRequest) -> Organization | None:
    scope = request_scope(request)
    if request.GET.get("org"):
        return get_org_for(scope, request.GET["org"], VIEW)
    roots = scope.org_roots(VIEW)
    qs = org_queryset(scope, VIEW)
    if scope.is_superuser:
        return qs.order_by("path").first()
    return qs.filter(path=roots[0]).first() if roots else None


@login_required
@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    """A branch: its members ranked with their tier; above a branch: the subtree's ranking."""
    scope = request_scope(request)
    if not scope.has(VIEW):
        raise Http404
    org = _org(request)
    month = _month(request)
    context: dict[str, object] = {"org": org, "month": month, "close_form": CloseForm()}
    if org is not None:
        if org.kind in (OrgKind.BRANCH, OrgKind.GROUP):
            context["branch"] = selectors.branch_ranking(org, month)
        else:
            context["page"] = paginate(request, selectors.subtree_ranking(scope, org, month.year))
        context["tiers"] = selectors.tier_lists(scope, org, month)
        context["closed"] = selectors.month_closed(org, month)
        context["can_close"] = scope.reaches_org(MANAGE, org.path)
        context["prev"], context["next"] = add_months(month, -1), add_months(month, 1)
    return render(request, "points/ranking.html", context)


@login_required
@require_POST
def close_month(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    org = get_org_for(scope, request.POST.get("org", ""), VIEW)
    form = CloseForm(request.POST)
    if form.is_valid():
        try:
            services.period_close(
                actor=request_user(request), scope=scope, org=org, period=form.cleaned_data["month"]
            )
            messages.success(request, gettext("已结账，本月积分已存档，不再改动。"))
        except ServiceError as err:
            messages.error(request, err.message)
    else:
        messages.error(request, gettext("月份格式应为YYYY-MM。"))
    month = form.cleaned_data.get("month") if form.is_valid() else today_month()
    return redirect(f"{request.path.replace('close/', '')}?org={org.pk}&month={month:%Y-%m}")


@login_required
@require_GET
def member_ledger(request: HttpRequest, member_id: int) -> HttpResponse:
    scope = request_scope(request)
    member = get_member_for(scope, member_id, VIEW)
    year = _month(request).year
    return render(
        request,
        "points/member.html",
        {
            "member": member,
            "mine": selectors.my_points(member),
            "page": paginate(request, selectors.member_entries(member, year)),
            "can_manage": scope.reaches_org(MANAGE, member.org_path),
            "reverse_form": ReverseForm(),
        },
    )


def _award_form_page(request: HttpRequest, *, member_id: int | None, claim: bool) -> HttpResponse:
    scope = request_scope(request)
    user = request_user(request)
    member = own_member(user) if claim else get_member_for(scope, member_id, MANAGE)
    if member is None:
        raise Http404
    rules = selectors.manual_rules_for(member, timezone.localdate())
    form = AwardForm(request.POST or None, request.FILES or None, rules=rules)
    if request.method == "POST" and form.is_valid():
        rule = form.rules[form.cleaned_data["rule"]]
        on, reason = form.cleaned_data["on"], form.cleaned_data["reason"]
        evidence = form.cleaned_data.get("evidence")
        try:
            if claim:
                services.award_claim(
                    actor=user, member=member, rule=rule, on=on, reason=reason, evidence=evidence
                )
            else:
                services.award_propose(
                    actor=user,
                    scope=scope,
                    member=member,
                    rule=rule,
                    on=on,
                    reason=reason,
                    evidence=evidence,
                )
        except ServiceError as err:
            apply_service_error(form, err)
        else:
            messages.success(request, gettext("已提交，等待支部书记审批。"))
            return redirect(
                "points:mine" if claim else "points:member", *([] if claim else [member.pk])
            )
    return render(
        request, "points/award_form.html", {"member": member, "form": form, "claim": claim}
    )


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest, member_id: int) -> HttpResponse:
    return _award_form_page(request, member_id=member_id, claim=False)


@login_required
@require_http_methods(["GET", "POST"])
def claim(request: HttpRequest) -> HttpResponse:
    return _award_form_page(request, member_id=None, claim=True)


@login_required
@require_GET
def awards(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not scope.has(MANAGE):
        raise Http404
    return render(
        request,
        "points/awards.html",
        {"page": paginate(request, selectors.pending_awards(scope)), "form": DecideForm()},
    )


@login_required
@require_POST
def award_decide(request: HttpRequest, award_id: int) -> HttpResponse:
    scope = request_scope(request)
    award = selectors.get_award_for(scope, award_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("请选择批准或不予批准。"))
        return redirect("points:awards")
    user = request_user(request)
    try:
        if form.cleaned_data["decision"] == "approve":
            entry = services.award_approve(
                actor=user, scope=scope, award=award, note=form.cleaned_data["note"]
            )
            text = gettext("已批准，计入%(p)s分。") % {"p": figure(entry.granted)}
            messages.success(request, f"{text}{entry.cap_note}")
        else:
            services.award_reject(
                actor=user, scope=scope, award=award, note=form.cleaned_data["note"]
            )
            messages.success(request, gettext("已退回申报。"))
    except ServiceError as err:
        messages.error(request, err.message)
    return redirect("points:awards")


@login_required
@require_GET
def award_evidence(request: HttpRequest, award_id: int) -> FileResponse:
    """The evidence of an award: the branch's managers, and the member themselves."""
    user = request_user(request)
    award = selectors.get_award_for_reader(request_scope(request), user.member_id, award_id)
    return uploads.serve(award.evidence, award.evidence_type, f"points-award-{award.pk}")


@login_required
@require_POST
def entry_reverse(request: HttpRequest, entry_id: int) -> HttpResponse:
    scope = request_scope(request)
    entry = selectors.get_entry_for(scope, entry_id)
    form = ReverseForm(request.POST)
    if form.is_valid():
        try:
            services.entry_reverse(
                actor=request_user(request),
                scope=scope,
                entry=entry,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, gettext("已记入更正。"))
        except ServiceError as err:
            messages.error(request, err.message)
    else:
        messages.error(request, gettext("请写明更正原因。"))
    return redirect("points:member", entry.member_id)


@login_required
@require_GET
def rules(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    if not scope.has(VIEW):
        raise Http404
    return render(request, "points/rules.html", {"sets": selectors.rule_sets(scope)})


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The member's own page: nobody else's (no parameter names a member)."""
    member = own_member(request.user)
    context: dict[str, object] = {"member": member}
    if member is not None:
        context.update(
            {
                "mine": selectors.my_points(member),
                "page": paginate(request, selectors.member_entries(member, today_month().year)),
                "claims": selectors.own_awards(member),
            }
        )
    response = render(request, "points/mine.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
