"""Every read of volunteering, filtered by a Scope.

Open activities (title, time, place, slots left) are a public call for volunteers: every
signed-in user sees them. Rosters, check-in codes, the hours ledger and rankings need
``volunteering.manage`` over the team's organization (or its area); outside, 404. The hours of
one's own members (双报到: served anywhere, reported to the member's branch) need
``members.view`` over the member's organization."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.centers.selectors import reach_q, social_org_area_choices
from tongxin.core.registry import StoredFigures
from tongxin.core.scope import Scope, subtree_q
from tongxin.geo.models import Area, AreaLevel
from tongxin.orgs.models import Organization
from tongxin.volunteering.models import (
    Activity,
    ActivityStatus,
    SignUp,
    SignUpStatus,
    VolunteerHours,
    VolunteerTeam,
)

PERM = "volunteering.manage"


def team_queryset(scope: Scope) -> QuerySet[VolunteerTeam]:
    return VolunteerTeam.objects.filter(reach_q(scope, PERM, "org_path", "area__path"))


def team_list(scope: Scope, text: str = "") -> QuerySet[VolunteerTeam]:
    """One query: the team's organization and area joined."""
    qs = team_queryset(scope)
    if text:
        qs = qs.filter(name__contains=text)
    return qs.select_related("org", "area").order_by("org_path", "name", "id")


def get_team_for(scope: Scope, pk: object) -> VolunteerTeam:
    try:
        return team_queryset(scope).select_related("org", "area").get(pk=int(str(pk)))
    except (VolunteerTeam.DoesNotExist, ValueError):
        raise Http404(gettext("志愿服务队不存在或不在您的管辖范围内。")) from None


def team_org_choices(scope: Scope) -> QuerySet[Organization]:
    return Organization.objects.filter(reach_q(scope, PERM, "path", "area__path")).order_by("path")


def may_run_team(scope: Scope, org: Organization) -> bool:
    """A team may be set up for an organization the user manages volunteering for."""
    return scope.reaches_org(PERM, org.path, org.area.path if org.area else None)


def may_serve_area(scope: Scope, area: Area) -> bool:
    """A team or an activity serves a community (社区/村) within the user's reach."""
    return community_choices(scope).filter(pk=area.pk).exists()


def is_own_signup(user: User, signup: SignUp) -> bool:
    return SignUp.objects.filter(person_q(user), pk=signup.pk).exists()


def activity_public_list(since: dt.datetime | None = None) -> QuerySet[Activity]:
    """Open activities not yet over, soonest first; one query with the team joined."""
    since = since or timezone.now()
    return (
        Activity.objects.filter(status=ActivityStatus.OPEN, end__gte=since)
        .select_related("team")
        .annotate(confirmed=Count("signups", filter=Q(signups__status=SignUpStatus.CONFIRMED)))
        .order_by("start", "id")
    )


def activity_managed(scope: Scope) -> QuerySet[Activity]:
    return Activity.objects.filter(reach_q(scope, PERM, "org_path", "team__area__path"))


def activity_managed_list(scope: Scope) -> QuerySet[Activity]:
    return (
        activity_managed(scope)
        .select_related("team")
        .annotate(confirmed=Count("signups", filter=Q(signups__status=SignUpStatus.CONFIRMED)))
        .order_by("-start", "-id")
    )


def get_activity(pk: object) -> Activity:
    """An activity anyone signed in may look at (not a cancelled one)."""
    try:
        return (
            Activity.objects.exclude(status=ActivityStatus.CANCELLED)
            .select_related("team", "center")
            .get(pk=int(str(pk)))
        )
    except (Activity.DoesNotExist, ValueError):
        raise Http404(gettext("志愿服务活动不存在。")) from None


def get_activity_for(scope: Scope, pk: object) -> Activity:
    try:
        return activity_managed(scope).select_related("team", "center").get(pk=int(str(pk)))
    except (Activity.DoesNotExist, ValueError):
        raise Http404(gettext("志愿服务活动不存在或不在您的管辖范围内。")) from None


def may_manage(scope: Scope, activity: Activity) -> bool:
    return activity_managed(scope).filter(pk=activity.pk).exists()


def confirmed_count(activity: Activity) -> int:
    return activity.signups.filter(status=SignUpStatus.CONFIRMED).count()


def roster(activity: Activity) -> QuerySet[SignUp]:
    """With ``credited``: the minutes each attendance has in the ledger (one duration each)."""
    return (
        activity.signups.exclude(status=SignUpStatus.CANCELLED)
        .annotate(credited=Sum("hours__minutes"))
        .order_by("status", "created_at", "id")
    )


def person_q(user: User, prefix: str = "") -> Q:
    """The rows that belong to the person behind an account: made with the account, or for
    its party member or resident record (an organizer's or the demo's sign-up has a member and
    no account). Every "mine" lookup goes through here, so the sign-up button, 我的活动 and
    the volunteer's check-in and check-out agree."""
    q = Q(**{f"{prefix}user": user}) if getattr(user, "pk", None) else Q(pk__in=[])
    member_id = getattr(user, "member_id", None)
    if member_id:
        q |= Q(**{f"{prefix}member_id": member_id})
    resident = getattr(user, "resident", None) if getattr(user, "pk", None) else None
    if resident is not None:
        q |= Q(**{f"{prefix}resident_id": resident.pk})
    return q


def live_signup(user: User, activity: Activity) -> SignUp | None:
    return (
        SignUp.objects.filter(person_q(user), activity=activity)
        .exclude(status=SignUpStatus.CANCELLED)
        .first()
    )


