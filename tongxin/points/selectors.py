"""锋领指数: every read, through the reader's scope (``members.view`` for reading a member's
points, ``members.manage`` for the approvals queue); one object outside reach is a 404."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.core.numbers import figure
from tongxin.core.scope import Scope, subtree_q
from tongxin.members.models import Member
from tongxin.orgs.models import Organization
from tongxin.points.closing import Standing, standings
from tongxin.points.models import (
    MANUAL,
    AwardState,
    BallotCast,
    Category,
    ManualAward,
    MemberReview,
    MonthlyScore,
    PeriodClose,
    PointEntry,
    ReviewGrade,
    ReviewState,
    Rule,
    RuleSet,
    ScoreSnapshot,
    SelfAssessment,
    Tier,
)
from tongxin.points.rules import load_rule_book
from tongxin.points.scores import today_month

VIEW = "members.view"
MANAGE = "members.manage"


def entry_queryset(scope: Scope, perm: str = VIEW) -> QuerySet[PointEntry]:
    return PointEntry.objects.filter(scope.members_q(perm, prefix="member__"))


def member_entries(member: Member, year: int) -> QuerySet[PointEntry]:
    """A member's ledger for a year (the caller has fetched the member through its scope, or it
    is the reader's own): with the rule and the reversed entry, newest first."""
    return (
        PointEntry.objects.filter(member=member, period__year=year)
        .select_related("rule", "reverses")
        .order_by("-period", "-on", "-id")
    )


def award_queryset(scope: Scope, perm: str = MANAGE) -> QuerySet[ManualAward]:
    return ManualAward.objects.filter(scope.members_q(perm, prefix="member__"))


def get_award_for(scope: Scope, pk: object, perm: str = MANAGE) -> ManualAward:
    try:
        return award_queryset(scope, perm).select_related("member", "rule").get(pk=int(str(pk)))
    except (ManualAward.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("申报不存在或不在您的管辖范围内。")) from None


def get_award_for_reader(scope: Scope, own_member_id: int | None, pk: object) -> ManualAward:
    """An award the reader manages or their own claim (its evidence): else 404."""
    qs = ManualAward.objects.all()
    if not scope.is_superuser:
        q = scope.members_q(MANAGE, prefix="member__")
        if own_member_id is not None:
            q |= Q(member_id=own_member_id)
        qs = qs.filter(q)
    try:
        return qs.get(pk=int(str(pk)))
    except (ManualAward.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("申报不存在或不在您的管辖范围内。")) from None


def get_entry_for(scope: Scope, pk: object, perm: str = MANAGE) -> PointEntry:
    try:
        return entry_queryset(scope, perm).select_related("rule").get(pk=int(str(pk)))
    except (PointEntry.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("积分记录不存在或不在您的管辖范围内。")) from None


def pending_awards(scope: Scope) -> QuerySet[ManualAward]:
    """The approvals queue: pending proposals and claims of members the reader manages."""
    return (
        award_queryset(scope)
        .filter(state=AwardState.PENDING)
        .select_related("member", "member__org", "rule", "proposed_by")
        .order_by("created_at", "id")
    )


def own_awards(member: Member) -> QuerySet[ManualAward]:
    return (
        ManualAward.objects.filter(member=member)
        .select_related("rule")
        .order_by("-created_at")[:20]
    )


def manual_rules_for(member: Member, on: dt.date | None = None) -> list[Rule]:
    """The rules a member may be awarded by hand, from the version that governs them."""
    # One member's facts and the rule book: four queries.
    from tongxin.points.ledger import member_facts

    on = on or timezone.localdate()
    book = load_rule_book()
    f = member_facts([member.pk]).get(member.pk)
    if f is None:
        return []
    rule_set, _exempt = book.choose(f.org_path, f.sector, f.kind)
    version = book.version_on(rule_set, on) if rule_set else None
    return [r for r in book.rules.get(version.pk, []) if r.kind == MANUAL] if version else []


