"""Every read of organizations, filtered by a Scope."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import cast

from django.db.models import Case, Count, OuterRef, Q, QuerySet, Subquery, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.core.scope import Scope, subtree_q
from tongxin.geo.models import Area
from tongxin.geo.selectors import ANCHOR_LEVELS
from tongxin.orgs.hooks import member_reader
from tongxin.orgs.models import Leadership, LeadershipRole, Organization, OrgKind, Sector, Unit


def org_queryset(scope: Scope, perm: str = "orgs.view") -> QuerySet[Organization]:
    return Organization.objects.filter(scope.orgs_q(perm))


def get_org_for(scope: Scope, pk: object, perm: str = "orgs.view") -> Organization:
    try:
        return org_queryset(scope, perm).select_related("area", "unit").get(pk=int(str(pk)))
    except (Organization.DoesNotExist, ValueError):
        raise Http404(gettext("党组织不存在或不在您的管辖范围内。")) from None


def org_roots(scope: Scope, limit: int = 500) -> QuerySet[Organization]:
    """The first level of the tree browser: every organization in reach whose parent is not,
    from org grants and from area grants alike."""
    if scope.is_superuser:
        return Organization.objects.get_root_nodes()
    paths = set(scope.org_roots("orgs.view"))
    by_area = scope.orgs_by_area_q("orgs.view")
    if by_area is not None:
        anchored = list(
            Organization.objects.filter(by_area)
            .order_by("path")
            .values_list("path", flat=True)[:5000]
        )
        known = set(anchored)
        for p in anchored:
            parent = p[: -Organization.steplen]
            if parent and (parent in known or scope.reaches_org("orgs.view", parent)):
                continue
            paths.add(p)
    return Organization.objects.filter(path__in=sorted(paths)[:limit]).order_by("path")


def with_visible_children(scope: Scope, nodes: Iterable[Organization]) -> list[Organization]:
    """Set `has_children` on each node: whether the user reaches any of its children. Under a
    subtree grant that is the tree's own count; the other nodes (node or area grants) are
    checked together in one query, so the tree never hints at children out of reach."""
    nodes = list(nodes)
    unsure = []
    for n in nodes:
        n.has_children = n.numchild > 0
        if n.numchild and not scope.covers_org_subtree("orgs.view", n.path):
            unsure.append(n)
    if unsure:
        below = Q(pk__in=[])
        for n in unsure:
            below |= subtree_q("path", n.path) & Q(depth=n.depth + 1)
        step = Organization.steplen
        parents = {
            p[:-step] for p in org_queryset(scope).filter(below).values_list("path", flat=True)
        }
        for n in unsure:
            n.has_children = n.path in parents
    return nodes


def org_filter_choices(scope: Scope, limit: int = 200) -> list[tuple[Organization, bool]]:
    """The roster's 范围 choices: the user's top organizations and the level below each,
    in tree order, as (organization, is_child)."""
    roots = list(org_roots(scope)[:50])
    if not roots:
        return []
    below = Q(pk__in=[])
    for r in roots:
        below |= subtree_q("path", r.path) & Q(depth=r.depth + 1)
    children = list(org_queryset(scope).filter(below).order_by("path")[:limit])
    root_pks = {r.pk for r in roots}
    return [(o, o.pk not in root_pks) for o in sorted(roots + children, key=lambda o: o.path)]


def org_children(scope: Scope, parent: Organization) -> QuerySet[Organization]:
    return (
        org_queryset(scope)
        .filter(subtree_q("path", parent.path), depth=parent.depth + 1)
        .order_by("path")
    )


def org_search(scope: Scope, text: str, limit: int = 50) -> QuerySet[Organization]:
    return org_queryset(scope).filter(name__contains=text.strip()).order_by("depth", "path")[:limit]


def org_ancestors(scope: Scope, org: Organization) -> list[Organization]:
    """Breadcrumb: the ancestors the user may see."""
    steplen = Organization.steplen
    paths = [org.path[:i] for i in range(steplen, len(org.path), steplen)]
    return list(org_queryset(scope).filter(path__in=paths).order_by("depth"))


ROLE_ORDER = Case(
    When(role=LeadershipRole.SECRETARY, then=Value(0)),
    When(role=LeadershipRole.DEPUTY, then=Value(1)),
    default=Value(2),
)


def org_parent(scope: Scope, org: Organization, perm: str = "orgs.view") -> Organization | None:
    """The parent organization, or None when it is a root or out of the user's reach."""
    if org.depth <= 1:
        return None
    parent_path = org.path[: -Organization.steplen]
    return org_queryset(scope, perm).select_related("area").filter(path=parent_path).first()


