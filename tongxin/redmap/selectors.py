"""Every read of the 初心图谱. Sites, lessons and routes are public information to every
signed-in user (the map is published); managing a site takes ``redmap.manage`` over its
organization or its area; a branch's visits are read with ``meetings.view`` over the branch;
check-ins are the member's own, or counted over the members in reach."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.core.scope import Scope, subtree_q
from tongxin.geo.models import Area, AreaLevel
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, OrgKind
from tongxin.redmap.models import (
    CheckIn,
    CheckInRule,
    GroupVisit,
    Lesson,
    RedSite,
    Route,
    RouteStop,
    SiteFile,
    SiteKind,
    VisitStatus,
)

PERM = "redmap.manage"
LIST_COLUMNS = ("id", "name", "kind", "address", "capacity", "area__name")


def local_today() -> dt.date:
    return timezone.localdate()


def rules() -> CheckInRule:
    return CheckInRule.objects.order_by("id").first() or CheckInRule()


# ---- sites ---------------------------------------------------------------------------------


@dataclass
class SiteFilters:
    district: int | None = None  # an Area id (区县)
    kind: str = ""
    q: str = ""


def _district_path(district_id: int | None) -> str | None:
    if district_id is None:
        return None
    return (
        Area.objects.filter(pk=district_id, level=AreaLevel.DISTRICT)
        .values_list("path", flat=True)
        .first()
    )


def site_queryset(scope: Scope, filters: SiteFilters | None = None) -> QuerySet[RedSite]:
    """Open sites, for any signed-in user (the scope is taken for the rule that every read
    says whose it is; the map itself is published)."""
    qs = RedSite.objects.filter(is_active=True)
    if filters is None:
        return qs
    if filters.district is not None:
        path = _district_path(filters.district)
        qs = qs.filter(subtree_q("area_path", path)) if path else qs.none()
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q.strip():
        text = filters.q.strip()[:50]
        qs = qs.filter(Q(name__contains=text) | Q(address__contains=text))
    return qs


def site_list(scope: Scope, filters: SiteFilters | None = None) -> QuerySet[RedSite]:
    return (
        site_queryset(scope, filters)
        .only(*LIST_COLUMNS)
        .select_related("area")
        .order_by("area_path", "name", "id")
    )


def map_points(scope: Scope, filters: SiteFilters | None = None) -> list[dict[str, Any]]:
    """The map's markers: one query, a few columns per site."""
    rows = site_queryset(scope, filters).values_list(
        "id", "name", "kind", "latitude", "longitude", "address"
    )
    return [
        {"id": i, "name": n, "kind": k, "lat": lat, "lng": lng, "address": a}
        for i, n, k, lat, lng, a in rows.order_by("id")
    ]


def district_outlines(scope: Scope) -> list[dict[str, Any]]:
    """The districts as the map's background: each one's name and the box around its sites
    (the demo areas carry a centre, not a boundary). Two queries."""
    districts = list(
        Area.objects.filter(level=AreaLevel.DISTRICT).order_by("path").values("id", "name", "path")
    )
    if not districts:
        return []
    boxes: dict[str, list[float]] = {}
    for path, lat, lng in RedSite.objects.filter(is_active=True).values_list(
        "area_path", "latitude", "longitude"
    ):
        for d in districts:
            if path.startswith(d["path"]):
                b = boxes.setdefault(d["path"], [lat, lng, lat, lng])
                b[0], b[1] = min(b[0], lat), min(b[1], lng)
                b[2], b[3] = max(b[2], lat), max(b[3], lng)
                break
    return [
        {"id": d["id"], "name": d["name"], "box": boxes[d["path"]]}
        for d in districts
        if d["path"] in boxes
    ]


def district_choices() -> QuerySet[Area]:
    return Area.objects.filter(level=AreaLevel.DISTRICT).only("id", "name").order_by("path")


def get_site(scope: Scope, pk: object) -> RedSite:
    """An open site (public); 404 for an unknown or closed one."""
    try:
        return RedSite.objects.select_related("area", "org").get(pk=int(str(pk)), is_active=True)
    except (RedSite.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("红色基地不存在或已关闭。")) from None


