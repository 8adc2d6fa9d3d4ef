"""Every read of the 共享小区 board. Residents see by where they live (熟人小区: their compound,
or wider when the poster asked); staff see by their area reach under sharing.moderate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, cast

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.translation import gettext

from tongxin.accounts.models import Resident
from tongxin.core.registry import StoredFigures
from tongxin.core.scope import NOTHING, Scope, subtree_q
from tongxin.geo.models import Area, AreaLevel
from tongxin.orgs.models import Organization
from tongxin.sharing.models import (
    Direction,
    Listing,
    ListingReport,
    ListingStatus,
    ListingToken,
    Match,
    MatchStatus,
    Visibility,
)

MODERATE = "sharing.moderate"
# The board and the API read these; a column left out costs one query per row.
BOARD_COLUMNS = (
    "id",
    "direction",
    "kind",
    "title",
    "body",
    "visibility",
    "status",
    "available_from",
    "available_until",
    "created_at",
    "contact_masked",
    "report_count",
    "compound_path",
    "resident_id",
    "compound_id",
    "compound__name",
)


@dataclass(frozen=True)
class Place:
    """Where a resident lives: the circles of the board (compound ⊂ community ⊂ street)."""

    compound: Area
    community: Area | None
    street: Area | None


def place_of(resident: Resident) -> Place:
    """One query: the home's ancestors, picked by level (a building's compound is above it)."""
    home = resident.home
    prefixes = [home.path[:i] for i in range(4, len(home.path) + 1, 4)]
    by_level = {a.level: a for a in Area.objects.filter(path__in=prefixes)}
    return Place(
        compound=by_level.get(AreaLevel.COMPOUND, home),
        community=by_level.get(AreaLevel.COMMUNITY),
        street=by_level.get(AreaLevel.STREET),
    )


def circles_q(place: Place, prefix: str = "") -> Q:
    """Listings whose chosen circle contains this place."""
    return circles_q_ids(
        place.compound.pk,
        place.community.pk if place.community is not None else None,
        place.street.pk if place.street is not None else None,
        prefix,
    )


def circles_q_ids(compound: int, community: int | None, street: int | None, prefix: str = "") -> Q:
    q = Q(**{f"{prefix}visibility": Visibility.COMPOUND, f"{prefix}compound_id": compound})
    if community is not None:
        q |= Q(**{f"{prefix}visibility": Visibility.COMMUNITY, f"{prefix}community_id": community})
    if street is not None:
        q |= Q(**{f"{prefix}visibility": Visibility.STREET, f"{prefix}street_id": street})
    return q


def board(place: Place, *, kind: str = "", direction: str = "") -> QuerySet[Listing]:
    """The resident's board: open listings whose circle reaches their home, newest first."""
    qs = Listing.objects.filter(circles_q(place), status=ListingStatus.OPEN)
    if kind:
        qs = qs.filter(kind=kind)
    if direction:
        qs = qs.filter(direction=direction)
    return qs.select_related("compound").only(*BOARD_COLUMNS).order_by("-id")


def get_listing_for_resident(resident: Resident, place: Place, pk: object) -> Listing:
    """Own listings in any state but removed; others' only while open and in reach."""
    try:
        return (
            Listing.objects.filter(
                Q(resident=resident) & ~Q(status=ListingStatus.REMOVED)
                | Q(status=ListingStatus.OPEN) & circles_q(place)
            )
            .select_related("compound", "resident")
            .get(pk=int(str(pk)))
        )
    except (Listing.DoesNotExist, ValueError):
        raise Http404(gettext("该信息不存在或不在您的小区范围内。")) from None


def my_listings(resident: Resident) -> QuerySet[Listing]:
    return (
        Listing.objects.filter(resident=resident)
        .exclude(status=ListingStatus.REMOVED)
        .select_related("compound")
        .only(*BOARD_COLUMNS)
        .order_by("-id")
    )


def my_matches(resident: Resident) -> QuerySet[Match]:
    return (
        Match.objects.filter(Q(need__resident=resident) | Q(offer__resident=resident))
        .select_related("need", "offer")
        .order_by("-id")
    )


def matches_of_listing(listing: Listing) -> QuerySet[Match]:
    return (
        Match.objects.filter(Q(need=listing) | Q(offer=listing))
        .select_related("need", "offer")
        .order_by("-id")
    )


def get_match_for_resident(resident: Resident, pk: object) -> Match:
    """Only the two sides see a match."""
    try:
        return (
            Match.objects.filter(Q(need__resident=resident) | Q(offer__resident=resident))
            .select_related("need__resident", "offer__resident", "need__compound")
            .get(pk=int(str(pk)))
        )
    except (Match.DoesNotExist, ValueError):
        raise Http404(gettext("该对接不存在或与您无关。")) from None