def may_move(scope: Scope, org: Organization) -> bool:
    """Moving a subtree takes it away from its parent: the user must manage that parent
    (a top-level organization: superusers only)."""
    if scope.is_superuser:
        return True
    parent_path = org.path[: -Organization.steplen]
    # Organization grants only (no query): an area-anchored manager does not move subtrees.
    return bool(parent_path) and scope.reaches_org("orgs.manage", parent_path)


def org_leadership(scope: Scope, org: Organization) -> QuerySet[Leadership]:
    """Secretary first, then deputies, then committee members: those the user may see."""
    return (
        org.leaders.filter(scope.members_q("members.view", prefix="member__"))
        .select_related("member")
        .order_by(ROLE_ORDER, "id")
    )


@dataclass
class SubtreeStats:
    orgs: int
    members: int
    by_kind: dict[str, int]
    by_sector: dict[str, int]


def org_subtree_stats(
    scope: Scope, org: Organization, member_count: int | None = None
) -> SubtreeStats:
    """Counts for an organization's subtree; pass member_count when the caller has it."""
    orgs = org_queryset(scope).filter(subtree_q("path", org.path))
    by_kind = dict(orgs.order_by().values_list("kind").annotate(n=Count("id")))
    by_sector = dict(orgs.order_by().values_list("sector").annotate(n=Count("id")))
    return SubtreeStats(
        orgs=sum(by_kind.values()),
        members=(
            member_count
            if member_count is not None
            else member_reader().in_subtree(scope, org).count()
        ),
        by_kind={str(OrgKind(k).label): v for k, v in by_kind.items()},
        by_sector={str(Sector(k).label): v for k, v in by_sector.items()},
    )


def org_counts(scope: Scope) -> dict[str, dict[str, int]]:
    qs = org_queryset(scope).order_by()
    by_kind = dict(qs.values_list("kind").annotate(n=Count("id")))
    by_sector = dict(qs.values_list("sector").annotate(n=Count("id")))
    return {
        "by_kind": {str(k.label): by_kind.get(k.value, 0) for k in OrgKind},
        "by_sector": {str(s.label): by_sector.get(s.value, 0) for s in Sector},
    }


def territorial_anchors(scope: Scope, perm: str) -> list[tuple[str, str]]:
    """(org path, area path) of the territorial committees the user holds with a subtree
    grant: a city or district committee or a street working committee, anchored at the
    city, district or street level and hosted by no unit. Units located in such an area are
    theirs to register, even before a Party organization is set up there."""
    if "territorial" not in scope.memo:  # one query per request, for every permission
        paths = {
            g.path
            for grants in scope.grants.values()
            for g in grants
            if g.kind == "org" and g.subtree
        }
        scope.memo["territorial"] = (
            dict(
                Organization.objects.filter(
                    path__in=sorted(paths),
                    kind__in=[OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE],
                    unit__isnull=True,
                    area__level__in=["city", "district", "street"],
                ).values_list("path", "area__path")
            )
            if paths
            else {}
        )
    territorial = cast(dict[str, str], scope.memo["territorial"])
    return [
        (g.path, territorial[g.path])
        for g in scope.grants.get(perm, [])
        if g.kind == "org" and g.subtree and g.path in territorial
    ]


def unit_queryset(scope: Scope, perm: str = "orgs.view") -> QuerySet[Unit]:
    """Units hosting an organization the user reaches, and units located in the area of a
    territorial committee the user holds. For managing, a unit that also hosts an
    organization out of the user's reach is excluded: it is not theirs alone to change."""
    if scope.is_superuser:
        return Unit.objects.all()
    reach = Q(pk__in=Unit.objects.filter(orgs__in=org_queryset(scope, perm)).values("pk"))
    for _org_path, area_path in territorial_anchors(scope, perm):
        reach |= subtree_q("area__path", area_path)
    qs = Unit.objects.filter(reach)
    if perm != "orgs.view":
        qs = qs.exclude(
            pk__in=Unit.objects.filter(
                orgs__in=Organization.objects.exclude(scope.orgs_q(perm))
            ).values("pk")
        )
    return qs


def get_unit_for(scope: Scope, pk: object, perm: str = "orgs.view") -> Unit:
    try:
        return unit_queryset(scope, perm).select_related("area").get(pk=int(str(pk)))
    except (Unit.DoesNotExist, ValueError):
        raise Http404(gettext("单位不存在或不在您的管辖范围内。")) from None


