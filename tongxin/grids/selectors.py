"""Every read of grids, filtered by a Scope.

A grid is reached (DESIGN §3.1, §4.3) through its community: an area grant on it, or a
territorial committee (city, district, street) the user holds with a subtree grant whose area
contains it; or through its serving branch: an organization grant on the branch's path.
Viewing counts geo.view and grids.manage on areas, orgs.view and grids.manage on organizations;
managing counts grids.manage only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, NullIf
from django.http import Http404
from django.utils.translation import gettext

from tongxin.accounts.models import RoleAssignment, User
from tongxin.core.scope import NOTHING, Scope, subtree_q
from tongxin.geo.models import Area, AreaLevel
from tongxin.grids.models import Grid, GridMembership, GridWorker
from tongxin.members.models import Member
from tongxin.members.selectors import get_member_for as members_get
from tongxin.orgs.models import Organization, OrgKind, Unit
from tongxin.orgs.selectors import org_queryset, territorial_anchors, unit_queryset

VIEW = "view"
MANAGE = "grids.manage"


def _perms(perm: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(permissions whose area grants count, permissions whose org grants count)."""
    if perm == MANAGE:
        return (MANAGE,), (MANAGE,)
    return ("geo.view", MANAGE), ("orgs.view", MANAGE)


def community_reach_q(scope: Scope, perm: str, field: str) -> Q:
    """Areas (a path field) reached by area grants and territorial committees."""
    if scope.is_superuser:
        return Q()
    area_perms, _org_perms = _perms(perm)
    out = NOTHING
    for p in area_perms:
        for g in scope.grants.get(p, []):
            if g.kind == "area":
                out |= g.q(field)
        for _org_path, area_path in territorial_anchors(scope, p):
            out |= subtree_q(field, area_path)
    return out


def grid_reach_q(scope: Scope, perm: str = VIEW, prefix: str = "") -> Q:
    if scope.is_superuser:
        return Q()
    _area_perms, org_perms = _perms(perm)
    out = community_reach_q(scope, perm, f"{prefix}community__path")
    for p in org_perms:
        for g in scope.grants.get(p, []):
            if g.kind == "org":
                out |= g.q(f"{prefix}serving_branch__path")
    return out


def grid_queryset(scope: Scope, perm: str = VIEW) -> QuerySet[Grid]:
    return Grid.objects.filter(grid_reach_q(scope, perm))


def get_grid_for(scope: Scope, pk: object, perm: str = VIEW) -> Grid:
    try:
        return (
            grid_queryset(scope, perm)
            .select_related("community", "serving_branch", "instructor")
            .get(pk=int(str(pk)))
        )
    except (Grid.DoesNotExist, ValueError):
        raise Http404(gettext("网格不存在或不在您的管辖范围内。")) from None


def may_manage(scope: Scope, grid: Grid) -> bool:
    return grid_queryset(scope, MANAGE).filter(pk=grid.pk).exists()


@dataclass
class GridFilters:
    community: Area | None = None
    text: str = ""
    no_instructor: bool = False


def _member_count() -> Subquery:
    return Subquery(
        GridMembership.objects.filter(grid=OuterRef("pk"))
        .order_by()
        .values("grid")
        .annotate(n=Count("id"))
        .values("n")[:1],
        output_field=IntegerField(),
    )


GRID_COLUMNS = (
    "id",
    "name",
    "code",
    "community__name",
    "serving_branch__name",
    "serving_branch__establishment",
    "instructor__name",
)


def grid_list(scope: Scope, filters: GridFilters | None = None) -> QuerySet[Grid]:
    """One query for a page of rows: community, branch and instructor joined, the member
    count as a subquery (run for the page's rows only)."""
    f = filters or GridFilters()
    qs = grid_queryset(scope)
    if f.community is not None:
        qs = qs.filter(community=f.community)
    if f.text.strip():
        t = f.text.strip()
        qs = qs.filter(Q(name__contains=t) | Q(code=t))
    if f.no_instructor:
        qs = qs.filter(instructor__isnull=True)
    return (
        qs.select_related("community", "serving_branch", "instructor")
        .only(*GRID_COLUMNS)
        .annotate(member_count=Coalesce(_member_count(), 0))
        .order_by("community__path", "code", "id")
    )


def community_choices(scope: Scope, perm: str = VIEW) -> QuerySet[Area]:
    """Communities where the user may see (or, with grids.manage, create) grids."""
    return Area.objects.filter(
        community_reach_q(scope, perm, "path"), level=AreaLevel.COMMUNITY
    ).order_by("path")


def get_community_for(scope: Scope, pk: object, perm: str = MANAGE) -> Area:
    try:
        return community_choices(scope, perm).get(pk=int(str(pk)))
    except (Area.DoesNotExist, ValueError):
        raise Http404(gettext("社区不存在或不在您的管辖范围内。")) from None


