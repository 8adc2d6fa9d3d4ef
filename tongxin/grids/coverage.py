"""The coverage audit (应建尽建、应管尽管; DESIGN §4.1, §4.2, §4.3): selectors that list the gaps
of one organization subtree, each category with a count and the page where it is fixed.

Seed 002: 凡是小区在册党员人数在3人以上的，均成立建制性党支部；党员人数不足的小区，成立功能性党支部.
Seed 004: 确保每个在册党员都编入1个网格，每个网格都有1名网格党建指导员.

Each category is one or two aggregate queries (GROUP BY), never a loop over objects, so that
the whole city (561,000 members, 32,000 organizations, 8,000 grids) is audited in seconds.

What counts as "the subtree": organizations, members (by org_path), leadership and grids (by
their serving branch) under the root organization's path; compounds under the root's area when
the root is a territorial organization (not hosted by a unit); units located in that area or
hosting an organization of the subtree; grids also when their community lies in that area.

A compound counts as covered (has its formal branch) when a 建制性 branch is anchored in it,
or when it lies in a grid served by a 建制性 branch (一网格一支部 / 多网格一支部: the grid's
branch is the compound's branch)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, overload

from django.db.models import Count, Exists, Max, OuterRef, Q, QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongxin.core.scope import Scope, subtree_q
from tongxin.geo.models import Area, AreaLevel
from tongxin.grids.models import Grid, GridMembership
from tongxin.members.models import Member, MemberStatus, Standing
from tongxin.orgs.models import (
    Establishment,
    Leadership,
    LeadershipRole,
    Organization,
    OrgKind,
    Unit,
)

MIN_MEMBERS = 3  # seed 002: 在册党员人数在3人以上
TERM_WARNING_DAYS = 90  # DESIGN §4.1: 换届 reminder 90 days before the term ends
STEP = 4


@dataclass(frozen=True)
class Category:
    key: str
    label: Promise
    fix: Promise  # what the fix link says


CATEGORIES = [
    Category("compound", _("小区党员≥3名未建建制性党支部"), _("建立党支部")),
    Category("unit", _("单位党员≥3名未建建制性党支部"), _("建立党支部")),
    Category("functional", _("功能性党支部应转为建制性"), _("修改设置方式")),
    Category("ungridded", _("党员未编入网格"), _("编入网格")),
    Category("multigrid", _("党员编入多个网格"), _("调整网格")),
    Category("no_instructor", _("网格无党建指导员"), _("设置指导员")),
    Category("no_secretary", _("党组织无书记"), _("登记书记")),
    Category("term", _("换届提醒（已到期或90天内到期）"), _("登记新一届班子")),
    Category("overdue_probation", _("预备期满未转正"), _("核实转正")),
]
CATEGORY_KEYS = [c.key for c in CATEGORIES]


@dataclass
class Gap:
    """One row of a category: what, where, a figure, and the page that fixes it."""

    pk: int
    name: str
    detail: str
    url: str
    figure: int | None = None
    date: dt.date | None = None


def audit_roots(scope: Scope) -> QuerySet[Organization]:
    """Organizations whose whole subtree the user reaches (a subtree grant, or everything):
    the roots an audit may run on."""
    if scope.is_superuser:
        return Organization.objects.filter(depth=1).order_by("path")
    paths = sorted(
        {g.path for g in scope.grants.get("orgs.view", []) if g.kind == "org" and g.subtree}
    )
    return Organization.objects.filter(path__in=paths).order_by("path")


def get_audit_root_for(scope: Scope, pk: object | None) -> Organization:
    """The organization whose subtree is audited: `pk`, when the user reaches its whole
    subtree, or by default the user's first root."""
    roots = audit_roots(scope)
    if pk in (None, ""):
        root = roots.select_related("area").first()
    else:
        try:
            candidate = Organization.objects.select_related("area").get(pk=int(str(pk)))
        except (Organization.DoesNotExist, ValueError):
            candidate = None
        root = (
            candidate
            if candidate is not None and scope.covers_org_subtree("orgs.view", candidate.path)
            else None
        )
    if root is None:
        raise Http404(gettext("党组织不存在，或您不能查看它的全部下级组织。"))
    return root


