from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from tongxin.core.scope import subtree_q
from tongxin.geo.models import Area, AreaLevel


def area_choices_under(area: Area | None, levels: Sequence[str]) -> QuerySet[Area]:
    """Areas below an anchor the caller has already checked against the Scope (the parent
    organization's area, or the organization's own); no anchor, no choices.
    Not sliced: a form must be able to validate any of them (see core.forms.offer)."""
    if area is None:
        return Area.objects.none()
    return (
        Area.objects.filter(level__in=levels).filter(subtree_q("path", area.path)).order_by("path")
    )


def area_roots_for_choice() -> QuerySet[Area]:
    """Cities, districts and streets: where a top-level organization may be anchored
    (offered to superusers only)."""
    return Area.objects.filter(level__in=["city", "district", "street"]).order_by("path")


RESIDENCE_LEVELS = [AreaLevel.COMPOUND, AreaLevel.BUILDING]
ANCHOR_LEVELS = [
    AreaLevel.CITY,
    AreaLevel.DISTRICT,
    AreaLevel.STREET,
    AreaLevel.COMMUNITY,
    AreaLevel.COMPOUND,
]
