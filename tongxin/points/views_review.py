"""Pages of 民主评议党员: the branch's review for the secretary (self-assessments, the ballots'
tally, the committee's proposed grades with each member's 锋领指数, the 党员大会's decision)
and the member's own page (self-assessment and ballot)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.scope import request_scope
from tongxin.members.selectors import own_member
from tongxin.orgs.selectors import get_org_for
from tongxin.points import selectors, services
from tongxin.points.models import Grade, ReviewState

MANAGE = "members.manage"


@login_required
@require_http_methods(["GET", "POST"])
def reviews(request: HttpRequest) -> HttpResponse:
    """The reviews in reach, and opening this year's for a branch."""
    scope = request_scope(request)
    if not scope.has("members.view"):
        raise Http404
    if request.method == "POST":
        org = get_org_for(scope, request.POST.get("org", ""), "members.view")
        try:
            review = services.review_open(
                actor=request_user(request), scope=scope, org=org, year=timezone.localdate().year
            )
            return redirect("points:review", review.pk)
        except ServiceError as err:
            messages.error(request, err.message)
    rows = selectors.review_queryset(scope).select_related("org")[:200]
    return render(
        request, "points/reviews.html", {"reviews": rows, "org_id": request.GET.get("org", "")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def review(request: HttpRequest, review_id: int) -> HttpResponse:
    scope = request_scope(request)
    r = selectors.get_review_for(scope, review_id)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not scope.reaches_org(MANAGE, r.org_path):
            raise Http404
        user = request_user(request)
        try:
            if request.POST.get("step") == "decide":
                changes = {
                    int(k.removeprefix("final_")): str(v)
                    for k, v in request.POST.items()
                    if k.startswith("final_") and k.removeprefix("final_").isdigit() and v
                }
                on = dt.date.fromisoformat(request.POST.get("decided_on") or "")
                services.review_decide(
                    actor=user, scope=scope, review=r, decided_on=on, changes=changes
                )
                messages.success(request, gettext("已记录党员大会的决定。"))
            else:
                grades = {
                    int(k.removeprefix("grade_")): (
                        str(v),
                        request.POST.get(f"reason_{k.removeprefix('grade_')}", ""),
                        request.POST.get(f"follow_up_{k.removeprefix('grade_')}", ""),
                    )
                    for k, v in request.POST.items()
                    if k.startswith("grade_") and k.removeprefix("grade_").isdigit()
                }
                services.review_propose(actor=user, scope=scope, review=r, grades=grades)
                messages.success(request, gettext("已保存支委会的等次意见。"))
            return redirect("points:review", r.pk)
        except ValueError:
            errors["decided_on"] = gettext("请填写党员大会日期（YYYY-MM-DD）。")
        except ServiceError as err:
            messages.error(request, err.message)
            errors = err.fields
    return render(
        request,
        "points/review.html",
        {
            "review": r,
            "rows": selectors.review_rows(r),
            "votes": selectors.review_votes(r),
            "grades": Grade.choices,
            "can_manage": scope.reaches_org(MANAGE, r.org_path),
            "errors": errors,
            "states": ReviewState,
        },
    )


@login_required
@require_http_methods(["GET"])
def my_review(request: HttpRequest) -> HttpResponse:
    member = own_member(request.user)
    r = selectors.own_review(member) if member is not None else None
    context: dict[str, object] = {"member": member, "review": r}
    if r is not None and member is not None:
        context.update(
            {
                "others": [
                    row.member for row in selectors.review_rows(r) if row.member.pk != member.pk
                ],
                "voted": selectors.has_voted(r, member),
                "assessed": selectors.has_assessed(r, member),
                "grades": Grade.choices,
            }
        )
    return render(request, "points/my_review.html", context)


@login_required
@require_POST
def my_review_submit(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    member = own_member(user)
    r = selectors.own_review(member) if member is not None else None
    if r is None:
        raise Http404
    try:
        if request.POST.get("step") == "self":
            services.review_self_assess(actor=user, review=r, text=request.POST.get("text", ""))
            messages.success(request, gettext("已提交个人自评。"))
        else:
            grades = {
                int(k.removeprefix("grade_")): str(v)
                for k, v in request.POST.items()
                if k.startswith("grade_") and k.removeprefix("grade_").isdigit()
            }
            services.review_ballot(actor=user, review=r, grades=grades)
            messages.success(
                request, gettext("已投票。您的选择只计入票数，任何人都看不到单张选票。")
            )
    except ServiceError as err:
        messages.error(request, err.message)
    return redirect("points:my_review")