@dataclass
class MyPoints:
    """The member's own page: score, breakdown, rank, what is open this month."""

    standing: Standing
    year: int
    month: dt.date
    categories: list[tuple[str, Decimal]]
    pending: int
    this_month_entries: int
    closed: ScoreSnapshot | None
    open_items: list[str] = field(default_factory=list)


def my_points(member: Member, month: dt.date | None = None) -> MyPoints:
    """Constant queries: the branch's standings (members, facts, totals, month, the rule
    book), the pending claims, this month's entry count, the latest snapshot."""
    month = month or today_month()
    book = load_rule_book()
    rows = standings(Q(org_id=member.org_id), month, book=book)
    mine = next(s for s in rows if s.member_id == member.pk)
    pending = ManualAward.objects.filter(member=member, state=AwardState.PENDING).count()
    n = PointEntry.objects.filter(member=member, period=month).count()
    closed = ScoreSnapshot.objects.filter(member=member).order_by("-period").first()
    cats = [
        (str(label), mine.by_category.get(value, Decimal(0))) for value, label in Category.choices
    ]
    open_items = []
    if mine.version is not None:
        # What can still be earned: each capped addition's room left in its period (one
        # grouped query over the member's entries of the year).
        held = dict(
            PointEntry.objects.filter(
                member=member,
                period__gte=month.replace(month=1),
                cap_window__in=[f"{month:%Y}", f"{month:%Y-%m}"],
            )
            .order_by()
            .values_list("rule__code")
            .annotate(s=Sum("granted"))
        )
        for r in book.rules.get(mine.version.pk, []):
            if r.cap is None or r.points <= 0:
                continue
            room = r.cap - (held.get(r.code) or Decimal(0))
            if room > 0:
                open_items.append(
                    gettext("%(label)s还可得%(room)s分") % {"label": r.label, "room": figure(room)}
                )
    return MyPoints(mine, month.year, month, cats, pending, n, closed, open_items)


def branch_ranking(org: Organization, month: dt.date) -> list[Standing]:
    """Every member of the organization itself, ranked (fixed number of queries)."""
    return [s for s in standings(Q(org_id=org.pk), month) if s.org_id == org.pk]


def subtree_ranking(scope: Scope, org: Organization, year: int) -> QuerySet[Any]:
    """Members of a subtree by the year's points (those with any), highest first: one grouped
    query (paginated by the caller)."""
    q = subtree_q("member_org_path", org.path)
    if not scope.covers_org_subtree(VIEW, org.path):
        q &= scope.members_q(VIEW, prefix="member__")
    return (
        MonthlyScore.objects.filter(q, period__year=year)
        .values("member_id", "member__name", "member__org__name")
        .annotate(points=Sum("total"))
        .order_by("-points", "member_id")
    )


def tier_lists(scope: Scope, org: Organization, month: dt.date) -> dict[str, list[ScoreSnapshot]]:
    """红榜 and 警示 of a closed month in the subtree (empty when not closed)."""
    q = subtree_q("member_org_path", org.path) & Q(period=month, tier__in=[Tier.RED, Tier.WARN])
    rows = (
        ScoreSnapshot.objects.filter(q)
        .filter(scope.members_q(VIEW, prefix="member__"))
        .select_related("member", "member__org")
        .order_by("-year_score", "member_id")[:400]
    )
    out: dict[str, list[ScoreSnapshot]] = {Tier.RED: [], Tier.WARN: []}
    for s in rows:
        out[s.tier].append(s)
    return out


def month_closed(org: Organization, month: dt.date) -> PeriodClose | None:
    ancestors = [org.path[:n] for n in range(4, len(org.path) + 1, 4)]
    return PeriodClose.objects.filter(org_path__in=ancestors, period=month).first()


def rule_sets(scope: Scope) -> list[tuple[RuleSet, list[tuple[Any, list[Rule]]]]]:
    """The default rule sets and the subtree ones the reader's organizations stand in or
    above, with their versions and rules (three queries)."""
    sets = list(RuleSet.objects.order_by("org_path", "domain", "id"))
    book = load_rule_book()
    out = []
    for s in sets:
        if s.org_path and not (
            scope.is_superuser
            or any(
                g.path.startswith(s.org_path) or s.org_path.startswith(g.path)
                for g in scope.grants.get(VIEW, [])
                if g.kind == "org"
            )
        ):
            continue
        versions = book.versions.get(s.pk, [])
        out.append((s, [(v, book.rules.get(v.pk, [])) for v in versions]))
    return out


