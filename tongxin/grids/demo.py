"""Demo grids: seed 004's 8,000+ 全科网格 for the city (about 80 for the town).

Each community's compounds are split into grids of one or two compounds, served by the
community's branches in turn (many grids → one branch); enterprise and social-organization
units get 专属网格 until the target is reached. Instructors are members of the serving branch;
members are assigned by residence in one INSERT … SELECT. Deliberate gaps for the coverage
audit: a few grids without an instructor, a few compounds left out of every grid (their
residents unassigned, and no formal branch for them), and some members not assigned."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connection
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.core.bulk import bulk_insert, sync_sequences
from tongxin.core.demodata import DemoContext
from tongxin.geo.models import Area, AreaLevel
from tongxin.grids.models import Grid, GridMembership, GridWorker
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, OrgKind, Unit

TARGET = {"town": 80, "city": 8100}
NO_INSTRUCTOR_RATE = 0.03  # grids left without 网格党建指导员
LEFT_OUT_RATE = 0.02  # compounds in no grid
UNASSIGNED_MODULO = 53  # member ids divisible by it are left out of their grid

GRID_COLUMNS = [
    "id",
    "name",
    "code",
    "community_id",
    "instructor_id",
    "serving_branch_id",
    "created_at",
    "updated_at",
]


def _next_id(model: Any) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    now = timezone.now()
    story = Area.objects.filter(pk=ctx.story_compound_id).first()
    communities = list(
        Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("path").values_list("pk", "path")
    )
    compounds_of: dict[int, list[tuple[int, str]]] = defaultdict(list)
    community_by_path = {path: pk for pk, path in communities}
    step = Area.steplen
    for pk, path, name in (
        Area.objects.filter(level=AreaLevel.COMPOUND)
        .order_by("path")
        .values_list("pk", "path", "name")
    ):
        parent = community_by_path.get(path[:-step])
        if parent is not None:
            compounds_of[parent].append((pk, name))
    # Branches by the area they are anchored in (community branches), by unit (enterprise).
    branches_at: dict[int, list[int]] = defaultdict(list)
    branch_of_unit: dict[int, int] = {}
    for pk, area_id, unit_id in (
        Organization.objects.filter(kind=OrgKind.BRANCH)
        .order_by("path")
        .values_list("pk", "area_id", "unit_id")
    ):
        if area_id is not None:
            branches_at[area_id].append(pk)
        if unit_id is not None:
            branch_of_unit.setdefault(unit_id, pk)
    # Members of each branch: (first id, count), ids are contiguous in the demo.
    from django.db.models import Count, Min

    roster = {
        org: (first, n)
        for org, first, n in Member.objects.filter(org__kind=OrgKind.BRANCH)
        .order_by()
        .values("org")
        .annotate(first=Min("id"), n=Count("id"))
        .values_list("org", "first", "n")
    }

    def instructor(branch: int) -> int | None:
        if rng.random() < NO_INSTRUCTOR_RATE or branch not in roster:
            return None
        first, n = roster[branch]
        return first + rng.randrange(n)

    grid_id = _next_id(Grid)
    grids: list[tuple[Any, ...]] = []
    grid_compounds: list[tuple[int, int]] = []
    grid_units: list[tuple[int, int]] = []
    community_of_street: dict[str, list[int]] = defaultdict(list)
    branch: int | None
    for community, path in communities:
        community_of_street[path[:-step]].append(community)
        serving = branches_at.get(community) or []
        if not serving:
            continue
        # The story compound (jumin's home) is never one of the gaps.
        comps = [
            c
            for c in compounds_of.get(community, [])
            if (rng.random() >= LEFT_OUT_RATE) or (story is not None and c[0] == story.pk)
        ]
        k = 0
        while comps:
            take = comps[: rng.choice([1, 1, 2])]
            comps = comps[len(take) :]
            k += 1
            branch = serving[(k - 1) % len(serving)]
            name = take[0][1] + ("网格" if len(take) == 1 else "片区网格")
            grids.append(
                (grid_id, name, f"{k:02d}", community, instructor(branch), branch, now, now)
            )
            grid_compounds.extend((grid_id, c) for c, _name in take)
            grid_id += 1
    # 专属网格 for units (enterprises, social organizations) up to the target.
    target = TARGET.get(ctx.scale, 80)
    units = list(
        Unit.objects.filter(area__level=AreaLevel.STREET, sector__in=["enterprise", "social_org"])
        .order_by("pk")
        .values_list("pk", "name", "area_id", "area__path")
    )
    rng.shuffle(units)
    codes: dict[int, int] = defaultdict(int)
    for unit_id, unit_name, street_id, area_path in units:
        if len(grids) >= target:
            break
        # The unit's own branch when the organization records it, else a branch of the
        # street's enterprises and social organizations.
        branch = branch_of_unit.get(unit_id) or (
            rng.choice(branches_at[street_id]) if branches_at.get(street_id) else None
        )
        choices = community_of_street.get(area_path)
        if branch is None or not choices:
            continue
        community = rng.choice(choices)
        codes[community] += 1
        grids.append(
            (
                grid_id,
                f"{unit_name}专属网格",
                f"Z{codes[community]:02d}",
                community,
                instructor(branch),
                branch,
                now,
                now,
            )
        )
        grid_units.append((grid_id, unit_id))
        grid_id += 1

    bulk_insert(Grid._meta.db_table, GRID_COLUMNS, grids)
    through_c = Grid.compounds.through._meta.db_table
    bulk_insert(through_c, ["grid_id", "area_id"], grid_compounds)
    through_u = Grid.units.through._meta.db_table  # type: ignore[attr-defined]  # stubs: ManyToManyDescriptor[Unit, Never]
    bulk_insert(through_u, ["grid_id", "unit_id"], grid_units)
    _assign_by_residence(now)
    _demo_worker(story, ctx.linked_usernames)
    _reset_sequences()
    ctx.say(f"网格：{len(grids)} 个")


def _assign_by_residence(now: Any) -> None:
    """Every member living in a gridded compound (residence: the compound or a building in it)
    joins that compound's grid, but for the deliberate gaps."""
    q = connection.ops.quote_name
    area, member = Area._meta.db_table, Member._meta.db_table
    through = Grid.compounds.through._meta.db_table
    table = GridMembership._meta.db_table
    sql = (
        f"INSERT INTO {table} ({q('grid_id')}, {q('member_id')}, {q('by_residence')}, "
        f"{q('assigned_at')}) "
        f"SELECT gc.grid_id, m.id, %s, %s FROM {member} m "
        f"JOIN {area} r ON r.id = m.residence_id "
        f"JOIN {area} c ON c.path = SUBSTR(r.path, 1, %s) AND c.level = 'compound' "
        f"JOIN {through} gc ON gc.area_id = c.id "
        f"WHERE m.id %% %s <> 0"
    )
    depth = (
        Area.objects.filter(level=AreaLevel.COMPOUND).values_list("depth", flat=True).first() or 5
    )
    with connection.cursor() as cur:
        cur.execute(sql, [True, now, depth * Area.steplen, UNASSIGNED_MODULO])


