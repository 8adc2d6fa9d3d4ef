"""Writing the points ledger, set-based: a batch of events (activities from every registered
source, or approved awards) becomes ledger entries in one bulk insert, with each member's rule
set and version, the cap applied against what the member already holds in the cap's period,
and the month it counts for (a closed month's late event goes to the open month, naming the
month it belongs to). The unique source key makes a second run a no-op."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery, Sum
from django.utils.translation import gettext

from tongxin.core.months import add_months, month_start
from tongxin.core.numbers import figure
from tongxin.core.scope import STEPLEN
from tongxin.dues.models import DuesBase, DuesCategory
from tongxin.members.models import Member
from tongxin.points.models import PeriodClose, PointEntry, Rule
from tongxin.points.rules import TENTH, RuleBook, load_rule_book, member_kind

CHUNK = 500


@dataclass
class Event:
    """What the ledger is asked to record: an activity, or an approved award (``rule`` set)."""

    key: str
    member_id: int
    kind: str
    on: dt.date
    quantity: float = 1.0
    note: str = ""
    rule: Rule | None = None
    awarded_by_id: int | None = None
    approved_by_id: int | None = None
    evidence: str = ""
    evidence_type: str = ""


@dataclass
class MemberFacts:
    org_path: str
    sector: str
    kind: str


@dataclass
class Outcome:
    entries: list[PointEntry] = field(default_factory=list)
    skipped: int = 0  # no rule for the kind, or the member is exempt
    known: int = 0  # already in the ledger


def member_facts(ids: Iterable[int]) -> dict[int, MemberFacts]:
    """Organization path, sector and kind of each member: one query per 500 members."""
    latest_category = Subquery(
        DuesBase.objects.filter(member=OuterRef("pk"))
        .order_by("-effective_from")
        .values("category")[:1]
    )
    out: dict[int, MemberFacts] = {}
    ids = sorted(set(ids))
    for i in range(0, len(ids), CHUNK):
        rows = (
            Member.objects.filter(pk__in=ids[i : i + CHUNK])
            .annotate(dues_category=latest_category)
            .values_list("id", "org_path", "org__sector", "is_floating", "dues_category")
        )
        for pk, path, sector, floating, category in rows:
            kind = member_kind(is_floating=floating, retired=category == DuesCategory.RETIRED)
            out[pk] = MemberFacts(path, sector, kind)
    return out


class ClosedMonths:
    """The months closed above each organization (PeriodClose rows, read once)."""

    def __init__(self, since: dt.date) -> None:
        self.at: dict[str, set[dt.date]] = {}
        for path, period in PeriodClose.objects.filter(period__gte=since).values_list(
            "org_path", "period"
        ):
            self.at.setdefault(path, set()).add(period)
        self.memo: dict[str, set[dt.date]] = {}

    def of(self, org_path: str) -> set[dt.date]:
        got = self.memo.get(org_path)
        if got is None:
            got = set()
            for n in range(STEPLEN, len(org_path) + 1, STEPLEN):
                got |= self.at.get(org_path[:n], set())
            self.memo[org_path] = got
        return got

    def open_period(self, org_path: str, month: dt.date) -> dt.date:
        closed = self.of(org_path)
        while month in closed:
            month = add_months(month, 1)
        return month


def quantize(value: Decimal) -> Decimal:
    return value.quantize(TENTH)


def _used(pairs: set[tuple[int, str, str]]) -> dict[tuple[int, str, str], Decimal]:
    """What each member already holds per (rule code, cap window): one grouped query per 500
    members."""
    out: dict[tuple[int, str, str], Decimal] = {}
    members = sorted({m for m, _c, _w in pairs})
    windows = sorted({w for _m, _c, w in pairs})
    for i in range(0, len(members), CHUNK):
        rows = (
            PointEntry.objects.filter(member_id__in=members[i : i + CHUNK], cap_window__in=windows)
            .values_list("member_id", "rule__code", "cap_window")
            .annotate(s=Sum("granted"))
        )
        for member_id, code, window, s in rows:
            out[(member_id, code, window)] = s or Decimal(0)
    return out


def cap_note(rule: Rule, window: str, used: Decimal, granted: Decimal) -> str:
    return gettext(
        "“%(label)s”%(window)s上限%(cap)s分，此前已计%(used)s分，本次按%(granted)s分计入。"
    ) % {
        "label": rule.label,
        "window": window,
        "cap": figure(abs(rule.cap or 0)),
        "used": figure(abs(used)),
        "granted": figure(granted),
    }


def prepare(events: Iterable[Event], *, book: RuleBook | None = None) -> Outcome:
    """Entries for the events not yet in the ledger (not saved)."""
    outcome = Outcome()
    batch: dict[str, Event] = {}
    for e in events:
        batch.setdefault(e.key, e)
    if not batch:
        return outcome
    keys = list(batch)
    known: set[str] = set()
    for i in range(0, len(keys), CHUNK):
        known.update(
            PointEntry.objects.filter(source_key__in=keys[i : i + CHUNK]).values_list(
                "source_key", flat=True
            )
        )
    outcome.known = len(known)
    todo = sorted((e for k, e in batch.items() if k not in known), key=lambda e: (e.on, e.key))
    if not todo:
        return outcome
    book = book or load_rule_book()
    facts = member_facts(e.member_id for e in todo)
    closed = ClosedMonths(month_start(min(e.on for e in todo)))
    planned: list[tuple[Event, MemberFacts, Rule, str]] = []
    for e in todo:
        f = facts.get(e.member_id)
        if f is None:
            outcome.skipped += 1
            continue
        rule = e.rule
        if rule is None:
            rule_set, exempt = book.choose(f.org_path, f.sector, f.kind)
            version = book.version_on(rule_set, e.on) if rule_set and not exempt else None
            rule = book.rule_for(version, e.kind) if version else None
        if rule is None:
            outcome.skipped += 1
            continue
        planned.append((e, f, rule, rule.window(e.on)))
    used = _used({(e.member_id, r.code, w) for e, _f, r, w in planned if r.cap is not None})
    for e, f, rule, window in planned:
        requested = quantize(rule.points * Decimal(str(e.quantity)))
        granted, note = requested, ""
        if rule.cap is not None and requested * rule.points > 0:
            # A cap bounds the size of the period's total in the rule's direction (a deduction
            # cap is negative: no more than 10 points taken in a year).
            k = (e.member_id, rule.code, window)
            held = used.get(k, Decimal(0))
            room = (
                max(abs(rule.cap) - abs(held), Decimal(0))
                if held * rule.cap >= 0
                else abs(rule.cap)
            )
            if abs(requested) > room:
                granted = room if requested > 0 else -room
                note = cap_note(rule, window, held, granted)
            used[k] = held + granted
        month = month_start(e.on)
        period = closed.open_period(f.org_path, month)
        outcome.entries.append(
            PointEntry(
                member_id=e.member_id,
                member_org_path=f.org_path,
                rule=rule,
                version_id=rule.version_id,
                category=rule.category,
                kind=e.kind,
                on=e.on,
                period=period,
                late_for=month if period != month else None,
                requested=requested,
                granted=granted,
                cap_window=window,
                cap_note=note,
                source_key=e.key[:120],
                source_note=e.note[:200],
                evidence=e.evidence,
                evidence_type=e.evidence_type,
                awarded_by_id=e.awarded_by_id,
                approved_by_id=e.approved_by_id,
            )
        )
    return outcome


def write(events: Iterable[Event]) -> Outcome:
    """Prepare and insert in one bulk insert (a key written meanwhile by another run is left
    to the unique constraint: ``ignore_conflicts``)."""
    outcome = prepare(events)
    PointEntry.objects.bulk_create(outcome.entries, batch_size=1000, ignore_conflicts=True)
    return outcome
