"""党费 figures read by the evaluation modules (千分制): per organization subtree, the members
with a dues base and those of them who paid for no month of a period. One GROUP BY query per
distinct path length, whatever the number of organizations. The callers decide who may see
them (the figures hold counts, never a member)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Substr

from tongxin.dues.models import DuesBase, DuesPayment
from tongxin.members.models import Member


@dataclass(frozen=True)
class ArrearsFigures:
    liable: int  # members with a dues base in effect from the period's first month
    owing: int  # of those, members with no payment for any month of the period

    @property
    def owing_pct(self) -> int | None:
        return round(100 * self.owing / self.liable) if self.liable else None


def arrears_figures(
    org_paths: list[str], first: dt.date, last: dt.date
) -> dict[str, ArrearsFigures]:
    """Per organization subtree (by the members' org_path), over the months ``first`` ..
    ``last`` (first days of months): members liable for dues and members who paid for none of
    those months (a reversed payment does not count)."""
    base = DuesBase.objects.filter(member=OuterRef("pk"), effective_from__lte=first)
    paid = DuesPayment.objects.filter(
        member=OuterRef("pk"), month__gte=first, month__lte=last, reversal__isnull=True
    )
    out: dict[str, ArrearsFigures] = {}
    by_len: dict[int, list[str]] = {}
    for p in org_paths:
        by_len.setdefault(len(p), []).append(p)
    for n, paths in by_len.items():
        rows = (
            Member.objects.filter(Exists(base))
            .annotate(p=Substr("org_path", 1, n), paid=Exists(paid))
            .filter(p__in=paths)
            .order_by()
            .values("p")
            .annotate(liable=Count("id"), owing=Count("id", filter=Q(paid=False)))
            .values_list("p", "liable", "owing")
        )
        for p, liable, owing in rows:
            out[p] = ArrearsFigures(liable, owing)
    return {p: out.get(p, ArrearsFigures(0, 0)) for p in org_paths}