def my_signups(user: User) -> QuerySet[SignUp]:
    return (
        SignUp.objects.filter(person_q(user))
        .exclude(status=SignUpStatus.CANCELLED)
        .select_related("activity")
        .order_by("-activity__start", "-id")
    )


def get_my_signup(user: User, pk: object) -> SignUp:
    try:
        return (
            SignUp.objects.filter(person_q(user))
            .select_related("activity__team")
            .get(pk=int(str(pk)))
        )
    except (SignUp.DoesNotExist, ValueError):
        raise Http404(gettext("报名记录不存在。")) from None


def get_signup_for(scope: Scope, pk: object) -> SignUp:
    try:
        return (
            SignUp.objects.filter(activity__in=activity_managed(scope))
            .select_related("activity__team")
            .get(pk=int(str(pk)))
        )
    except (SignUp.DoesNotExist, ValueError):
        raise Http404(gettext("报名记录不存在或不在您的管辖范围内。")) from None


def my_hours(user: User) -> QuerySet[VolunteerHours]:
    """The person's ledger rows (a resident's hours carry the account: the ledger keeps no
    resident column)."""
    q = Q(user=user)
    if getattr(user, "member_id", None):
        q |= Q(member_id=user.member_id)
    return VolunteerHours.objects.filter(q).select_related("activity").order_by("-on", "-id")


def credited_minutes(signup: SignUp) -> int:
    """What one attendance has credited so far (corrections included)."""
    return total_minutes(VolunteerHours.objects.filter(signup=signup))


def total_minutes(qs: QuerySet[VolunteerHours]) -> int:
    return int(qs.aggregate(s=Sum("minutes"))["s"] or 0)


def hours_ledger(scope: Scope, org: Organization | None = None) -> QuerySet[VolunteerHours]:
    qs = VolunteerHours.objects.filter(reach_q(scope, PERM, "org_path", "team__area__path"))
    if org is not None:
        qs = qs.filter(subtree_q("org_path", org.path))
    return qs.select_related("team", "activity").order_by("-on", "-id")


def get_hours_for(scope: Scope, pk: object) -> VolunteerHours:
    try:
        return hours_ledger(scope).get(pk=int(str(pk)))
    except (VolunteerHours.DoesNotExist, ValueError):
        raise Http404(gettext("时长记录不存在或不在您的管辖范围内。")) from None


def branch_hours(scope: Scope, org: Organization | None = None) -> QuerySet[VolunteerHours]:
    """双报到: hours served (anywhere) by the members of organizations the user oversees,
    reported to the member's own branch."""
    if scope.is_superuser:
        qs = VolunteerHours.objects.exclude(member_org_path="")
    else:
        qs = VolunteerHours.objects.filter(scope.org_grants_q("members.view", "member_org_path"))
    if org is not None:
        qs = qs.filter(subtree_q("member_org_path", org.path))
    return qs.select_related("team", "activity").order_by("-on", "-id")


def ranking_members(
    scope: Scope, org: Organization | None = None, since: dt.date | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Volunteers by hours in the subtree (teams under ``org``, else the user's reach)."""
    qs = hours_ledger(scope, org)
    if since is not None:
        qs = qs.filter(on__gte=since)
    rows = (
        qs.order_by()
        .values("user_id", "name", "member_id")
        .annotate(minutes=Sum("minutes"))
        .filter(minutes__gt=0)
        .order_by("-minutes", "name")[:limit]
    )
    return [dict(r) for r in rows]


def ranking_teams(
    scope: Scope, org: Organization | None = None, since: dt.date | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    qs = hours_ledger(scope, org)
    if since is not None:
        qs = qs.filter(on__gte=since)
    rows = (
        qs.order_by()
        .values("team_id", "team__name")
        .annotate(
            minutes=Sum("minutes"),
            people=Count("member_id", distinct=True)
            + Count("user_id", filter=Q(member__isnull=True), distinct=True),
        )
        .filter(minutes__gt=0)
        .order_by("-minutes", "team__name")[:limit]
    )
    return [dict(r) for r in rows]


def volunteering_counts(scope: Scope) -> dict[str, int] | None:
    """工作台: teams and hours this month in reach. Two queries."""
    if not scope.has(PERM):
        return None
    month_start = timezone.localdate().replace(day=1)
    return {
        "teams": team_queryset(scope).count(),
        "minutes": total_minutes(
            VolunteerHours.objects.filter(
                reach_q(scope, PERM, "org_path", "team__area__path"), on__gte=month_start
            )
        ),
    }


def hours_text(minutes: int | None) -> str:
    m = minutes or 0
    sign = "-" if m < 0 else ""
    h, rest = divmod(abs(m), 60)
    if not h:
        return sign + gettext("%(m)s分钟") % {"m": rest}
    if rest:
        return sign + gettext("%(h)s小时%(m)s分钟") % {"h": h, "m": rest}
    return sign + gettext("%(h)s小时") % {"h": h}


def community_choices(scope: Scope) -> QuerySet[Area]:
    """The communities (社区/村) a team or activity may serve: those where the user may
    register social organizations, i.e. under the organizations they manage."""
    return social_org_area_choices(scope).filter(level=AreaLevel.COMMUNITY)


def stored_panel(request: Any, scope: Scope, f: StoredFigures) -> dict[str, int] | None:
    """工作台 from the stored figures of the user's top of scope: ``volunteering_counts``'
    keys (the minutes of the month the figures were computed in)."""
    if not scope.has(PERM):
        return None
    return {
        "teams": f.count("volunteering.teams"),
        "minutes": f.month_count("volunteering.minutes"),
    }
