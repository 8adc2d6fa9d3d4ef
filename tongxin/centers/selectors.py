"""Every read of service centres, bookings and social organizations, filtered by a Scope.

The centre directory (name, place, opening hours, services, masked phone) is public to every
signed-in user: residents look up their 党群服务中心. Managing a centre (rooms, bookings,
events, the full phone number) needs ``centers.manage`` over the centre's organization or
area; outside it, 404."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.centers.models import (
    Booking,
    BookingStatus,
    CenterEvent,
    GuidingRule,
    Room,
    ServiceCenter,
    ServiceItem,
    SocialOrganization,
)
from tongxin.core.registry import StoredFigures
from tongxin.core.scope import NOTHING, Scope, subtree_q
from tongxin.geo.models import Area, AreaLevel
from tongxin.orgs.models import Organization, OrgKind, Sector


def reach_q(scope: Scope, perm: str, org_path_field: str, area_path_field: str) -> Q:
    """Rows whose organization path is under an org grant, or whose area is under an area
    grant, of ``perm``."""
    if scope.is_superuser:
        return Q()
    q = scope.org_grants_q(perm, org_path_field)
    by_area = scope._q(perm, "area", area_path_field)
    return q | by_area if by_area is not None else q


# --- centres ---------------------------------------------------------------------------


def center_directory() -> QuerySet[ServiceCenter]:
    """The public directory: active centres, every signed-in user."""
    return ServiceCenter.objects.filter(is_active=True)


def center_managed(scope: Scope) -> QuerySet[ServiceCenter]:
    return ServiceCenter.objects.filter(reach_q(scope, "centers.manage", "org_path", "area__path"))


def center_list(
    scope: Scope, *, text: str = "", level: str = "", managed: bool = False
) -> QuerySet[ServiceCenter]:
    """One query for the page (area joined for its name)."""
    qs = center_managed(scope) if managed else center_directory()
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(address__contains=text))
    if level:
        qs = qs.filter(level=level)
    return qs.select_related("area").order_by("org_path", "id")


def map_points(
    *, bbox: tuple[float, float, float, float] | None = None, limit: int = 5000
) -> list[dict[str, object]]:
    """Markers for the map: one query, at most ``limit`` points."""
    qs = center_directory().filter(latitude__isnull=False, longitude__isnull=False)
    if bbox is not None:
        south, west, north, east = bbox
        qs = qs.filter(
            latitude__gte=south, latitude__lte=north, longitude__gte=west, longitude__lte=east
        )
    rows = qs.order_by("id").values("id", "name", "level", "latitude", "longitude", "address")
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "level": r["level"],
            "lat": float(r["latitude"] or 0),
            "lng": float(r["longitude"] or 0),
            "address": r["address"],
        }
        for r in rows[:limit]
    ]


def get_center(pk: object) -> ServiceCenter:
    try:
        return center_directory().select_related("area", "org").get(pk=int(str(pk)))
    except (ServiceCenter.DoesNotExist, ValueError):
        raise Http404(gettext("党群服务中心不存在。")) from None


def get_center_for(scope: Scope, pk: object, perm: str = "centers.manage") -> ServiceCenter:
    try:
        return (
            ServiceCenter.objects.filter(reach_q(scope, perm, "org_path", "area__path"))
            .select_related("area", "org")
            .get(pk=int(str(pk)))
        )
    except (ServiceCenter.DoesNotExist, ValueError):
        raise Http404(gettext("党群服务中心不存在或不在您的管辖范围内。")) from None


def may_manage_center(scope: Scope, center: ServiceCenter) -> bool:
    return scope.reaches_org("centers.manage", center.org_path, center.area.path)


def may_run_center(scope: Scope, org: Organization) -> bool:
    """The organization may be given a centre by this user (``centers.manage`` over it)."""
    return scope.reaches_org("centers.manage", org.path, org.area.path if org.area else None)


def area_fits_center(scope: Scope, org: Organization, area: Area) -> bool:
    """A centre stands within the area of the organization that runs it (a superuser places
    one anywhere)."""
    return scope.is_superuser or (org.area is not None and area.path.startswith(org.area.path))


def upcoming_closed_dates(center: ServiceCenter, limit: int = 10) -> list[dict[str, str]]:
    """The declared 休息日 from today on (the page lists the next few)."""
    today = timezone.localdate().isoformat()
    return [r for r in center.closed_dates or [] if r.get("date", "") >= today][:limit]


def center_items(center: ServiceCenter) -> QuerySet[ServiceItem]:
    return center.items.all()


def center_rooms(center: ServiceCenter) -> QuerySet[Room]:
    return center.rooms.all()


def center_events(center: ServiceCenter, limit: int = 20) -> QuerySet[CenterEvent]:
    return center.events.all()[:limit]


def center_bookings(center: ServiceCenter) -> QuerySet[Booking]:
    """Staff view of a centre's coming bookings (room, item and the booker joined)."""
    since = timezone.now() - dt.timedelta(days=1)
    return (
        Booking.objects.filter(center=center, end__gte=since)
        .select_related("room", "item", "booked_by")
        .order_by("start", "id")
    )