def compound_choices(community: Area) -> QuerySet[Area]:
    return Area.objects.filter(
        subtree_q("path", community.path), level=AreaLevel.COMPOUND
    ).order_by("path")


def branch_choices(scope: Scope, community: Area) -> QuerySet[Organization]:
    """Branches the user sees, anchored in the community's street (where a serving branch
    normally is); any branch in reach validates."""
    street_path = community.path[: -Area.steplen] or community.path

    return (
        org_queryset(scope)
        .filter(kind=OrgKind.BRANCH)
        .filter(subtree_q("area__path", street_path))
        .order_by("path")
    )


def community_in_reach(scope: Scope, pk: object) -> Area | None:
    """An area where the user may create grids (any level: the service says when it is not a
    community), or None when it does not exist or lies out of reach."""
    try:
        return Area.objects.filter(community_reach_q(scope, MANAGE, "path")).get(pk=int(str(pk)))
    except (Area.DoesNotExist, ValueError, TypeError):
        return None


def branch_in_reach(
    scope: Scope, pk: object, current: Organization | None = None
) -> Organization | None:
    """A branch the user sees (or the grid's current serving branch), else None."""

    if current is not None and str(pk) == str(current.pk):
        return current
    try:
        return org_queryset(scope).filter(kind=OrgKind.BRANCH).get(pk=int(str(pk)))
    except (Organization.DoesNotExist, ValueError, TypeError):
        return None


def get_branch_for(scope: Scope, pk: object) -> Organization:
    try:
        return org_queryset(scope).filter(kind=OrgKind.BRANCH).get(pk=int(str(pk)))
    except (Organization.DoesNotExist, ValueError):
        raise Http404(gettext("党支部不存在或不在您的管辖范围内。")) from None


def grid_compounds(grid: Grid) -> QuerySet[Area]:
    return grid.compounds.order_by("path")


def grid_units(grid: Grid) -> QuerySet[Unit]:
    return grid.units.order_by("name", "id")


def unit_choices(scope: Scope, community: Area, grid: Grid | None = None) -> QuerySet[Unit]:
    """Units a grid of the community may cover (单位网格): units the user reaches that lie in
    the community's street, or above it (a district's institution); plus those the grid
    covers already, which stay valid."""

    street_path = community.path[: -Area.steplen] or community.path
    above = [community.path[:i] for i in range(Area.steplen, len(street_path), Area.steplen)]
    qs = unit_queryset(scope).filter(subtree_q("area__path", street_path) | Q(area__path__in=above))
    if grid is not None and grid.pk:
        qs = qs | Unit.objects.filter(pk__in=grid.units.values("pk"))
    return qs.order_by("name", "id")


def grid_workers(scope: Scope, grid: Grid) -> QuerySet[GridWorker]:
    return grid.workers.select_related("user", "member").order_by("role", "id")


MEMBER_COLUMNS = (
    "id",
    "name",
    "status",
    "phone_masked",
    "org_path",
    "org__name",
    "residence__name",
)


def grid_members(scope: Scope, grid: Grid) -> QuerySet[Member]:
    """The grid's members the user may see as members (masked data only)."""
    return (
        Member.objects.filter(grid_membership__grid=grid)
        .filter(scope.members_q("members.view"))
        .select_related("org", "residence")
        .only(*MEMBER_COLUMNS)
        .order_by("org_path", "id")
    )


def _in_compounds_q(grid: Grid, field: str = "residence__path") -> Q:
    out = NOTHING
    for path in grid.compounds.values_list("path", flat=True):
        out |= subtree_q(field, path)
    return out


def member_candidates(scope: Scope, grid: Grid) -> QuerySet[Member]:
    """Whom the forms offer for a grid (instructor, a member to move in): members the user
    sees who live in the grid's compounds, work in its units or belong to its serving
    branch."""
    return (
        Member.objects.filter(scope.members_q("members.view"))
        .filter(
            _in_compounds_q(grid)
            | Q(work_unit__in=grid.units.values("pk"))
            | Q(org=grid.serving_branch_id)
        )
        .order_by("name", "id")
    )


def _users_in_reach_q(scope: Scope) -> Q:
    """Accounts the user reaches as a grid manager: those holding a role at an organization
    or area the user manages grids in, and those of members the user sees."""

    if scope.is_superuser:
        return Q()
    anchored = RoleAssignment.objects.filter(user=OuterRef("pk"), active=True).filter(
        (Q(org__isnull=False) & scope.orgs_q(MANAGE, "org__"))
        | (Q(area__isnull=False) & community_reach_q(scope, MANAGE, "area__path"))
    )
    return Q(Exists(anchored)) | (
        Q(member__isnull=False) & scope.members_q("members.view", "member__")
    )