def _area_grants_q(scope: Scope, perm: str, field_name: str) -> Q:
    """The user's area-anchored grants of ``perm`` applied to a field holding an area path."""
    q = Q(pk__in=[])
    for g in scope.grants.get(perm, []):
        if g.kind == "area":
            q |= g.q(field_name)
    return q


def managed_site_queryset(scope: Scope) -> QuerySet[RedSite]:
    if scope.is_superuser:
        return RedSite.objects.all()
    q = scope.org_grants_q(PERM, "org_path") | _area_grants_q(scope, PERM, "area_path")
    return RedSite.objects.filter(q)


def may_manage(scope: Scope, site: RedSite) -> bool:
    return scope.reaches_org(PERM, site.org_path, site.area_path)


def get_site_for(scope: Scope, pk: object) -> RedSite:
    """A site the user manages (open or closed); 404 outside reach."""
    try:
        return managed_site_queryset(scope).select_related("area", "org").get(pk=int(str(pk)))
    except (RedSite.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("红色基地不存在或不在您的管辖范围内。")) from None


def site_org_choices(scope: Scope) -> QuerySet[Organization]:
    return (
        Organization.objects.filter(scope.orgs_q(PERM)).only("id", "name", "path").order_by("path")
    )


def site_area_choices(scope: Scope) -> QuerySet[Area]:
    """Areas a managed site may stand in: those under the areas of the organizations in reach."""
    paths = list(
        Organization.objects.filter(scope.orgs_q(PERM), area__isnull=False)
        .values_list("area__path", flat=True)
        .distinct()[:200]
    )
    if scope.is_superuser:
        return Area.objects.exclude(level=AreaLevel.BUILDING).only("id", "name").order_by("path")
    if not paths:
        return Area.objects.none()
    q = Q(pk__in=[])
    for p in paths:
        q |= subtree_q("path", p)
    return (
        Area.objects.filter(q).exclude(level=AreaLevel.BUILDING).only("id", "name").order_by("path")
    )


def site_photos(site: RedSite) -> QuerySet[SiteFile]:
    return site.files.filter(lesson__isnull=True).order_by("id")


def get_file(scope: Scope, pk: object) -> SiteFile:
    try:
        return SiteFile.objects.select_related("site").get(pk=int(str(pk)), site__is_active=True)
    except (SiteFile.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("文件不存在。")) from None


def kind_counts(scope: Scope) -> dict[str, int]:
    rows = site_queryset(scope).order_by().values("kind").annotate(n=Count("id"))
    out = dict.fromkeys(SiteKind.values, 0)
    out.update({r["kind"]: r["n"] for r in rows})
    return out


# ---- lessons and routes --------------------------------------------------------------------


def lessons_of(site: RedSite) -> QuerySet[Lesson]:
    return site.lessons.order_by("id")


def get_lesson(scope: Scope, pk: object) -> Lesson:
    try:
        return Lesson.objects.select_related("site").get(pk=int(str(pk)), site__is_active=True)
    except (Lesson.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("课程不存在。")) from None


def lesson_files(lesson: Lesson) -> QuerySet[SiteFile]:
    return lesson.files.order_by("id")


def route_list(scope: Scope) -> QuerySet[Route]:
    return Route.objects.annotate(n=Count("stops")).order_by("-id")


def get_route(scope: Scope, pk: object) -> Route:
    try:
        return Route.objects.get(pk=int(str(pk)))
    except (Route.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("线路不存在。")) from None


def route_stops(route: Route) -> QuerySet[RouteStop]:
    return route.stops.select_related("site").order_by("position")


def routes_through(site: RedSite) -> QuerySet[Route]:
    return Route.objects.filter(stops__site=site).distinct().order_by("-id")


# ---- group visits --------------------------------------------------------------------------


def visit_queryset(scope: Scope, perm: str = "meetings.view") -> QuerySet[GroupVisit]:
    """Visits of the branches the user reaches (by org grants on the branch path, or by area
    grants on the branch's area)."""
    if scope.is_superuser:
        return GroupVisit.objects.all()
    q = scope.org_grants_q(perm, "branch_path")
    by_area = scope.orgs_by_area_q(perm)
    if by_area is not None:
        q |= Q(branch__in=Organization.objects.filter(by_area).values("id"))
    return GroupVisit.objects.filter(q)