def my_bookings(user: User) -> QuerySet[Booking]:
    return (
        Booking.objects.filter(booked_by=user)
        .select_related("center", "room", "item")
        .order_by("-start", "-id")
    )


def get_my_booking(user: User, pk: object) -> Booking:
    try:
        return my_bookings(user).get(pk=int(str(pk)))
    except (Booking.DoesNotExist, ValueError):
        raise Http404(gettext("预约不存在。")) from None


def get_room(center: ServiceCenter, pk: object) -> Room:
    try:
        return center.rooms.get(pk=int(str(pk)))
    except (Room.DoesNotExist, ValueError):
        raise Http404(gettext("场地不存在。")) from None


def get_item(center: ServiceCenter, pk: object) -> ServiceItem:
    try:
        return center.items.get(pk=int(str(pk)))
    except (ServiceItem.DoesNotExist, ValueError):
        raise Http404(gettext("服务事项不存在。")) from None


def overlapping(
    *, room: Room | None, item: ServiceItem | None, start: dt.datetime, end: dt.datetime
) -> QuerySet[Booking]:
    """Live bookings of the same room (or service item) whose [start, end) meets this one.
    Touching intervals (one ends when the other starts) do not overlap."""
    qs = Booking.objects.filter(status=BookingStatus.CONFIRMED, start__lt=end, end__gt=start)
    return qs.filter(room=room) if room is not None else qs.filter(item=item)


def center_counts(scope: Scope) -> dict[str, int] | None:
    """工作台: centres managed, and their bookings this month. Two queries."""
    if not scope.has("centers.manage"):
        return None
    now = timezone.localtime()
    month_start = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    reach = reach_q(scope, "centers.manage", "center__org_path", "center__area__path")
    return {
        "centers": center_managed(scope).count(),
        "bookings": Booking.objects.filter(reach)
        .filter(status=BookingStatus.CONFIRMED, start__gte=month_start)
        .filter(start__lt=_next_month(month_start))
        .count(),
    }


def _next_month(d: dt.datetime) -> dt.datetime:
    return d.replace(year=d.year + 1, month=1) if d.month == 12 else d.replace(month=d.month + 1)


def center_org_choices(scope: Scope) -> QuerySet[Organization]:
    """Organizations that may run a centre the user registers."""
    return (
        Organization.objects.filter(reach_q(scope, "centers.manage", "path", "area__path"))
        .filter(kind__in=[OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE, OrgKind.GENERAL_BRANCH])
        .order_by("path")
    )


# --- social organizations --------------------------------------------------------------


def social_org_queryset(scope: Scope, perm: str = "orgs.view") -> QuerySet[SocialOrganization]:
    """Reached through the guiding organization (its path or its area) or the social
    organization's own area."""
    if scope.is_superuser:
        return SocialOrganization.objects.all()
    q = scope.orgs_q(perm, prefix="guiding_org__")
    by_area = scope._q(perm, "area", "area__path")
    return SocialOrganization.objects.filter(q | by_area if by_area is not None else q)


def may_edit_social_org(scope: Scope, social_org: SocialOrganization) -> bool:
    return social_org_queryset(scope, "orgs.manage").filter(pk=social_org.pk).exists()


def social_org_choices(scope: Scope) -> QuerySet[SocialOrganization]:
    """Social organizations the user may pick, e.g. as a micro-project's 店小二. A QuerySet
    (ordered by name) usable as a ModelChoiceField's queryset; ``str()`` is the name.
    Stable interface: used by tongxin.projects."""
    return social_org_queryset(scope).order_by("name", "id")


def get_social_org_for(scope: Scope, pk: object, perm: str = "orgs.view") -> SocialOrganization:
    try:
        return (
            social_org_queryset(scope, perm)
            .select_related("area", "unit", "guiding_org")
            .get(pk=int(str(pk)))
        )
    except (SocialOrganization.DoesNotExist, ValueError):
        raise Http404(gettext("社会组织不存在或不在您的管辖范围内。")) from None


def social_org_list(
    scope: Scope, *, text: str = "", kind: str = ""
) -> QuerySet[SocialOrganization]:
    qs = social_org_queryset(scope)
    if text:
        qs = qs.filter(Q(name__contains=text) | Q(credit_code=text.upper()))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.select_related("area", "guiding_org").order_by("name", "id")