class CoverageAudit:
    """The audit of one subtree. ``counts()`` runs every category's aggregate; ``rows(key)``
    gives one category's gaps (a list for the pager)."""

    def __init__(self, scope: Scope, root: Organization, today: dt.date | None = None):
        self.scope = scope
        self.root = root
        self.today = today or timezone.localdate()
        self.org_q = subtree_q("path", root.path)
        territorial = root.unit_id is None and root.area is not None
        self.area_path = root.area.path if territorial and root.area is not None else None
        # Member names only for those who see the subtree's members.
        self.show_members = scope.covers_org_subtree("members.view", root.path)

    # ---- compounds ---------------------------------------------------------------------
    def _compounds(self) -> list[Gap]:
        if self.area_path is None:
            return []
        wanting = compounds_without_branch(self.area_path)
        return [
            Gap(pk=pk, name=name, detail=p, url="", figure=members)
            for p, (pk, name, members) in sorted(wanting.items())
        ]

    def _compound_links(self, gaps: list[Gap]) -> None:
        """Where a branch is created: under the compound's community organization (a 党委 or
        党总支 anchored in the community), else under the street's."""
        wanted = {g.detail[:-STEP] for g in gaps} | {g.detail[: -2 * STEP] for g in gaps}
        # Ordered by depth descending: where two share an area, the shallower one is kept.
        parents: dict[str, int] = {
            path: pk
            for pk, path in Organization.objects.filter(
                subtree_q("path", self.root.path),
                area__path__in=sorted(wanted),
                kind__in=[OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE, OrgKind.GENERAL_BRANCH],
            )
            .order_by("-depth")
            .values_list("pk", "area__path")
        }
        for g in gaps:
            parent = parents.get(g.detail[:-STEP]) or parents.get(g.detail[: -2 * STEP])
            g.url = reverse("orgs:create", args=[parent]) if parent else reverse("orgs:tree")

    # ---- units -------------------------------------------------------------------------
    def _units_q(self) -> Q:
        in_subtree = Unit.objects.filter(orgs__in=Organization.objects.filter(self.org_q))
        q = Q(pk__in=in_subtree.values("pk"))
        if self.area_path is not None:
            q |= subtree_q("area__path", self.area_path)
        return q

    def _units(self) -> list[Gap]:
        counts = dict(
            Member.objects.filter(work_unit__isnull=False)
            .order_by()
            .values("work_unit")
            .annotate(n=Count("id"))
            .filter(n__gte=MIN_MEMBERS)
            .values_list("work_unit", "n")
        )
        if not counts:
            return []
        # A unit is covered by a 建制性 organization it hosts: a branch, or a 党总支 / 党委 with
        # its branches under it (those need not name the unit again).
        covered = set(
            Organization.objects.filter(
                unit__in=list(counts),
                kind__in=[OrgKind.BRANCH, OrgKind.GENERAL_BRANCH, OrgKind.COMMITTEE],
                establishment=Establishment.FORMAL,
            ).values_list("unit_id", flat=True)
        )
        units = (
            Unit.objects.filter(self._units_q())
            .filter(pk__in=[pk for pk in counts if pk not in covered])
            .order_by("name", "pk")
            .values_list("pk", "name")
        )
        return [
            Gap(
                pk=pk,
                name=name,
                detail="",
                url=reverse("orgs:unit_edit", args=[pk]),
                figure=counts[pk],
            )
            for pk, name in units
        ]

    # ---- functional branches -----------------------------------------------------------
    def _functional_qs(self) -> QuerySet[Organization]:
        return (
            Organization.objects.filter(
                self.org_q, kind=OrgKind.BRANCH, establishment=Establishment.FUNCTIONAL
            )
            .annotate(n=Count("members"))
            .filter(n__gte=MIN_MEMBERS)
        )

    # ---- members -----------------------------------------------------------------------
    def _ungridded_qs(self) -> QuerySet[Member]:
        return Member.objects.filter(
            subtree_q("org_path", self.root.path), standing=Standing.NORMAL
        ).filter(~Exists(GridMembership.objects.filter(member=OuterRef("pk"))))

    def _multigrid_ids(self) -> dict[int, int]:
        """Impossible by construction (one membership row per member), checked anyway: an
        index-only GROUP BY over the whole table, then the subtree's among the few found."""
        found = dict(
            GridMembership.objects.order_by()
            .values("member")
            .annotate(n=Count("id"))
            .filter(n__gt=1)
            .values_list("member", "n")
        )
        if not found:
            return {}
        mine = Member.objects.filter(subtree_q("org_path", self.root.path), pk__in=list(found))
        return {pk: found[pk] for pk in mine.values_list("pk", flat=True)}

    # ---- grids -------------------------------------------------------------------------
    def _grids_q(self) -> Q:
        q = subtree_q("serving_branch__path", self.root.path)
        if self.area_path is not None:
            q |= subtree_q("community__path", self.area_path)
        return q

    def _no_instructor_qs(self) -> QuerySet[Grid]:
        return Grid.objects.filter(self._grids_q(), instructor__isnull=True)

    # ---- leadership --------------------------------------------------------------------
    def _no_secretary_qs(self) -> QuerySet[Organization]:
        seat = Leadership.objects.filter(
            org=OuterRef("pk"), role=LeadershipRole.SECRETARY, term_start__lte=self.today
        )
        return (
            Organization.objects.filter(self.org_q)
            .exclude(kind=OrgKind.GROUP)
            .filter(~Exists(seat))
        )

    def _term_qs(self) -> QuerySet[Any]:
        """Per organization, the end of its latest secretary's term, when it is past or within
        90 days (the 换届 reminder). A next term registered ahead (starting later) ends it."""
        limit = self.today + dt.timedelta(days=TERM_WARNING_DAYS)
        return (
            Leadership.objects.filter(
                subtree_q("org__path", self.root.path), role=LeadershipRole.SECRETARY
            )
            .order_by()
            .values("org")
            .annotate(end=Max("term_end"))
            .filter(end__lte=limit)
        )

    # ---- 预备期满未转正 -------------------------------------------------------------------
    def _overdue_probation_qs(self) -> QuerySet[Member]:
        """预备党员 whose year (《党章》第七条: 预备期为一年) ended with no 转正 recorded: each
        is to be confirmed, extended or dealt with by the branch (an import keeps them, with a
        warning). Joined before this day a year ago, as the importer's warning counts."""
        year_ago = _one_year_after(self.today, years=-1)
        return Member.objects.filter(
            subtree_q("org_path", self.root.path),
            status=MemberStatus.PROBATIONARY,
            confirmed_on__isnull=True,
            joined_on__lt=year_ago,
        )

    # ---- public ------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Every category's count: about a dozen aggregate queries, whatever the size."""
        return {
            "compound": len(self._compounds()),
            "unit": len(self._units()),
            "functional": self._functional_qs().count(),
            "ungridded": self._ungridded_qs().count(),
            "multigrid": len(self._multigrid_ids()),
            "no_instructor": self._no_instructor_qs().count(),
            "no_secretary": self._no_secretary_qs().count(),
            "term": self._term_qs().count(),
            "overdue_probation": self._overdue_probation_qs().count(),
        }

    def rows(self, key: str) -> RowSource:
        """A category's gaps, sliceable for the pager: rows are built for one page only."""
        builders: dict[str, Callable[[], RowSource]] = {
            "compound": self._compound_rows,
            "unit": lambda: RowSource(self._units()),
            "functional": self._functional_rows,
            "ungridded": self._ungridded_rows,
            "multigrid": self._multigrid_rows,
            "no_instructor": self._no_instructor_rows,
            "no_secretary": self._no_secretary_rows,
            "term": self._term_rows,
            "overdue_probation": self._overdue_probation_rows,
        }
        if key not in builders:
            raise Http404(gettext("没有这一类检查项。"))
        return builders[key]()

    def _compound_rows(self) -> RowSource:
        return RowSource(self._compounds(), finish=self._compound_links)

    def _functional_rows(self) -> RowSource:
        qs = self._functional_qs().order_by("path").values_list("pk", "name", "n")

        def build(rows: list[Any]) -> list[Gap]:
            return [
                Gap(pk=pk, name=name, detail="", figure=n, url=reverse("orgs:edit", args=[pk]))
                for pk, name, n in rows
            ]

        return RowSource(qs, build=build)

    def _ungridded_rows(self) -> RowSource:
        if not self.show_members:
            return RowSource([])
        qs = (
            self._ungridded_qs()
            .order_by("org_path", "id")
            .values_list("pk", "name", "org__name", "residence__name")
        )

        def build(rows: list[Any]) -> list[Gap]:
            return [
                Gap(
                    pk=pk,
                    name=name,
                    detail=f"{org} · {home or gettext('居住地未登记')}",
                    url=reverse("grids:member", args=[pk]),
                )
                for pk, name, org, home in rows
            ]

        return RowSource(qs, build=build)

    def _multigrid_rows(self) -> RowSource:
        ids = self._multigrid_ids()
        if not ids or not self.show_members:
            return RowSource([])
        rows = Member.objects.filter(pk__in=list(ids)).order_by("org_path", "id")
        return RowSource(
            [
                Gap(
                    pk=pk,
                    name=name,
                    detail="",
                    figure=ids[pk],
                    url=reverse("grids:member", args=[pk]),
                )
                for pk, name in rows.values_list("pk", "name")
            ]
        )

    def _no_instructor_rows(self) -> RowSource:
        qs = (
            self._no_instructor_qs()
            .order_by("community__path", "id")
            .values_list("pk", "name", "community__name", "serving_branch__name")
        )

        def build(rows: list[Any]) -> list[Gap]:
            return [
                Gap(
                    pk=pk,
                    name=name,
                    detail=f"{community} · {branch}",
                    url=reverse("grids:instructor", args=[pk]),
                )
                for pk, name, community, branch in rows
            ]

        return RowSource(qs, build=build)

    def _no_secretary_rows(self) -> RowSource:
        qs = self._no_secretary_qs().order_by("path").values_list("pk", "name", "kind")

        def build(rows: list[Any]) -> list[Gap]:
            return [
                Gap(
                    pk=pk,
                    name=name,
                    detail=str(OrgKind(kind).label),
                    url=reverse("orgs:leader_add", args=[pk]),
                )
                for pk, name, kind in rows
            ]

        return RowSource(qs, build=build)

    def _term_rows(self) -> RowSource:
        qs = self._term_qs().order_by("end", "org").values_list("org", "org__name", "end")

        def build(rows: list[Any]) -> list[Gap]:
            out = []
            for pk, name, end in rows:
                days = (end - self.today).days
                detail = (
                    gettext("已于%(date)s到期") % {"date": end.isoformat()}
                    if days < 0
                    else gettext("%(days)s天后到期") % {"days": days}
                )
                out.append(
                    Gap(
                        pk=pk,
                        name=name,
                        detail=detail,
                        date=end,
                        figure=days,
                        url=reverse("orgs:leader_add", args=[pk]),
                    )
                )
            return out

        return RowSource(qs, build=build)

    def _overdue_probation_rows(self) -> RowSource:
        if not self.show_members:
            return RowSource([])
        qs = (
            self._overdue_probation_qs()
            .order_by("joined_on", "org_path", "id")
            .values_list("pk", "name", "org__name", "org_path", "joined_on")
        )

        def build(rows: list[Any]) -> list[Gap]:
            out = []
            for pk, name, org, org_path, joined in rows:
                # 转正 is recorded on the member's form; a viewer who may not edit gets the
                # record itself, never a link that answers 404.
                editable = self.scope.reaches_org("members.manage", org_path)
                detail = gettext("%(org)s · %(joined)s入党，预备期%(due)s期满") % {
                    "org": org,
                    "joined": joined.isoformat(),
                    "due": _one_year_after(joined).isoformat(),
                }
                out.append(
                    Gap(
                        pk=pk,
                        name=name,
                        detail=detail,
                        date=joined,
                        url=reverse("members:edit" if editable else "members:detail", args=[pk]),
                    )
                )
            return out

        return RowSource(qs, build=build)