def unit_list(scope: Scope, text: str = "") -> QuerySet[Unit]:
    qs = unit_queryset(scope).select_related("area")
    if text.strip():
        qs = qs.filter(name__contains=text.strip())
    return qs.order_by("name", "id")


def unit_area_choices(scope: Scope) -> QuerySet[Area]:
    """Where a user may place a unit: in the areas of the territorial committees they
    manage (none for others, who then cannot register units)."""

    if scope.is_superuser:
        return Area.objects.filter(level__in=ANCHOR_LEVELS).order_by("path")
    reach = Q(pk__in=[])
    for _org_path, area_path in territorial_anchors(scope, "orgs.manage"):
        reach |= subtree_q("path", area_path)
    return Area.objects.filter(reach, level__in=ANCHOR_LEVELS).order_by("path")


def unit_audit_path(scope: Scope) -> str:
    """Where unit changes are filed in the audit log: under the user's territorial committee."""
    anchors = territorial_anchors(scope, "orgs.manage")
    return anchors[0][0] if anchors else ""


def units_for_choice(scope: Scope) -> QuerySet[Unit]:
    return unit_queryset(scope).order_by("name")


def move_candidates(scope: Scope, org: Organization, limit: int = 300) -> list[Organization]:
    """Possible new parents near the organization: under its grandparent (or its parent)."""
    steplen = Organization.steplen
    base = org.path[: max(steplen, len(org.path) - 2 * steplen)]
    return list(
        org_queryset(scope, "orgs.manage")
        .filter(subtree_q("path", base))
        .exclude(kind=OrgKind.GROUP)
        .exclude(subtree_q("path", org.path))
        .order_by("path")[:limit]
    )


@dataclass
class SecretaryStats:
    """Seed 001 reports these for its secretaries: 一肩挑 99%, 7.5 years younger, 60.6% 大专+.
    Below MIN_GROUP people nothing but the count is shown: the figures would describe one
    person's age and education."""

    secretaries: int
    dual_role: int
    average_age: float | None
    college_or_above: int

    MIN_GROUP = 5

    @property
    def shown(self) -> bool:
        return self.secretaries >= self.MIN_GROUP

    def share(self, n: int) -> float | None:
        return round(100 * n / self.secretaries, 1) if self.shown else None

    @property
    def dual_role_pct(self) -> float | None:
        return self.share(self.dual_role)

    @property
    def college_pct(self) -> float | None:
        return self.share(self.college_or_above)

    @property
    def age(self) -> float | None:
        return self.average_age if self.shown else None


def secretary_stats(scope: Scope, today: dt.date | None = None) -> SecretaryStats:
    """The current secretaries (the latest seat of each organization in reach, also when its
    term has run out and 换届 is due) whom the user may see as members, counted as people."""
    college_or_above = member_reader().college_or_above
    today = today or timezone.localdate()
    latest = (
        Leadership.objects.filter(
            org=OuterRef("org"), role=LeadershipRole.SECRETARY, term_start__lte=today
        )
        .order_by("-term_start", "-id")
        .values("id")[:1]
    )
    rows = (
        Leadership.objects.filter(
            scope.orgs_q("orgs.view", prefix="org__"),
            scope.members_q("members.view", prefix="member__"),
            role=LeadershipRole.SECRETARY,
            id=Subquery(latest),
        )
        .order_by()
        .values_list("member_id", "holds_dual_role", "member__education", "member__birth_date")
    )
    people: dict[int, tuple[bool, str, dt.date]] = {}
    for member_id, dual, education, birth in rows:
        seen = people.get(member_id)
        people[member_id] = (dual or (seen[0] if seen else False), education, birth)
    n = len(people)
    ages = [(today - birth).days / 365.2425 for _dual, _edu, birth in people.values()]
    return SecretaryStats(
        secretaries=n,
        dual_role=sum(1 for dual, _e, _b in people.values() if dual),
        average_age=round(sum(ages) / n, 1) if n else None,
        college_or_above=sum(1 for _d, edu, _b in people.values() if edu in college_or_above),
    )


def dashboard_org_figures(request: object, scope: Scope) -> dict[str, object]:
    """The 工作台's organization figures: counts by kind and sector, and the secretaries."""
    orgs = org_counts(scope)
    return {
        "orgs": orgs,
        "org_total": sum(orgs["by_kind"].values()),
        "secretaries": secretary_stats(scope),
    }