def suggestions(
    listing: Listing, *, limit: int = 10, today: dt.date | None = None
) -> QuerySet[Listing]:
    """Open listings of the same kind and the opposite direction that the poster may see and
    whose time window overlaps, nearest circle first (compound, community/grid, street), then
    the most shared jieba tokens, then newest. One query; the candidates are found through the
    listing_match index (street, kind, direction, status)."""
    opposite = Direction.OFFER if listing.direction == Direction.NEED else Direction.NEED
    qs = Listing.objects.filter(
        kind=listing.kind, direction=opposite, status=ListingStatus.OPEN
    ).exclude(resident_id=listing.resident_id)
    if listing.street_id is not None:
        qs = qs.filter(street_id=listing.street_id)
    else:
        qs = qs.filter(compound_id=listing.compound_id)
    qs = qs.filter(circles_q_ids(listing.compound_id, listing.community_id, listing.street_id))
    if listing.available_until is not None:
        qs = qs.filter(available_from__lte=listing.available_until)
    start = max(listing.available_from, today) if today else listing.available_from
    qs = qs.filter(Q(available_until__isnull=True) | Q(available_until__gte=start))
    proximity = Case(
        When(compound_id=listing.compound_id, then=Value(0)),
        When(community_id=listing.community_id, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    words = list(listing.tokens.values_list("token", flat=True)) if listing.pk else []
    if words:
        shared = (
            ListingToken.objects.filter(listing=OuterRef("pk"), token__in=words)
            .order_by()
            .values("listing")
            .annotate(n=Count("id"))
            .values("n")
        )
        similarity: Any = Coalesce(Subquery(shared, output_field=IntegerField()), Value(0))
    else:
        similarity = Value(0, output_field=IntegerField())
    return (
        qs.annotate(proximity=proximity, similarity=similarity)
        .select_related("compound")
        .only(*BOARD_COLUMNS)
        .order_by("proximity", "-similarity", "-id")[:limit]
    )


def already_proposed(listing: Listing) -> set[int]:
    """Counterpart listing ids with a live match to this listing (no duplicate proposals)."""
    live = ~Q(status=MatchStatus.CANCELLED)
    rows = Match.objects.filter(live & (Q(need=listing) | Q(offer=listing))).values_list(
        "need_id", "offer_id"
    )
    return {n if n != listing.pk else o for n, o in rows}


# ---- staff ----------------------------------------------------------------------------------


def staff_reach_q(scope: Scope, perm: str = MODERATE, field: str = "compound_path") -> Q:
    """Listings in the areas a user reaches under `perm`: area grants directly, organization
    grants through the area their organization is anchored in (and below). One query for the
    organizations' areas, memoized on the Scope."""
    if scope.is_superuser:
        return Q()
    grants = scope.grants.get(perm, [])
    key = f"sharing.org_areas:{perm}"
    org_areas = cast("list[str] | None", scope.memo.get(key))
    if org_areas is None:
        org_paths = [g.path for g in grants if g.kind == "org"]
        org_areas = (
            sorted(
                set(
                    Organization.objects.filter(path__in=org_paths, area__isnull=False).values_list(
                        "area__path", flat=True
                    )
                )
            )
            if org_paths
            else []
        )
        scope.memo[key] = org_areas
    parts = [g.q(field) for g in grants if g.kind == "area"]
    parts += [subtree_q(field, p) for p in org_areas]
    if not parts:
        return NOTHING
    out = parts[0]
    for p in parts[1:]:
        out |= p
    return out


def staff_board(scope: Scope, *, status: str = "", kind: str = "") -> QuerySet[Listing]:
    qs = Listing.objects.filter(staff_reach_q(scope))
    if status:
        qs = qs.filter(status=status)
    if kind:
        qs = qs.filter(kind=kind)
    # Compound by compound (the tree order, read backwards), newest first in each: the index
    # listing_path (compound_path, id) gives this order, so a page of a city-wide board reads
    # 20 index entries instead of sorting every listing in reach.
    return qs.select_related("compound").only(*BOARD_COLUMNS).order_by("-compound_path", "-id")


def get_listing_for_staff(scope: Scope, pk: object, perm: str = MODERATE) -> Listing:
    try:
        return (
            Listing.objects.filter(staff_reach_q(scope, perm))
            .select_related("compound", "resident")
            .get(pk=int(str(pk)))
        )
    except (Listing.DoesNotExist, ValueError):
        raise Http404(gettext("该信息不存在或不在您的管辖范围内。")) from None


def listing_reports(listing: Listing) -> QuerySet[ListingReport]:
    return listing.reports.filter(dismissed=False).select_related("reporter").order_by("id")


def has_reported(listing: Listing, resident: Resident) -> bool:
    return ListingReport.objects.filter(
        listing=listing, reporter=resident, dismissed=False
    ).exists()


def sharing_stats(scope: Scope) -> dict[str, int] | None:
    """The 工作台 figures: two aggregate queries (listings, matches) in the user's reach."""
    if not scope.has(MODERATE):
        return None
    reach = staff_reach_q(scope)
    row = (
        Listing.objects.filter(reach)
        .order_by()
        .aggregate(
            needs=Count("id", filter=Q(status=ListingStatus.OPEN, direction=Direction.NEED)),
            offers=Count("id", filter=Q(status=ListingStatus.OPEN, direction=Direction.OFFER)),
            hidden=Count("id", filter=Q(status=ListingStatus.HIDDEN)),
        )
    )
    m = (
        Match.objects.filter(staff_reach_q(scope))
        .order_by()
        .aggregate(
            confirmed=Count(
                "id", filter=Q(status__in=[MatchStatus.CONFIRMED, MatchStatus.COMPLETED])
            ),
            closed=Count("id", filter=Q(status=MatchStatus.CLOSED)),
        )
    )
    return {**{k: v or 0 for k, v in row.items()}, **{k: v or 0 for k, v in m.items()}}


STORED_KEYS = {
    "needs": "sharing.needs_open",
    "offers": "sharing.offers_open",
    "hidden": "sharing.hidden",
    "confirmed": "sharing.matches_confirmed",
    "closed": "sharing.matches_closed",
}


def stored_panel(request: Any, scope: Scope, f: StoredFigures) -> dict[str, int] | None:
    """The 工作台 figures from the stored figures of the user's top of scope."""
    if not scope.has(MODERATE):
        return None
    return {name: f.count(key) for name, key in STORED_KEYS.items()}
