"""Reads for the Open311 interface. Open311 readers are not users: the spec makes service
requests public, so these return only what ``open311._request_row`` shows publicly, and a
key's jurisdiction (an Area subtree) bounds where it may post."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import F, QuerySet

from tongxin.cases.models import ApiKey, Case, CaseEvent, Category
from tongxin.cases.selectors import MEDIA_NOTE, active_key_by_hash, case_categories
from tongxin.core.scope import subtree_q
from tongxin.geo.models import Area

PLACE_LEVELS = ("community", "compound", "building")


def services() -> QuerySet[Category]:
    return case_categories()


def service(code: str) -> Category | None:
    return case_categories().filter(code=code).first()


def active_key(key_hash: str) -> ApiKey | None:
    return active_key_by_hash(key_hash)


def _places(jurisdiction: Area) -> QuerySet[Area]:
    return Area.objects.filter(subtree_q("path", jurisdiction.path), level__in=PLACE_LEVELS)


def area_in(jurisdiction: Area, pk: int) -> Area | None:
    return _places(jurisdiction).filter(pk=pk).first()


def nearest_area(jurisdiction: Area, lat: Decimal, lon: Decimal) -> Area | None:
    """The compound (or building, or community) with coordinates nearest to the point; the
    jurisdiction is small enough for a planar distance."""
    return (
        _places(jurisdiction)
        .filter(latitude__isnull=False, longitude__isnull=False)
        .annotate(
            d=(F("latitude") - lat) * (F("latitude") - lat)
            + (F("longitude") - lon) * (F("longitude") - lon)
        )
        .order_by("d", "-depth")
        .first()
    )


def area_by_name(jurisdiction: Area, text: str) -> Area | None:
    """The deepest place of the jurisdiction whose name occurs in an address string."""
    best = None
    for area in _places(jurisdiction).only("id", "name", "path", "depth", "level")[:5000]:
        if (area.name and area.name in text) and (
            best is None or (area.depth, len(area.name)) > (best.depth, len(best.name))
        ):
            best = area
    return best


def requests_queryset() -> QuerySet[Case]:
    return Case.objects.select_related("category", "agency", "area")


def by_token(token: str) -> Case | None:
    if not token or len(token) > 24:
        return None
    return Case.objects.filter(token=token).only("id", "tracking_code", "token").first()


def media_urls(case_ids: list[int]) -> dict[int, str]:
    """The media_url each case's Open311 client sent with it (kept as the report's private
    note), for the requests a key may read in full: one query for a page of requests."""
    if not case_ids:
        return {}
    # Only the note written with the report itself (the same instant), never a later staff note
    # that happens to start the same way.
    rows = CaseEvent.objects.filter(
        case_id__in=case_ids,
        kind="note",
        public=False,
        note__startswith=MEDIA_NOTE,
        at=F("case__reported_at"),
    ).values_list("case_id", "note")
    return {case_id: note[len(MEDIA_NOTE) :].strip() for case_id, note in rows}
