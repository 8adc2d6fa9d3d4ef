from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.centers.views import _base
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error, offer
from tongxin.core.pagination import paginate
from tongxin.core.scope import Scope, request_scope
from tongxin.orgs.models import Organization
from tongxin.orgs.selectors import get_org_for
from tongxin.volunteering import selectors, services
from tongxin.volunteering.forms import ActivityForm, HoursForm, TeamForm
from tongxin.volunteering.models import SignUpStatus

PERM = selectors.PERM


def _require_manage(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not scope.has(PERM):
        raise Http404
    return scope


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    """Open activities, soonest first (phone first)."""
    scope = request_scope(request)
    page = paginate(request, selectors.activity_public_list())
    return render(
        request,
        "volunteering/list.html",
        {"base": _base(request), "page": page, "can_manage": scope.has(PERM)},
    )


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    activity = selectors.get_activity(pk)
    signup = selectors.live_signup(request_user(request), activity)
    credited = selectors.credited_minutes(signup) if signup is not None else 0
    confirmed = selectors.confirmed_count(activity)
    now = timezone.now()
    return render(
        request,
        "volunteering/detail.html",
        {
            "base": _base(request),
            "a": activity,
            "signup": signup,
            "credited": credited,
            "confirmed": confirmed,
            "left": max(0, activity.slots - confirmed),
            "manage": selectors.may_manage(scope, activity),
            "can_check_in": signup is not None
            and not credited
            and signup.status == SignUpStatus.CONFIRMED
            and signup.checked_in_at is None
            and activity.start - services.CHECKIN_EARLY <= now <= activity.end,
            "ended": activity.end <= now,
        },
    )


@login_required
@require_POST
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.get_activity(pk)
    try:
        s = services.signup_create(
            scope=request_scope(request), actor=request_user(request), activity=activity
        )
    except ServiceError as e:
        messages.error(request, e.message)
    else:
        if s.status == SignUpStatus.WAITING:
            messages.warning(
                request, gettext("名额已满，您已进入候补名单；有人取消时将按顺序递补。")
            )
        else:
            messages.success(request, gettext("报名成功。"))
    return redirect("volunteering:detail", activity.pk)


@login_required
@require_POST
def signup_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    s = selectors.get_my_signup(request_user(request), pk)
    try:
        services.signup_cancel(scope=request_scope(request), actor=request_user(request), signup=s)
        messages.success(request, gettext("已取消报名。"))
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect("volunteering:detail", s.activity_id)


@login_required
@require_POST
def check_in(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer's own check-in with the code shown at the venue."""
    activity = selectors.get_activity(pk)
    try:
        services.check_in_by_code(
            scope=request_scope(request),
            actor=request_user(request),
            activity=activity,
            code=request.POST.get("code", "")[:20],
        )
        messages.success(request, gettext("签到成功，服务结束后请签退。"))
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect("volunteering:detail", activity.pk)


@login_required
@require_POST
def check_out(request: HttpRequest, pk: int) -> HttpResponse:
    """The volunteer's own check-out (pk: the sign-up)."""
    s = selectors.get_my_signup(request_user(request), pk)
    try:
        entry = services.check_out(
            scope=request_scope(request), actor=request_user(request), signup=s
        )
        messages.success(
            request,
            gettext("已签退，本次服务%(h)s已计入。") % {"h": selectors.hours_text(entry.minutes)},
        )
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect("volunteering:detail", s.activity_id)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    hours = selectors.my_hours(request_user(request))
    page = paginate(request, selectors.my_signups(request_user(request)))
    return render(
        request,
        "volunteering/mine.html",
        {
            "base": _base(request),
            "page": page,
            "total": selectors.hours_text(selectors.total_minutes(hours)),
            "entries": list(hours[:20]),
        },
    )


# --- organizers ------------------------------------------------------------------------


@login_required
@require_GET
def teams(request: HttpRequest) -> HttpResponse:
    scope = _require_manage(request)
    q = request.GET.get("q", "").strip()[:50]
    page = paginate(request, selectors.team_list(scope, q))
    return render(
        request,
        "volunteering/teams.html",
        {
            "page": page,
            "q": q,
            "query": f"q={q}" if q else "",
            "activities": selectors.activity_managed_list(scope)[:10],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    scope = _require_manage(request)
    form = TeamForm(request.POST or None)
    offer(form.fields["org"], selectors.team_org_choices(scope))
    offer(form.fields["area"], selectors.community_choices(scope))
    if request.method == "POST" and form.is_valid():
        try:
            team = services.team_create(
                scope=request_scope(request), actor=request_user(request), **form.cleaned_data
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已建立“%(name)s”。") % {"name": team.name})
            return redirect("volunteering:teams")
    return render(
        request, "volunteering/form.html", {"form": form, "title": gettext("建立志愿服务队")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    scope = _require_manage(request)
    form = ActivityForm(request.POST or None)
    offer(form.fields["team"], selectors.team_list(scope))
    if request.method == "POST" and form.is_valid():
        try:
            a = services.activity_create(
                scope=request_scope(request), actor=request_user(request), **form.cleaned_data
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已发布活动，签到码：%(c)s") % {"c": a.checkin_code})
            return redirect("volunteering:manage", a.pk)
    return render(
        request, "volunteering/form.html", {"form": form, "title": gettext("发布志愿服务活动")}
    )


@login_required
@require_http_methods(["GET", "POST"])
def manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The organizer's roster: the check-in code, card check-in, check-out, hours."""
    scope = request_scope(request)
    a = selectors.get_activity_for(scope, pk)
    if request.method == "POST":
        try:
            s = services.check_in_by_card(
                scope=request_scope(request),
                actor=request_user(request),
                activity=a,
                text=request.POST.get("card", "")[:400],
            )
            messages.success(request, gettext("%(name)s签到成功。") % {"name": s.name})
        except ServiceError as e:
            messages.error(request, e.message)
        return redirect("volunteering:manage", a.pk)
    return render(
        request,
        "volunteering/manage.html",
        {"a": a, "rows": list(selectors.roster(a)[:500]), "hours_form": HoursForm()},
    )


@login_required
@require_POST
def staff_check_out(request: HttpRequest, pk: int) -> HttpResponse:
    s = selectors.get_signup_for(request_scope(request), pk)
    try:
        services.check_out(scope=request_scope(request), actor=request_user(request), signup=s)
        messages.success(request, gettext("%(name)s已签退。") % {"name": s.name})
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect("volunteering:manage", s.activity_id)


@login_required
@require_POST
def staff_hours(request: HttpRequest, pk: int) -> HttpResponse:
    s = selectors.get_signup_for(request_scope(request), pk)
    form = HoursForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("服务时长应为整数分钟。"))
    else:
        try:
            services.hours_record(
                scope=request_scope(request),
                actor=request_user(request),
                signup=s,
                **form.cleaned_data,
            )
            messages.success(request, gettext("已记录%(name)s的服务时长。") % {"name": s.name})
        except ServiceError as e:
            messages.error(request, e.message)
    return redirect("volunteering:manage", s.activity_id)


def _org_filter(request: HttpRequest) -> Organization | None:
    raw = request.GET.get("org", "")
    return get_org_for(request_scope(request), raw) if raw else None


@login_required
@require_GET
def hours(request: HttpRequest) -> HttpResponse:
    scope = _require_manage(request)
    org = _org_filter(request)
    page = paginate(request, selectors.hours_ledger(scope, org))
    return render(
        request,
        "volunteering/hours.html",
        {"page": page, "org": org, "query": f"org={org.pk}" if org else ""},
    )


@login_required
@require_POST
def hours_correct(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _require_manage(request)
    entry = selectors.get_hours_for(scope, pk)
    form = HoursForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("更正后的时长应为整数分钟。"))
    else:
        try:
            services.hours_correct(
                scope=request_scope(request),
                actor=request_user(request),
                entry=entry,
                minutes=form.cleaned_data["minutes"],
                note=form.cleaned_data["note"],
            )
            messages.success(request, gettext("已更正（原记录保留，另记一条冲正记录）。"))
        except ServiceError as e:
            messages.error(request, e.message)
    return redirect("volunteering:hours")


@login_required
@require_GET
def ranking(request: HttpRequest) -> HttpResponse:
    scope = _require_manage(request)
    org = _org_filter(request)
    period = request.GET.get("period", "year")
    today = timezone.localdate()
    since = {"month": today.replace(day=1), "year": today.replace(month=1, day=1)}.get(period)
    members = selectors.ranking_members(scope, org, since)
    for row in members:
        row["text"] = selectors.hours_text(row["minutes"])
    teams_rows = selectors.ranking_teams(scope, org, since)
    for row in teams_rows:
        row["text"] = selectors.hours_text(row["minutes"])
    return render(
        request,
        "volunteering/ranking.html",
        {"members": members, "teams": teams_rows, "org": org, "period": period},
    )


@login_required
@require_GET
def branch(request: HttpRequest) -> HttpResponse:
    """双报到: the hours my members served, wherever they served."""
    scope = request_scope(request)
    if not scope.has("members.view"):
        raise Http404
    org = _org_filter(request)
    qs = selectors.branch_hours(scope, org)
    page = paginate(request, qs)
    params = QueryDict(mutable=True)
    if org:
        params["org"] = str(org.pk)
    return render(
        request,
        "volunteering/branch.html",
        {"page": page, "org": org, "query": params.urlencode(), "can_manage": scope.has(PERM)},
    )