def _demo_worker(story: Area | None, usernames: tuple[str, ...]) -> None:
    """wangge (the demo grid worker) works in the grid of the story compound (jumin's home),
    served by the demo branch (zhibu's), whose linked members living there are in it."""
    user = User.objects.filter(username="wangge").first()
    if user is None or story is None:
        return
    grid = Grid.objects.filter(compounds=story).first()
    if grid is None:
        return
    GridWorker.objects.create(grid=grid, user=user, role="full_time")
    linked = list(
        Member.objects.filter(
            user__username__in=list(usernames), org__kind=OrgKind.BRANCH
        ).values_list("pk", "org_id")
    )
    if linked:
        Grid.objects.filter(pk=grid.pk).update(serving_branch_id=linked[0][1])
    for member_id, _org in linked:
        GridMembership.objects.update_or_create(
            member_id=member_id, defaults={"grid": grid, "by_residence": True}
        )


def _reset_sequences() -> None:
    sync_sequences(
        *(
            m._meta.db_table
            for m in (Grid, GridMembership, GridWorker, Grid.compounds.through, Grid.units.through)
        )
    )


def wipe() -> None:
    GridMembership.objects.all()._raw_delete(GridMembership.objects.db)
    GridWorker.objects.all().delete()
    Grid.compounds.through.objects.all().delete()
    Grid.units.through.objects.all().delete()  # type: ignore[attr-defined]  # stubs: ManyToManyDescriptor[Unit, Never]
    Grid.objects.all().delete()
