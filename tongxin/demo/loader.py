"""Writes a planned demo city with the database's bulk path (executemany / COPY)."""

from __future__ import annotations

import importlib
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from tongxin.accounts.models import Reach, Resident, Role, RoleAssignment, User
from tongxin.core.audit import audit
from tongxin.core.bulk import bulk_insert, sync_sequences
from tongxin.core.demodata import DEMO_PASSWORD, DemoContext
from tongxin.demo.generator import ProgressFn, build_plan
from tongxin.demo.tree import Node, Plan, buildings_index
from tongxin.geo.models import Area
from tongxin.members.models import Member, OrgRelationChange
from tongxin.orgs.models import Leadership, Organization, Unit
from tongxin.rosters.member_writing import HISTORY_INSERT, MEMBER_INSERT

# At least this many members in the story branch: a 支部委员会 (secretary, deputy, three
# committee members, see Generator.plan_leadership) and members beside it.
STORY_BRANCH_MIN_MEMBERS = 8
AREA_COLUMNS = ["id", "path", "depth", "numchild", "name", "level", "code", "latitude", "longitude"]
ORG_COLUMNS = [
    "id",
    "path",
    "depth",
    "numchild",
    "name",
    "kind",
    "establishment",
    "sector",
    "is_joint",
    "is_temporary",
    "area_id",
    "unit_id",
    "founded_on",
]
UNIT_COLUMNS = ["id", "name", "sector", "credit_code", "area_id", "address"]
LEADERSHIP_COLUMNS = [
    "id",
    "org_id",
    "member_id",
    "role",
    "term_start",
    "term_end",
    "holds_dual_role",
]
# The relation history rows carry their ids: the demo numbers them itself.
HISTORY_COLUMNS = ["id", *HISTORY_INSERT]

# The demo tells one story (README, 演示账号): every account below works in the same street,
# community, grid and branch, so that each cross-role journey can be walked with them:
#   jumin (居民) lives in a compound of wangge's grid; that grid lies in jiedao's street and is
#   served by zhibu's branch, where dangyuan is a member living in the same compound; bumen's
#   agency (城管, made by the cases demo) serves the city, that street included; shenji and
#   zuzhibu cover the city. See ``Story`` and ``story_of``.
DEMO_USERS = [
    # username, display name ({member}: the name of the member the account is linked to),
    # role, anchor key, description
    ("admin", "系统管理员", None, None, "超级管理员（全部数据、管理后台）"),
    ("zuzhibu", "市委组织部 周敏", "org_dept", "city", "市委组织部：全市党组织和党员"),
    ("jiedao", "街道党工委书记 陈立", "street_secretary", "street", "街道党工委：本街道"),
    ("zhibu", "支部书记 {member}", "branch_secretary", "branch", "支部书记：本支部"),
    ("wangge", "网格员 刘芳", "grid_worker", "community_area", "网格员：本社区，本网格"),
    ("shenji", "审计员 孙越", "auditor", "city", "审计员：全市只读，查看号码留痕"),
    ("dangyuan", "党员 {member}", "member", "member_branch", "党员：本人信息（手机页面）"),
]
# Residents of the story compound who sign in (no role): username, display name, name, phone.
DEMO_RESIDENTS = [
    ("jumin", "居民 林晓", "林晓", "13912345678"),
    ("linju", "居民 周斌", "周斌", "13912345679"),
]
# The display names those accounts had before they followed their member's name, so that
# --reset still recognises an older demo's accounts.
OLD_DISPLAY_NAMES = {"zhibu": "支部书记 王建", "dangyuan": "党员 赵红"}
# The member each linked account is, counted from the first member of the demo branch: its
# secretary (see Generator.plan_leadership), and the next member.
LINKED_MEMBER = {"zhibu": 0, "dangyuan": 1}


def _tree_rows(nodes: list[Node], columns: list[str]) -> Iterator[tuple]:
    for n in nodes:
        base = {
            "id": n.id,
            "path": n.path,
            "depth": len(n.path) // 4,
            "numchild": len(n.children),
            "name": n.name,
        }
        yield tuple(base[c] if c in base else n.fields.get(c) for c in columns)


def module_demos() -> list[tuple[str, Any]]:
    """(app label, demo module) for every installed tongxin app that ships a ``demo.py``."""
    out = []
    for config in apps.get_app_configs():
        if not config.name.startswith("tongxin.") or config.label == "demo":
            continue
        try:
            module = importlib.import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        out.append((config.label, module))
    return out


def domain_is_empty() -> bool:
    return not (Organization.objects.exists() or Member.objects.exists() or Area.objects.exists())