def social_org_area_choices(scope: Scope) -> QuerySet[Area]:
    """Areas where the user may register a social organization (orgs.manage)."""
    levels = [AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.COMPOUND]
    if scope.is_superuser:
        return Area.objects.filter(level__in=levels).order_by("path")
    anchors = Organization.objects.filter(scope.orgs_q("orgs.manage")).filter(area__isnull=False)
    paths = sorted(set(anchors.values_list("area__path", flat=True)[:200]))
    if not paths:
        return Area.objects.none()
    q = NOTHING
    for p in paths:
        q |= subtree_q("path", p)
    return Area.objects.filter(q, level__in=levels).order_by("path")


TERRITORIAL_KINDS = [
    OrgKind.COMMITTEE,
    OrgKind.WORKING_COMMITTEE,
    OrgKind.GENERAL_BRANCH,
    OrgKind.BRANCH,
]
TERRITORIAL_SECTORS = [Sector.COMMUNITY, Sector.VILLAGE]
INDUSTRY_KINDS = [OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE, OrgKind.GENERAL_BRANCH]
REGIONAL_KINDS = [OrgKind.WORKING_COMMITTEE, OrgKind.COMMITTEE]
REGIONAL_LEVELS = [AreaLevel.STREET, AreaLevel.DISTRICT]
LOCAL_LEVELS = [AreaLevel.COMMUNITY, AreaLevel.COMPOUND, AreaLevel.BUILDING]


def default_guiding_org(area: Area) -> tuple[Organization | None, str]:
    """属地为主、行业为辅、区域兜底 (seed 004): which Party organization guides a social
    organization registered at ``area``, and by which rule. Two queries.

    1. 属地为主 (territorial): the community/village Party organization anchored at the social
       organization's own place: its own area, or the community (社区/村) it lies in, nearest
       first; of several at one place, the highest (the community committee over its
       branches). A street working committee anchored at the very area counts too.
    2. 行业为辅 (industry): else a 社会组织 sector committee (e.g. 社会组织综合党委) anchored at
       an enclosing area, nearest first.
    3. 区域兜底 (regional): else the working committee/committee of the enclosing street, or
       failing that of the district.
    None when nothing fits (a superuser picks one by hand)."""
    steplen = Area.steplen
    paths = [area.path[:i] for i in range(steplen, len(area.path) + 1, steplen)]
    here = list(Area.objects.filter(path__in=paths).values_list("pk", "path", "level"))
    levels = {path: level for _pk, path, level in here}
    area_path = {pk: path for pk, path, _level in here}
    candidates = [
        (pk, path, kind, sector, area_path[area_id])
        for pk, path, kind, sector, area_id in Organization.objects.filter(
            area_id__in=list(area_path)
        )
        .exclude(kind=OrgKind.GROUP)
        .values_list("pk", "path", "kind", "sector", "area_id")
    ]

    def pick(rows: list[tuple[int, str, str, str, str]]) -> int | None:
        # deepest area first (nearest to the social organization), then the highest org
        rows = sorted(rows, key=lambda r: (-len(r[4]), len(r[1]), r[1]))
        return rows[0][0] if rows else None

    territorial = [
        r
        for r in candidates
        if (r[4] == area.path or levels.get(r[4]) in LOCAL_LEVELS)
        and r[2] in TERRITORIAL_KINDS
        and (r[3] in TERRITORIAL_SECTORS or r[2] == OrgKind.WORKING_COMMITTEE)
    ]
    industry = [r for r in candidates if r[3] == Sector.SOCIAL_ORG and r[2] in INDUSTRY_KINDS]
    regional = [
        r for r in candidates if levels.get(r[4]) in REGIONAL_LEVELS and r[2] in REGIONAL_KINDS
    ]
    for rule, rows in (
        (GuidingRule.TERRITORIAL, territorial),
        (GuidingRule.INDUSTRY, industry),
        (GuidingRule.REGIONAL, regional),
    ):
        pk = pick(rows)
        if pk is not None:
            return Organization.objects.get(pk=pk), rule
    return None, ""


CENTER_AREA_LEVELS = [AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.COMPOUND]


def center_area_choices(scope: Scope) -> QuerySet[Area]:
    """Where the form offers to place a service centre: the areas within the area of an
    organization that may run one (the rule itself is ``area_fits_center``)."""
    if scope.is_superuser:
        return Area.objects.filter(level__in=CENTER_AREA_LEVELS).order_by("path")
    anchors = center_org_choices(scope).filter(area__isnull=False)
    paths = sorted(set(anchors.values_list("area__path", flat=True)[:200]))
    q = NOTHING
    for p in paths:
        q |= subtree_q("path", p)
    return Area.objects.filter(q, level__in=CENTER_AREA_LEVELS).order_by("path")


def stored_panel(request: Any, scope: Scope, f: StoredFigures) -> dict[str, int] | None:
    """工作台 from the stored figures of the user's top of scope: ``center_counts``' keys."""
    if not scope.has("centers.manage"):
        return None
    return {"centers": f.count("centers.total"), "bookings": f.count("centers.bookings_month")}