def _one_year_after(d: dt.date, years: int = 1) -> dt.date:
    try:
        return d.replace(year=d.year + years)
    except ValueError:  # 29 February
        return d.replace(year=d.year + years, day=28)


@dataclass
class RowSource:
    """What the pager slices: a list or a queryset of raw rows, turned into Gaps only for
    the page shown (``build``), then given their links (``finish``)."""

    rows: Any
    build: Callable[[list[Any]], list[Gap]] | None = None
    finish: Callable[[list[Gap]], None] | None = None
    _len: int | None = field(default=None, repr=False)

    def count(self) -> int:
        if self._len is None:
            self._len = self.rows.count() if isinstance(self.rows, QuerySet) else len(self.rows)
        return self._len

    def __len__(self) -> int:
        return self.count()

    def __iter__(self) -> Iterator[Gap]:
        return iter(self[0 : len(self)])

    @overload
    def __getitem__(self, index: int) -> Gap: ...
    @overload
    def __getitem__(self, index: slice) -> list[Gap]: ...
    def __getitem__(self, index: int | slice) -> Gap | list[Gap]:
        if isinstance(index, int):
            return self[index : index + 1][0]
        chunk = list(self.rows[index])
        gaps = self.build(chunk) if self.build is not None else chunk
        if self.finish is not None and gaps:
            self.finish(gaps)
        return gaps