def panel_counts(scope: Scope) -> dict[str, Any]:
    """The 工作台 card: pending approvals and this year's points in reach (two queries)."""
    month = today_month()
    pending = award_queryset(scope).filter(state=AwardState.PENDING).count()
    total = MonthlyScore.objects.filter(
        scope.members_q(VIEW, prefix="member__"), period__year=month.year
    ).aggregate(s=Sum("total"))["s"]
    return {"pending": pending, "points": total or Decimal(0), "year": month.year}


# --- 民主评议党员 ---


def review_queryset(scope: Scope, perm: str = VIEW) -> QuerySet[MemberReview]:
    return MemberReview.objects.filter(scope.org_grants_q(perm, "org_path"))


def get_review_for(scope: Scope, pk: object, perm: str = VIEW) -> MemberReview:
    try:
        return review_queryset(scope, perm).select_related("org").get(pk=int(str(pk)))
    except (MemberReview.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("民主评议不存在或不在您的管辖范围内。")) from None


def own_review(member: Member) -> MemberReview | None:
    """The open review of the member's own branch (None when there is none)."""
    return (
        MemberReview.objects.filter(org_id=member.org_id, state=ReviewState.OPEN)
        .select_related("org")
        .order_by("-year")
        .first()
    )


def get_own_review_for(member: Member | None, pk: object) -> MemberReview:
    """A review of the member's own branch, whatever its state (the services refuse what is
    closed); any other review, or none, is a 404."""
    try:
        pk_ = int(str(pk))
        if member is None:
            raise MemberReview.DoesNotExist
        return MemberReview.objects.select_related("org").get(pk=pk_, org_id=member.org_id)
    except (MemberReview.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("民主评议不存在或不在您的管辖范围内。")) from None


@dataclass
class ReviewRow:
    member: Member
    self_text: str
    tally: dict[str, int]
    grade: ReviewGrade | None
    # The year's 锋领指数: recorded with the proposal, and until then the standing as it is
    # now, so that the committee proposes with the evidence in front of it.
    points: Decimal | None = None


def review_points_until(review: MemberReview) -> dt.date:
    """The month up to which the review's points year counts: December, or this month while
    the year runs."""
    return min(dt.date(review.year, 12, 1), timezone.localdate().replace(day=1))


def review_rows(review: MemberReview) -> list[ReviewRow]:
    """Every member of the branch with their self-assessment, the ballots' tally per grade,
    the proposed/final grade and the year's points (four queries, and the standings while no
    proposal has recorded them)."""
    members = list(Member.objects.filter(org_id=review.org_id).order_by("id"))
    selves = dict(review.selves.values_list("member_id", "text"))
    tally: dict[int, dict[str, int]] = {}
    for member_id, grade, count in review.tallies.values_list("member_id", "grade", "count"):
        tally.setdefault(member_id, {})[grade] = count
    grades = {g.member_id: g for g in review.grades.all()}
    live: dict[int, Decimal] = {}
    if members and any(m.pk not in grades for m in members):
        live = {
            s.member_id: s.score
            for s in standings(Q(org_id=review.org_id), review_points_until(review))
        }
    return [
        ReviewRow(
            m,
            selves.get(m.pk, ""),
            tally.get(m.pk, {}),
            grades.get(m.pk),
            grades[m.pk].points_score if m.pk in grades else live.get(m.pk),
        )
        for m in members
    ]


def review_votes(review: MemberReview) -> int:
    return review.casts.count()


def has_voted(review: MemberReview, member: Member) -> bool:
    return BallotCast.objects.filter(review=review, voter=member).exists()


def has_assessed(review: MemberReview, member: Member) -> bool:
    return SelfAssessment.objects.filter(review=review, member=member).exists()
