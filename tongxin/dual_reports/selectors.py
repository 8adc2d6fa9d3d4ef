"""双报到 reads: every read through a Scope (or the account's own member).

Two sides, two scopes, and the member themselves:
- the member's side: whoever views the member (``members.view`` through the member's
  organization or residence) sees the reports and the hours; ``members.manage`` files one;
- the member: a user whose account is linked to a member files their own report
  (``services.dual_report_file_own``) and sees their own reports and hours
  (``own_dual_reports``), whatever their roles; nobody else's;
- the community's side: ``orgs.manage`` over the community, through an area grant covering the
  community's area or an organization grant reaching an organization anchored in it (the
  community Party committee/branch and the street above it). Branch secretaries hold no
  ``orgs.manage``: a branch that merely sits in the community does not accept reports.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core.scope import NOTHING, Scope, subtree_q
from tongxin.dual_reports.models import DualReport, DualReportHours, DualReportStatus
from tongxin.geo.models import Area, AreaLevel
from tongxin.members.models import Member
from tongxin.orgs.models import Organization

COMMUNITY_PERM = "orgs.manage"
DUAL_TABS = ("members", "community")


def _area_grants_q(scope: Scope, perm: str, field_name: str) -> Q:
    out = NOTHING
    for g in scope.grants.get(perm, []):
        if g.kind == "area":
            out |= g.q(field_name)
    return out


def community_side_q(scope: Scope, prefix: str = "") -> Q:
    """Reports to communities the user manages (see the module docstring)."""
    if scope.is_superuser:
        return Q()
    anchored = Organization.objects.filter(scope.orgs_q(COMMUNITY_PERM)).filter(
        area_id=OuterRef(f"{prefix}community_id")
    )
    return _area_grants_q(scope, COMMUNITY_PERM, f"{prefix}community__path") | Q(Exists(anchored))


def member_side_q(scope: Scope, perm: str = "members.view", prefix: str = "") -> Q:
    return scope.members_q(perm, f"{prefix}member__")


def manages_community(scope: Scope, community: Area) -> bool:
    if scope.is_superuser:
        return True
    if any(
        g.kind == "area" and g.covers(community.path) for g in scope.grants.get(COMMUNITY_PERM, [])
    ):
        return True
    return Organization.objects.filter(scope.orgs_q(COMMUNITY_PERM), area_id=community.pk).exists()


def _minutes_total() -> Coalesce:
    total = (
        DualReportHours.objects.filter(dual_report=OuterRef("pk"))
        .order_by()
        .values("dual_report")
        .annotate(s=Sum("minutes"))
        .values("s")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def dual_report_queryset(scope: Scope) -> QuerySet[DualReport]:
    return DualReport.objects.filter(member_side_q(scope) | community_side_q(scope))


def get_dual_report_for(scope: Scope, pk: object, side: str = "any") -> DualReport:
    """side: any (either side sees it), community (managed community), member_manage (the
    member's managers)."""
    q = {
        "any": member_side_q(scope) | community_side_q(scope),
        "community": community_side_q(scope),
        "member_manage": member_side_q(scope, "members.manage"),
    }[side]
    try:
        return (
            DualReport.objects.filter(q)
            .select_related("member__org", "community")
            .annotate(total_minutes=_minutes_total())
            .get(pk=int(str(pk)))
        )
    except (DualReport.DoesNotExist, ValueError):
        raise Http404(gettext("双报到记录不存在或不在您的管辖范围内。")) from None


def dual_report_list(
    scope: Scope, tab: str = "members", org: Organization | None = None
) -> QuerySet[DualReport]:
    """members: reports of members I see (optionally of one organization's subtree);
    community: reports to communities I manage. One query, hours summed per row."""
    if tab == "community":
        qs = DualReport.objects.filter(community_side_q(scope))
    else:
        qs = DualReport.objects.filter(member_side_q(scope))
        if org is not None:
            qs = qs.filter(subtree_q("member__org_path", org.path))
    return (
        qs.select_related("member__org", "community")
        .annotate(total_minutes=_minutes_total())
        .order_by("-reported_on", "-id")
    )


def waiting_count(scope: Scope) -> int | None:
    """Reports waiting for a community the user manages to accept them (one query), or None
    when the user manages no community."""
    if not scope.has(COMMUNITY_PERM):
        return None
    return dual_report_list(scope, "community").filter(status=DualReportStatus.REPORTED).count()


def dual_report_hours(report: DualReport) -> QuerySet[DualReportHours]:
    return report.hours.select_related("logged_by").order_by("-served_on", "-id")


def member_dual_reports(member: Member) -> QuerySet[DualReport]:
    return (
        DualReport.objects.filter(member=member)
        .select_related("community")
        .annotate(total_minutes=_minutes_total())
        .order_by("-reported_on", "-id")
    )


def own_dual_reports(user: User | AnonymousUser) -> QuerySet[DualReport]:
    """The account's own member's reports, newest first, with the minutes served summed."""
    member_id = getattr(user, "member_id", None)
    if not member_id:
        return DualReport.objects.none()
    return (
        DualReport.objects.filter(member_id=member_id)
        .select_related("community")
        .annotate(total_minutes=_minutes_total())
        .order_by("-reported_on", "-id")
    )


def get_own_dual_report(user: User | AnonymousUser, pk: object) -> DualReport:
    try:
        return own_dual_reports(user).get(pk=int(str(pk)))
    except (DualReport.DoesNotExist, ValueError):
        raise Http404(gettext("双报到记录不存在。")) from None


def community_choices() -> QuerySet[Area]:
    return Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("path")


def community_of(area: Area | None) -> Area | None:
    """The community at or above an area (a compound, a building), or None."""
    if area is None:
        return None
    paths = [area.path[:i] for i in range(Area.steplen, len(area.path) + 1, Area.steplen)]
    return Area.objects.filter(path__in=paths, level=AreaLevel.COMMUNITY).first()


def residence_community(member: Member) -> Area | None:
    """The community above the member's residence (the default where to report)."""
    return community_of(member.residence)


def hours_text(minutes: int | None) -> str:
    m = minutes or 0
    h, rest = divmod(m, 60)
    if rest:
        return gettext("%(h)s小时%(m)s分钟") % {"h": h, "m": rest}
    return gettext("%(h)s小时") % {"h": h}