def wipe() -> None:
    """Remove all domain data (the demo command's --reset). Modules go first, last installed
    first, since their rows point at members, organizations and areas."""
    for _label, module in reversed(module_demos()):
        if hasattr(module, "wipe"):
            module.wipe()
    # Only the accounts the demo made (same name and display name); others stay. Before the
    # members go: a linked account's display name holds its member's name.
    for user in User.objects.filter(username__in=[u[0] for u in DEMO_USERS]).select_related(
        "member"
    ):
        if user.display_name in _demo_display_names(user):
            user.delete()
    for username, display, _name, _phone in DEMO_RESIDENTS:
        Resident.objects.filter(user__username=username, user__display_name=display).delete()
        User.objects.filter(username=username, display_name=display).delete()
    for model in (Leadership, OrgRelationChange, RoleAssignment, Member, Organization, Unit):
        model.objects.all().delete()
    Area.objects.all().delete()


def _demo_display_names(user: User) -> set[str]:
    display = next(d for u, d, *_rest in DEMO_USERS if u == user.username)
    names = {display, OLD_DISPLAY_NAMES.get(user.username, display)}
    if user.member is not None:
        names.add(display.format(member=user.member.name))
    return names


def _reset_sequences() -> None:
    sync_sequences(
        *(
            m._meta.db_table
            for m in (Area, Organization, Unit, Member, Leadership, OrgRelationChange)
        )
    )


def load(
    *, scale: str, seed: int, progress: ProgressFn | None = None, reset: bool = False
) -> dict[str, Any]:
    """Generate and write the demo. With reset, existing domain data is removed first, in
    the same transaction: a failure leaves the database as it was."""
    say = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    # Dated data runs up to the day it is loaded (in Asia/Shanghai, as the pages count days).
    gen, plan, areas, orgs, holders = build_plan(scale=scale, seed=seed, today=timezone.localdate())
    say(f"规划完成：{len(areas)} 个区域，{len(orgs)} 个党组织，{plan.member_total} 名党员")
    by_area, region = buildings_index(areas)
    with transaction.atomic():
        if reset:
            wipe()
        bulk_insert(Area._meta.db_table, AREA_COLUMNS, _tree_rows(areas, AREA_COLUMNS))
        bulk_insert(
            Unit._meta.db_table,
            UNIT_COLUMNS,
            ((u[0], u[1], u[2], u[4], u[3], u[5]) for u in plan.units),
        )
        bulk_insert(Organization._meta.db_table, ORG_COLUMNS, _tree_rows(orgs, ORG_COLUMNS))
        say("区域、单位、党组织已写入")
        n = bulk_insert(
            Member._meta.db_table, MEMBER_INSERT, gen.member_rows(holders, by_area, region)
        )
        say(f"党员已写入：{n} 名")
        history = (
            (m, m, "joined", None, h.id, "", h.name, gen.today.isoformat(), "演示数据初始登记")
            for h in holders
            for m in range(h.first_member_id, h.first_member_id + h.members)
        )
        bulk_insert(OrgRelationChange._meta.db_table, HISTORY_COLUMNS, history)
        bulk_insert(Leadership._meta.db_table, LEADERSHIP_COLUMNS, plan.leadership)
        _reset_sequences()
        users = create_demo_users(plan, orgs, holders, areas)
        audit(
            actor=None,
            action="demo.generate",
            object_type="demo",
            installation_wide=True,
            diff={"scale": scale, "seed": seed, "orgs": len(orgs), "members": n},
        )
    compound = story_compound()
    for label, module in module_demos():
        t1 = time.perf_counter()
        ctx = DemoContext(
            scale=scale,
            seed=seed,
            today=gen.today,
            rng=random.Random(f"{seed}:{label}"),
            say=say,
            story_compound_id=compound.pk if compound is not None else None,
            linked_usernames=tuple(LINKED_MEMBER),
        )
        with transaction.atomic():
            module.load(ctx)
        say(f"{label} 演示数据已写入（{time.perf_counter() - t1:.1f} 秒）")
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            pass  # VACUUM ANALYZE runs outside the transaction below
        else:
            cur.execute("ANALYZE")
    if connection.vendor == "postgresql" and not connection.in_atomic_block:
        old = connection.get_autocommit()
        connection.set_autocommit(True)
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        connection.set_autocommit(old)
    elapsed = time.perf_counter() - t0
    sectors: dict[str, int] = {}
    for o in orgs:
        sectors[str(o.fields["sector"])] = sectors.get(str(o.fields["sector"]), 0) + 1
    return {
        "areas": len(areas),
        "orgs": len(orgs),
        "members": n,
        "units": len(plan.units),
        "sectors": sectors,
        "users": users,
        "seconds": elapsed,
    }