def worker_user_choices(scope: Scope, grid: Grid) -> QuerySet[Any]:
    """The accounts the worker form offers (网格员 are accounts): active accounts in reach,
    those near the grid first (a role in its community, or the account of a member who lives
    or works there or belongs to its serving branch); the grid's own workers stay valid."""

    near_role = RoleAssignment.objects.filter(user=OuterRef("pk"), active=True).filter(
        subtree_q("area__path", grid.community.path)
        | subtree_q("org__area__path", grid.community.path)
    )
    near_member = member_candidates(Scope.everything(), grid).filter(pk=OuterRef("member_id"))
    users = User.objects.filter(is_active=True)
    if not scope.is_superuser:
        # (Not for a superuser: an empty Q() OR'ed with a condition is that condition alone.)
        users = users.filter(
            _users_in_reach_q(scope)
            | Q(pk__in=grid.workers.filter(user__isnull=False).values("user_id"))
        )
    return users.annotate(
        near=Case(When(Exists(near_role) | Exists(near_member), then=Value(0)), default=Value(1))
    ).order_by("near", Coalesce(NullIf("display_name", Value("")), "username"), "username")


def user_label(user: Any) -> str:
    """How a form lists an account: the name and the login, which tells namesakes apart."""
    if user.display_name:
        return f"{user.display_name}（{user.username}）"
    return str(user.username)


def get_member_for(scope: Scope, pk: object) -> Member:
    return members_get(scope, pk)


def member_grid(scope: Scope, member: Member) -> Grid | None:
    """The member's grid when the user reaches it."""
    return (
        grid_queryset(scope)
        .filter(memberships__member=member)
        .select_related("community")
        .only("id", "name", "community__name")
        .first()
    )


def member_grid_name(member: Member) -> str:
    """The name of the member's grid (no scope: for a member the caller already reached)."""
    return (
        Grid.objects.filter(memberships__member=member).values_list("name", flat=True).first() or ""
    )


def move_targets(scope: Scope, member: Member) -> QuerySet[Grid]:
    """Grids a member may be moved into: those the user manages, in the member's community
    first (any managed grid validates)."""
    qs = grid_queryset(scope, MANAGE).select_related("community").order_by("community__path", "id")
    community = community_of(member.residence)
    if community is not None:
        near = qs.filter(community=community)
        if near.exists():
            return near
    return qs


def community_of(area: Area | None) -> Area | None:
    """The community (社区/村) above a compound or building."""
    if area is None:
        return None
    step = Area.steplen
    prefixes = [area.path[:i] for i in range(step, len(area.path) + 1, step)]
    return Area.objects.filter(level=AreaLevel.COMMUNITY, path__in=prefixes).first()


def _movable_q(scope: Scope, grid: Grid) -> Q:
    """Members a bulk assignment may take: in no grid, or in another grid the user manages.
    A member in a grid the user does not manage stays there (its community adjusts it, as
    the member page says)."""
    return Q(grid_membership__isnull=True) | (
        ~Q(grid_membership__grid=grid) & grid_reach_q(scope, MANAGE, "grid_membership__grid__")
    )


def work_unit_members_to_assign(
    scope: Scope, grid: Grid, *, include_assigned: bool = False
) -> QuerySet[Member]:
    """Members whose work unit the grid covers (单位网格) and whom the user manages as members
    (a covered unit may lie at the street or above, where people of the whole city work):
    those in no grid yet, or with include_assigned also those in another grid the user
    manages."""
    qs = Member.objects.filter(
        scope.members_q("members.manage"), work_unit__in=grid.units.values("pk")
    )
    if not include_assigned:
        return qs.filter(grid_membership__isnull=True)
    return qs.filter(_movable_q(scope, grid))


def residents_to_assign(
    scope: Scope, grid: Grid, *, include_assigned: bool = False
) -> QuerySet[Member]:
    """Members living in the grid's compounds (all of them: the rule is by residence) that are
    in no grid yet, or with include_assigned also those in another grid the user manages."""
    qs = Member.objects.filter(_in_compounds_q(grid))
    if not include_assigned:
        return qs.filter(grid_membership__isnull=True)
    return qs.filter(_movable_q(scope, grid))


def grid_counts(scope: Scope) -> dict[str, int]:
    qs = grid_queryset(scope).order_by()
    return qs.aggregate(
        grids=Count("id"), no_instructor=Count("id", filter=Q(instructor__isnull=True))
    )


def get_worker_for(grid: Grid, pk: object) -> GridWorker:
    try:
        return grid.workers.get(pk=int(str(pk)))
    except (GridWorker.DoesNotExist, ValueError):
        raise Http404(gettext("网格员不存在。")) from None


def grid_for_residence(scope: Scope, member: Member) -> Grid | None:
    """The managed grid covering the member's compound: the default by residence."""
    if member.residence is None:
        return None
    step = Area.steplen
    prefixes = [
        member.residence.path[:i] for i in range(step, len(member.residence.path) + 1, step)
    ]
    return grid_queryset(scope, MANAGE).filter(compounds__path__in=prefixes).first()
