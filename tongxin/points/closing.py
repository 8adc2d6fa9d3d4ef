"""Standings: a member's score for the year (base + points), tier and rank in their
organization, computed for a set of members at once (the branch ranking, the member's own page,
the snapshot of a closed month)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Q

from tongxin.core.scope import subtree_q
from tongxin.members.models import Member
from tongxin.points.ledger import member_facts
from tongxin.points.models import MonthlyScore, RuleSetVersion, Tier
from tongxin.points.rules import RuleBook, load_rule_book
from tongxin.points.scores import CATEGORIES, year_totals


@dataclass
class Standing:
    member_id: int
    name: str
    org_id: int
    org_path: str
    base: Decimal
    earned: Decimal
    month: Decimal
    by_category: dict[str, Decimal]
    tier: str
    rank: int = 0
    size: int = 0
    version: RuleSetVersion | None = None

    @property
    def score(self) -> Decimal:
        return self.base + self.earned

    @property
    def tier_label(self) -> str:
        return str(Tier(self.tier).label)


def standings(members_q: Q, period: dt.date, *, book: RuleBook | None = None) -> list[Standing]:
    """Every member matching ``members_q`` (a Q on Member), with their year-to-``period``
    score, ranked within their organization (ties share a rank). Queries: the members, their
    facts (one per 500), the year totals, the month's points, and the rule book (three)."""
    book = book or load_rule_book()
    rows = list(Member.objects.filter(members_q).values_list("id", "name", "org_id", "org_path"))
    facts = member_facts(r[0] for r in rows)
    path_q = Q(member_id__in=[r[0] for r in rows]) if len(rows) <= 500 else Q()
    if not path_q:
        prefix = _common(r[3] for r in rows)
        path_q = subtree_q("member_org_path", prefix) if prefix else Q()
    totals = {t["member_id"]: t for t in year_totals(path_q, period.year, period)}
    month = dict(
        MonthlyScore.objects.filter(path_q, period=period).values_list("member_id", "total")
    )
    out: list[Standing] = []
    for pk, name, org_id, org_path in rows:
        f = facts.get(pk)
        rule_set, _exempt = book.choose(org_path, f.sector, f.kind) if f else (None, True)
        version = book.version_on(rule_set, period) if rule_set else None
        t: dict[str, Any] = totals.get(pk, {})
        earned = t.get("total") or Decimal(0)
        base = version.base_score if version else Decimal(0)
        out.append(
            Standing(
                member_id=pk,
                name=name,
                org_id=org_id,
                org_path=org_path,
                base=base,
                earned=earned,
                month=month.get(pk) or Decimal(0),
                by_category={c: t.get(c) or Decimal(0) for c in CATEGORIES},
                tier=version.tier_of(base + earned) if version else Tier.PASS,
                version=version,
            )
        )
    _rank(out)
    return out


def _common(paths: Any) -> str:
    paths = list(paths)
    if not paths:
        return ""
    lo, hi = min(paths), max(paths)
    n = 0
    while n < min(len(lo), len(hi)) and lo[n] == hi[n]:
        n += 1
    return lo[: n - n % 4]


def _rank(items: list[Standing]) -> None:
    by_org: dict[int, list[Standing]] = {}
    for s in items:
        by_org.setdefault(s.org_id, []).append(s)
    for group in by_org.values():
        group.sort(key=lambda s: (-s.score, s.name))
        previous: Decimal | None = None
        rank = 0
        for i, s in enumerate(group, 1):
            if s.score != previous:
                rank, previous = i, s.score
            s.rank, s.size = rank, len(group)
    items.sort(key=lambda s: (s.org_path, s.rank, s.name))


def snapshot_rows(org_path: str, period: dt.date) -> list[dict[str, Any]]:
    """The rows a closed month keeps for every member of the subtree."""
    return [
        {
            "member_id": s.member_id,
            "member_org_path": s.org_path,
            "period": period,
            "month_points": s.month,
            "year_score": s.score,
            "tier": s.tier,
            "branch_rank": s.rank,
            "branch_size": s.size,
        }
        for s in standings(subtree_q("org_path", org_path), period)
    ]