def coverage_counts(scope: Scope, root: Organization) -> list[tuple[Category, int]]:
    counts = CoverageAudit(scope, root).counts()
    return [(c, counts[c.key]) for c in CATEGORIES]


def compounds_without_branch(area_path: str | None) -> dict[str, tuple[int, str, int]]:
    """The compounds (under ``area_path``, or everywhere) where at least MIN_MEMBERS members
    live and no 建制性 branch stands: {compound path: (pk, name, members living there)}.

    Members per residence come from one index-only GROUP BY on members and are summed per
    compound here (cheaper than joining 561,000 members to their areas); a residence counts
    for the outermost compound holding it. A compound is covered by a formal branch anchored
    in it or in one of its buildings, or by a grid served by a formal branch."""
    within = subtree_q("path", area_path) if area_path else Q()
    compounds: dict[str, tuple[int, str]] = {}
    path_of: dict[int, str] = {}
    for pk, path, name, level in Area.objects.filter(
        within, level__in=[AreaLevel.COMPOUND, AreaLevel.BUILDING]
    ).values_list("pk", "path", "name", "level"):
        path_of[pk] = path
        if level == AreaLevel.COMPOUND:
            compounds[path] = (pk, name)
    if not compounds:
        return {}
    lengths = sorted({len(p) for p in compounds})
    totals: dict[str, int] = {}
    for residence, n in (
        Member.objects.filter(residence__isnull=False)
        .order_by()
        .values("residence")
        .annotate(n=Count("id"))
        .values_list("residence", "n")
    ):
        path = path_of.get(residence)
        if path is None:
            continue
        for length in lengths:
            if path[:length] in compounds:
                totals[path[:length]] = totals.get(path[:length], 0) + n
                break
    counts = {p: n for p, n in totals.items() if n >= MIN_MEMBERS}
    if not counts:
        return {}
    in_area = subtree_q("area__path", area_path) if area_path else Q()
    covered: set[str] = set()
    for (path,) in Organization.objects.filter(
        in_area,
        kind=OrgKind.BRANCH,
        establishment=Establishment.FORMAL,
        area__level__in=[AreaLevel.COMPOUND, AreaLevel.BUILDING],
    ).values_list("area__path"):
        covered.update(p for p in counts if path.startswith(p))
    covered.update(
        Grid.compounds.through.objects.filter(
            in_area, grid__serving_branch__establishment=Establishment.FORMAL
        ).values_list("area__path", flat=True)
    )
    return {p: (*compounds[p], n) for p, n in counts.items() if p not in covered}