def get_visit_for(scope: Scope, pk: object, perm: str = "meetings.view") -> GroupVisit:
    try:
        return (
            visit_queryset(scope, perm)
            .select_related("site", "branch", "meeting")
            .get(pk=int(str(pk)))
        )
    except (GroupVisit.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("参观预约不存在或不在您的管辖范围内。")) from None


def visit_list(scope: Scope) -> QuerySet[GroupVisit]:
    return (
        visit_queryset(scope)
        .select_related("site", "branch")
        .annotate(checked_in=Count("checkins"))
        .order_by("-date", "-id")
    )


def may_book_for(scope: Scope, branch: Organization) -> bool:
    area = branch.area.path if branch.area_id and branch.area else None
    return branch.kind == OrgKind.BRANCH and scope.reaches_org("meetings.manage", branch.path, area)


def booking_branch_choices(scope: Scope) -> QuerySet[Organization]:
    return (
        Organization.objects.filter(scope.orgs_q("meetings.manage"), kind=OrgKind.BRANCH)
        .only("id", "name", "path")
        .order_by("path")
    )


def booked_people(site: RedSite, on: dt.date, start: dt.time, end: dt.time) -> int:
    """People of the site's live bookings overlapping [start, end) that day."""
    total = GroupVisit.objects.filter(
        site=site,
        date=on,
        status__in=[VisitStatus.BOOKED, VisitStatus.COUNTED],
        start_time__lt=end,
        end_time__gt=start,
    ).aggregate(n=Sum("people"))["n"]
    return int(total or 0)


def visit_checkins(visit: GroupVisit) -> QuerySet[CheckIn]:
    return visit.checkins.select_related("member").only("id", "at", "member__name").order_by("at")


def threshold(visit: GroupVisit, branch_members: int) -> int:
    """How many members' check-ins make the visit the branch's 主题党日."""
    rule = rules()
    share = math.ceil(branch_members * rule.theme_day_min_percent / 100)
    # A branch smaller than the minimum counts when every member came.
    return max(1, min(max(rule.theme_day_min_members, share), branch_members))


def branch_member_count(branch: Organization) -> int:
    return Member.objects.filter(org_path=branch.path).count()


def live_visit_for(site: RedSite, member: Member, on: dt.date) -> GroupVisit | None:
    """The member's branch's booking at the site that day, if any."""
    return (
        GroupVisit.objects.filter(
            site=site,
            branch_id=member.org_id,
            date=on,
            status__in=[VisitStatus.BOOKED, VisitStatus.COUNTED],
        )
        .select_related("meeting", "branch")
        .first()
    )


# ---- check-ins -----------------------------------------------------------------------------


def my_checkins(member: Member) -> QuerySet[CheckIn]:
    return CheckIn.objects.filter(member=member).select_related("site").order_by("-at")


def checked_in_today(site: RedSite, member: Member, on: dt.date) -> bool:
    return CheckIn.objects.filter(site=site, member=member, on=on).exists()


def checkin_counts(scope: Scope, today: dt.date | None = None) -> dict[str, Any] | None:
    """The 工作台 card: check-ins this month by the members in reach, and the visits counted
    as 主题党日. Two queries; None when the user reaches no members."""
    if not (scope.is_superuser or scope.has("members.view")):
        return None
    today = today or local_today()
    start = today.replace(day=1)
    member_q = Q()
    if not scope.is_superuser:
        member_q = scope.org_grants_q("members.view", "member_org_path") | _area_grants_q(
            scope, "members.view", "member__residence__path"
        )
    month = CheckIn.objects.filter(member_q, on__gte=start, on__lte=today).aggregate(
        n=Count("id"), people=Count("member_id", distinct=True)
    )
    counted = (
        visit_queryset(scope)
        .filter(status=VisitStatus.COUNTED, date__gte=start, date__lte=today)
        .count()
    )
    return {
        "checkins": month["n"] or 0,
        "people": month["people"] or 0,
        "counted": counted,
        "today": today,
    }
