from __future__ import annotations

from collections.abc import Sequence

from django.db.models import QuerySet

from tongxin.core.scope import Scope, subtree_q
from tongxin.geo.models import Area, AreaLevel


def area_choices_under(area: Area | None, levels: Sequence[str]) -> QuerySet[Area]:
    """Areas below an organization's anchor, for form choices (the caller holds the org).
    Not sliced: a form must be able to validate any of them (see core.forms.offer)."""
    qs = Area.objects.filter(level__in=levels)
    if area is not None:
        qs = qs.filter(subtree_q("path", area.path))
    return qs.order_by("path")


def area_queryset(scope: Scope) -> QuerySet[Area]:
    return Area.objects.filter(scope.areas_q())


RESIDENCE_LEVELS = [AreaLevel.COMPOUND, AreaLevel.BUILDING]
ANCHOR_LEVELS = [AreaLevel.CITY, AreaLevel.DISTRICT, AreaLevel.STREET, AreaLevel.COMMUNITY,
                 AreaLevel.COMPOUND]  # fmt: skip