@dataclass(frozen=True)
class Story:
    """Where the demo users sit: one street, one of its communities with a Party branch of its
    own, the first compound of that community (wangge's grid, jumin's and dangyuan's home)."""

    street: Node  # the street's organization (街道党工委 or 镇党委)
    branch: Node  # a community branch under it: zhibu's, dangyuan's
    community: Node  # the branch's community (an area): wangge's
    compound: Node  # the community's first compound: the story grid's, the residents' home
    building: Node | None  # the compound's first building: the story members' residence


def story_of(plan: Plan, orgs: list[Node], holders: list[Node], areas: list[Node]) -> Story:
    """The story's places, the same for the same town: the first 街道 (then 镇) with a 社区
    branch of enough members whose community has compounds; a village (村) branch only when
    no street has a community one."""
    area_by_id = {a.id: a for a in areas}
    streets = [
        o
        for o in orgs
        if area_by_id.get(o.fields["area_id"] or 0) is not None
        and area_by_id[o.fields["area_id"]].fields["level"] == "street"
        and o.fields["kind"] in ("working_committee", "committee")
    ]
    # A 街道 (党工委) before a 镇 (党委), as the account's name says; the planned one first.
    streets.sort(
        key=lambda o: (o.fields["kind"] != "working_committee", o is not plan.anchors["street"])
    )
    for sector in ("community", "village"):
        for street in streets:
            for h in holders:
                community = area_by_id.get(h.fields["area_id"] or 0)
                if (
                    h.fields["kind"] != "branch"
                    or h.fields["sector"] != sector
                    or not h.path.startswith(street.path)
                    or h.members < STORY_BRANCH_MIN_MEMBERS
                    or community is None
                    or community.fields["level"] != "community"
                ):
                    continue
                compounds = [c for c in community.children if c.fields["level"] == "compound"]
                if not compounds:
                    continue
                compound = min(compounds, key=lambda c: c.path)
                buildings = sorted(compound.children, key=lambda b: b.path)
                return Story(street, h, community, compound, buildings[0] if buildings else None)
    raise RuntimeError("演示数据中没有可用作演示故事的社区党支部。")


def create_demo_users(
    plan: Plan, orgs: list[Node], holders: list[Node], areas: list[Node]
) -> list[tuple[str, str, str]]:
    story = story_of(plan, orgs, holders, areas)
    branch = story.branch
    anchors = {
        "city": ("org", plan.anchors["city"].id, Reach.SUBTREE),
        "street": ("org", story.street.id, Reach.SUBTREE),
        "branch": ("org", branch.id, Reach.SUBTREE),
        "community_area": ("area", story.community.id, Reach.SUBTREE),
        "member_branch": ("org", branch.id, Reach.NODE),
    }
    password = make_password(DEMO_PASSWORD)
    roles = {r.code: r for r in Role.objects.all()}
    out = []
    linked = {u: branch.first_member_id + k for u, k in LINKED_MEMBER.items()}
    # The linked members live in the story compound, so that the grid (by residence) and the
    # 双报到 community (their residence's) are the story's.
    home = story.building or story.compound
    Member.objects.filter(pk__in=linked.values()).update(residence_id=home.id)
    names = dict(Member.objects.filter(pk__in=linked.values()).values_list("pk", "name"))
    for username, display, role, anchor, desc in DEMO_USERS:
        if User.objects.filter(username=username).exists():
            # An account of that name already exists: it is left as it is, without demo roles.
            out.append((username, "（已有账号，未修改）", desc))
            continue
        member_id = linked.get(username)
        user = User.objects.create(
            username=username,
            password=password,
            member_id=member_id,
            display_name=display.format(member=names[member_id]) if member_id else display,
            is_staff=role is None,
            is_superuser=role is None,
        )
        if role and anchor:
            kind, pk, reach = anchors[anchor]
            RoleAssignment.objects.create(
                user=user,
                role=roles[role],
                reach=reach,
                org_id=pk if kind == "org" else None,
                area_id=pk if kind == "area" else None,
            )
        out.append((username, DEMO_PASSWORD, desc))
    for username, display, name, phone in DEMO_RESIDENTS:
        if User.objects.filter(username=username).exists():
            out.append((username, "（已有账号，未修改）", display))
            continue
        user = User.objects.create(username=username, password=password, display_name=display)
        resident = Resident(user=user, name=name, home_id=story.compound.id)
        resident.set_phone(phone)
        resident.save()
        out.append((username, DEMO_PASSWORD, display))
    return out


def story_compound() -> Area | None:
    """The story compound, for the modules' demos: the home of the demo resident jumin."""
    resident = Resident.objects.filter(user__username="jumin").select_related("home").first()
    if resident is None:
        return None
    home = resident.home
    return home if home.level == "compound" else home.get_parent()
