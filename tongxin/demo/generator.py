"""A deterministic synthetic city (or town) for demos, tests and benchmarks.

City scale reproduces seed 001: 32,037 grassroots organizations split by sector exactly as
reported (企业 10,335; 机关事业单位 10,460; 社会组织 1,014; 村社 9,442; 其他 786) and 561,000
members. Town scale is about 1/100 of it. The same seed on the same day always gives the same
city; its dated data (joining dates, meetings, dues, visits, cases ...) runs up to the day it is
loaded, so this month's figures are not empty.

The tree is planned in memory (tree.py, with the words of vocabulary.py) (paths computed here, as treebeard would) and written with the
database's fastest path: ``executemany`` on SQLite, ``COPY`` on PostgreSQL. The ORM would need
several minutes for 561,000 members; this takes well under two.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import random
from collections.abc import Callable, Iterator

from django.utils import timezone
from faker.providers.company.zh_CN import Provider as CompanyProvider
from faker.providers.person.zh_CN import Provider as PersonProvider

from tongxin.core import idnumber, pii
from tongxin.demo.tree import Node, Plan, assign_paths, place_compounds, walk
from tongxin.demo.vocabulary import (
    CITY_MEMBERS,
    CITY_SECTORS,
    COMPOUND_SUFFIXES,
    DISTRICT_NAMES,
    DISTRICTS,
    EDU_BY_DECADE,
    EDUCATIONS,
    ENTERPRISE_SUFFIXES,
    ETHNICITIES,
    FLOATING_TO,
    INSTITUTION_NAMES,
    OTHER_NAMES,
    OTHER_REGIONS,
    PLACE_CHARS,
    RETIREMENT_AGE,
    SOCIAL_SUFFIXES,
    UNIT_KIND_CODES,
    WORK_ELSEWHERE_RATE,
    credit_code,
)

TOWN = "town"
CITY = "city"


class Generator:
    def __init__(self, *, scale: str = TOWN, seed: int = 1, today: dt.date | None = None):
        if scale not in (TOWN, CITY):
            raise ValueError("scale must be town or city")
        self.scale = scale
        self.seed = seed
        self.today = today or timezone.localdate()
        self.rng = random.Random(seed)
        factor = 1 if scale == CITY else 100
        self.sector_quota = {k: round(v / factor) for k, v in CITY_SECTORS.items()}
        self.member_total = round(CITY_MEMBERS / factor)
        self.n_districts = 10 if scale == CITY else 1
        self.streets_per_district = 15 if scale == CITY else 3
        surnames = list(PersonProvider.last_names.items())
        self._surnames = [s for s, _ in surnames]
        self._surname_cum = list(itertools.accumulate(w for _, w in surnames))
        self._given = list(PersonProvider.first_names)
        self._given_single = [g for g in self._given if len(g) == 1]
        self._used_names: set[str] = set()
        self._id_numbers: set[str] = set()
        self.current_region = DISTRICTS[0][1]
        # Work units: their own stream (see work_unit) and, per street area, the units nearby.
        self.work_rng = random.Random(f"{seed}:work_unit")
        self.units_near: dict[int, list[int]] = {}

    # ---- names -----------------------------------------------------------------------------
    def place_name(self, length: int = 2) -> str:
        for _ in range(50):
            name = "".join(self.rng.choice(PLACE_CHARS) for _ in range(length))
            if name not in self._used_names:
                self._used_names.add(name)
                return name
        return name + str(self.rng.randint(1, 99))

    def person_name(self) -> str:
        r = self.rng.random() * self._surname_cum[-1]
        surname = self._surnames[min(bisect.bisect(self._surname_cum, r), len(self._surnames) - 1)]
        given = self.rng.choice(self._given)
        if len(given) == 1 and self.rng.random() < 0.7:
            given += self.rng.choice(self._given_single)
        return surname + given

    # ---- geography -------------------------------------------------------------------------
    def plan_areas(self, plan: Plan) -> Node:
        city = Node(
            "宁波市",
            {"level": "city", "code": "330200", "latitude": "29.868336", "longitude": "121.543990"},
        )
        districts = DISTRICTS[: self.n_districts]
        self.streets: list[tuple[Node, Node, str]] = []  # (district area, street area, region)
        for d_name, code in districts:
            d = city.add(Node(d_name, {"level": "district", "code": code}))
            for s in range(self.streets_per_district):
                suffix = "街道" if s % 3 else "镇"
                st = d.add(
                    Node(
                        self.place_name() + suffix,
                        {"level": "street", "code": f"{code}{s + 1:03d}"},
                    )
                )
                self.streets.append((d, st, code))
        plan.areas = [city]
        return city

    def add_community(self, street: Node, village: bool) -> Node:
        comm = street.add(
            Node(
                self.place_name() + ("村" if village else "社区"),
                {"level": "community", "code": ""},
            )
        )
        for _ in range(self.rng.randint(3, 7)):
            suffix = self.rng.choice(COMPOUND_SUFFIXES)
            comp = comm.add(Node(self.place_name() + suffix, {"level": "compound", "code": ""}))
            for b in range(self.rng.randint(4, 12)):
                comp.add(Node(f"{comp.name}{b + 1}幢", {"level": "building", "code": ""}))
        return comm

    # ---- organizations ---------------------------------------------------------------------
    def org(
        self,
        name: str,
        kind: str,
        sector: str,
        area: Node | None,
        unit: int | None = None,
        establishment: str = "formal",
        is_joint: bool = False,
    ) -> Node:
        founded = self.today - dt.timedelta(days=self.rng.randint(400, 365 * 40))
        return Node(
            name,
            {
                "kind": kind,
                "sector": sector,
                "area": area,
                "unit": unit,
                "establishment": establishment,
                "is_joint": is_joint,
                "is_temporary": False,
                "founded_on": founded.isoformat(),
            },
        )

    def new_unit(self, plan: Plan, name: str, sector: str, area: Node | None) -> int:
        unit_id = len(plan.units) + 1
        region = self.current_region
        code = credit_code(UNIT_KIND_CODES[sector], region, self.rng)
        road = (
            self.rng.choice(PLACE_CHARS)
            + self.rng.choice(PLACE_CHARS)
            + self.rng.choice(["路", "街", "大道"])
        )
        place = area.name if area is not None else ""
        address = f"{DISTRICT_NAMES.get(region, '')}{place}{road}{self.rng.randint(1, 999)}号"
        plan.units.append((unit_id, name, sector, id(area) if area else None, code, address))
        return unit_id

    def cluster(
        self, kind: str, plan: Plan, street: Node, district: Node
    ) -> list[tuple[Node, Node | None]]:
        """One organization with its branches and groups, as (node, parent-in-cluster) pairs;
        the head's parent is None (attached by the caller)."""
        rng = self.rng
        out: list[tuple[Node, Node | None]] = []

        def branches(head: Node, n: int, sector: str, area: Node | None, prefix: str = "") -> None:
            for i in range(n):
                b = self.org(
                    f"{head.name.removesuffix('党委').removesuffix('党总支')}{prefix}第{i + 1}党支部",
                    "branch",
                    sector,
                    area,
                )
                out.append((b, head))
                out.extend(
                    (self.org(f"{b.name}第{g + 1}党小组", "group", sector, area), b)
                    for g in range(rng.choice([0, 0, 0, 1, 2]))
                )

        if kind == "village_community":
            village = rng.random() < 0.45
            sector = "village" if village else "community"
            comm = self.add_community(street, village)
            size = rng.choice([1, 2, 3, 4, 5, 6])
            if size == 1:
                b = self.org(comm.name + "党支部", "branch", sector, comm)
                out.append((b, None))
                out.extend(
                    (self.org(f"{b.name}第{g + 1}党小组", "group", sector, comm), b)
                    for g in range(rng.choice([0, 1, 2]))
                )
            else:
                head_kind = "committee" if size >= 4 else "general_branch"
                head = self.org(
                    comm.name + ("党委" if size >= 4 else "党总支"), head_kind, sector, comm
                )
                out.append((head, None))
                branches(head, size, sector, comm)
            return out
        if kind == "enterprise":
            unit_name = (
                rng.choice(["宁波", district.name[:2], street.name[:2]])
                + rng.choice(CompanyProvider.company_prefixes)
                + rng.choice(ENTERPRISE_SUFFIXES)
            )
            unit = self.new_unit(plan, unit_name, "enterprise", street)
            size = rng.choice([1, 1, 1, 1, 2, 3, 5])
            if size == 1:
                joint = rng.random() < 0.15
                out.append(
                    (
                        self.org(
                            unit_name + ("联合党支部" if joint else "党支部"),
                            "branch",
                            "enterprise",
                            street,
                            unit,
                            is_joint=joint,
                        ),
                        None,
                    )
                )
            else:
                head = self.org(
                    unit_name + ("党委" if size >= 4 else "党总支"),
                    "committee" if size >= 4 else "general_branch",
                    "enterprise",
                    street,
                    unit,
                )
                out.append((head, None))
                branches(head, size, "enterprise", street)
            return out
        if kind == "social_org":
            name = street.name[:2] + self.place_name() + rng.choice(SOCIAL_SUFFIXES)
            unit = self.new_unit(plan, name, "social_org", street)
            functional = rng.random() < 0.3
            out.append(
                (
                    self.org(
                        name + "党支部",
                        "branch",
                        "social_org",
                        street,
                        unit,
                        establishment="functional" if functional else "formal",
                    ),
                    None,
                )
            )
            return out
        if kind == "public_institution":
            inst = rng.choice(INSTITUTION_NAMES)
            name = f"{district.name}{inst}"
            if name in self._used_names:
                name = f"{district.name}{self.place_name()}{inst}"
            self._used_names.add(name)
            unit = self.new_unit(plan, name, "public_institution", district)
            size = rng.choice([1, 2, 3, 4, 6])
            if size == 1:
                out.append(
                    (
                        self.org(name + "党支部", "branch", "public_institution", district, unit),
                        None,
                    )
                )
            else:
                head = self.org(
                    name + ("机关党委" if size >= 4 else "党总支"),
                    "committee" if size >= 4 else "general_branch",
                    "public_institution",
                    district,
                    unit,
                )
                out.append((head, None))
                branches(head, size, "public_institution", district)
            return out
        # other: joint branches of floating members, retirees, parks and buildings
        name = f"{street.name}{self.place_name()}{rng.choice(OTHER_NAMES)}党支部"
        out.append((self.org(name, "branch", "other", street, is_joint=True), None))
        return out

    def plan_orgs(self, plan: Plan) -> None:
        city_area = plan.areas[0]
        city = self.org("中共宁波市委", "committee", "public_institution", city_area)
        plan.anchors["city"] = city
        quota = dict(self.sector_quota)
        quota["public_institution"] -= 1
        district_orgs: dict[int, Node] = {}
        street_orgs: list[tuple[Node, Node, Node]] = []  # (street org, street area, district area)
        for d_area in city_area.children:
            d_org = city.add(
                self.org(f"中共{d_area.name}委", "committee", "public_institution", d_area)
            )
            quota["public_institution"] -= 1
            district_orgs[id(d_area)] = d_org
            for s_area in d_area.children:
                s_org = d_org.add(
                    self.org(
                        f"{s_area.name}党工委"
                        if s_area.name.endswith("街道")
                        else f"中共{s_area.name}委",
                        "working_committee" if s_area.name.endswith("街道") else "committee",
                        "public_institution",
                        s_area,
                    )
                )
                quota["public_institution"] -= 1
                street_orgs.append((s_org, s_area, d_area))
        plan.anchors["street"] = street_orgs[0][0]

        # Fill each sector's quota exactly with clusters spread over the streets.
        for kind in [
            "village_community",
            "enterprise",
            "social_org",
            "public_institution",
            "other",
        ]:
            remaining = quota[kind]
            while remaining > 0:
                s_org, s_area, d_area = self.rng.choice(street_orgs)
                self.current_region = str(d_area.fields["code"])
                nodes = self.cluster(kind, plan, s_area, d_area)[:remaining]
                parent_of_head = (
                    district_orgs[id(d_area)] if kind in ("public_institution", "other") else s_org
                )
                for node, parent in nodes:
                    (parent or parent_of_head).add(node)
                remaining -= len(nodes)
        plan.orgs = [city]

    # ---- members ---------------------------------------------------------------------------
    def allocate_members(self, ordered_orgs: list[Node]) -> list[Node]:
        """Members belong to branches (or to a committee that has none below it)."""
        holders = [
            n
            for n in ordered_orgs
            if n.fields["kind"] == "branch"
            or (n.fields["kind"] in ("committee", "general_branch") and not n.children)
        ]
        weights = [self.rng.uniform(0.3, 1.7) for _ in holders]
        total_w = sum(weights)
        counts = [max(1, int(self.member_total * w / total_w)) for w in weights]
        diff = self.member_total - sum(counts)
        i = 0
        while diff != 0:
            j = i % len(counts)
            if diff > 0:
                counts[j] += 1
                diff -= 1
            elif counts[j] > 1:
                counts[j] -= 1
                diff += 1
            i += 1
        next_id = 1
        for node, n in zip(holders, counts, strict=True):
            node.members = n
            node.first_member_id = next_id
            next_id += n
        return holders

    def new_id_number(self, region: str, birth: dt.date) -> str:
        while True:
            number = idnumber.make(region, birth, self.rng.randint(0, 999))
            if number not in self._id_numbers:
                self._id_numbers.add(number)
                return number

    def work_unit(self, node: Node, age: int, floating: bool) -> int | None:
        """Where a member works (工作单位), so that unit grids have members to take in by work
        unit: members of working age in an organization hosted by a unit (an enterprise, an
        institution, a social organization, or a branch under its committee) work there; a few
        of the others work at a unit of their street or district. Retired (over 60) and
        floating members have none. Drawn from a stream of its own, so that the rest of the
        town is the same as without it."""
        draw = self.work_rng.random()
        if age > RETIREMENT_AGE or floating:
            return None
        host = node.fields.get("host_unit_id")
        if host is not None:
            return host
        nearby = self.units_near.get(node.fields.get("street_area_id") or 0)
        if nearby and draw < WORK_ELSEWHERE_RATE:
            return nearby[int(draw / WORK_ELSEWHERE_RATE * len(nearby))]
        return None

    def member_rows(
        self,
        holders: list[Node],
        buildings_by_area: dict[int, list[int]],
        region_of_street: dict[int, str],
    ) -> Iterator[tuple]:
        """Rows in the column order of rosters.member_writing.MEMBER_INSERT, holder by holder."""
        rng = self.rng
        today = self.today
        now = f"{today.isoformat()} 08:00:00"
        encrypt, index = pii.encrypt, pii.blind_index
        for node in holders:
            area_id = node.fields["area_id"]
            buildings = buildings_by_area.get(area_id) or buildings_by_area.get(
                node.fields["street_area_id"], []
            )
            home_region = region_of_street.get(node.fields["street_area_id"], "330203")
            for k in range(node.members):
                member_id = node.first_member_id + k
                age = int(min(95, max(19, rng.gauss(50, 16))))
                birth = dt.date(today.year - age, rng.randint(1, 12), rng.randint(1, 28))
                region = home_region if rng.random() < 0.8 else rng.choice(OTHER_REGIONS)
                number = self.new_id_number(region, birth)
                gender = "M" if int(number[16]) % 2 else "F"
                decade = max(1930, min(2000, birth.year // 10 * 10))
                education = rng.choices(EDUCATIONS, EDU_BY_DECADE[decade])[0]
                earliest = birth.replace(year=birth.year + 18) + dt.timedelta(days=30)
                span = (today - earliest).days
                if rng.random() < 0.035 or span < 400:
                    joined = today - dt.timedelta(days=rng.randint(20, 360))
                    joined = max(joined, earliest)
                    status, confirmed = "probationary", None
                else:
                    joined = earliest + dt.timedelta(days=int(span * rng.betavariate(2, 3)))
                    joined = min(joined, today - dt.timedelta(days=400))
                    # 预备期一年: confirmed a year after joining, or a few days later
                    one_year = dt.date(joined.year + 1, joined.month, min(joined.day, 28))
                    confirmed = (one_year + dt.timedelta(days=rng.randint(0, 20))).isoformat()
                    status = "full"
                phone = f"1{rng.choice('35789')}{rng.randint(0, 999999999):09d}"
                floating = rng.random() < 0.03
                residence = rng.choice(buildings) if buildings else None
                work_unit = self.work_unit(node, age, floating)
                yield (
                    member_id,
                    self.person_name(),
                    gender,
                    rng.choice(ETHNICITIES),
                    education,
                    encrypt(number),
                    index(number),
                    encrypt(phone),
                    index(phone),
                    idnumber.mask(number),
                    pii.mask_phone(phone),
                    birth.isoformat(),
                    joined.isoformat(),
                    confirmed,
                    status,
                    "normal",
                    node.id,
                    node.path,
                    residence,
                    work_unit,
                    int(floating),
                    rng.choice(FLOATING_TO) if floating else "",
                    int(rng.random() < 0.01),
                    int(rng.random() < 0.06),
                    int(rng.random() < 0.04),
                    now,
                    now,
                )

    def plan_leadership(self, ordered_orgs: list[Node], plan: Plan) -> None:
        rng = self.rng
        today = self.today

        def first_member(node: Node) -> int | None:
            if node.members:
                return node.first_member_id
            for child in node.children:
                found = first_member(child)
                if found:
                    return found
            return None

        lid = itertools.count(1)
        for node in ordered_orgs:
            if node.fields["kind"] == "group":
                continue
            mid = first_member(node)
            if mid is None:
                continue
            years = 5 if node.fields["kind"] in ("committee", "working_committee") else 3
            start = today - dt.timedelta(days=rng.randint(30, 365 * years - 10))
            end = (
                start.replace(year=start.year + years)
                if not (start.month == 2 and start.day == 29)
                else start.replace(year=start.year + years, day=28)
            )
            dual = node.fields["sector"] in ("village", "community") and rng.random() < 0.99
            plan.leadership.append(
                (
                    next(lid),
                    node.id,
                    mid,
                    "secretary",
                    start.isoformat(),
                    end.isoformat(),
                    int(dual),
                )
            )
            if node.members >= 6:
                plan.leadership.append(
                    (next(lid), node.id, mid + 1, "deputy", start.isoformat(), end.isoformat(), 0)
                )
                for k in range(2, min(5, node.members)):
                    plan.leadership.append(
                        (
                            next(lid),
                            node.id,
                            mid + k,
                            "committee_member",
                            start.isoformat(),
                            end.isoformat(),
                            0,
                        )
                    )


def build_plan(
    *, scale: str, seed: int, today: dt.date | None = None
) -> tuple[Generator, Plan, list[Node], list[Node], list[Node]]:
    gen = Generator(scale=scale, seed=seed, today=today)
    plan = Plan(scale=scale, seed=seed, today=gen.today)
    gen.plan_areas(plan)
    gen.plan_orgs(plan)
    # Areas were created while planning organizations (communities, compounds, buildings).
    ordered_areas = assign_paths(plan.areas)
    place_compounds(ordered_areas)
    ordered_orgs = assign_paths(plan.orgs)
    area_ids = {id(a): a.id for a in ordered_areas}
    street_of: dict[int, int] = {}
    for a in ordered_areas:
        if a.fields["level"] == "street":
            for desc in walk(a):
                street_of[desc.id] = a.id
            street_of[a.id] = a.id
    for o in ordered_orgs:
        area = o.fields.pop("area")
        o.fields["unit_id"] = o.fields.pop("unit", None)
        o.fields["area_id"] = area_ids[id(area)] if area is not None else None
        o.fields["street_area_id"] = street_of.get(o.fields["area_id"] or 0) or o.fields["area_id"]
    plan.units = [
        (uid, name, sector, area_ids.get(a) if a else None, code, address)
        for uid, name, sector, a, code, address in plan.units
    ]
    plan_work_units(gen, plan, ordered_areas, plan.orgs)
    holders = gen.allocate_members(ordered_orgs)
    gen.plan_leadership(ordered_orgs, plan)
    plan.member_total = gen.member_total
    return gen, plan, ordered_areas, ordered_orgs, holders


def plan_work_units(
    gen: Generator, plan: Plan, ordered_areas: list[Node], roots: list[Node]
) -> None:
    """The unit hosting each organization, itself or through an ancestor (a committee's
    branches are in its unit), as ``host_unit_id``; and for each street, the units located in
    it or in its district, for members who work outside their own organization."""

    def inherit(nodes: list[Node], host: int | None) -> None:
        for n in nodes:
            n.fields["host_unit_id"] = n.fields["unit_id"] or host
            inherit(n.children, n.fields["host_unit_id"])

    inherit(roots, None)
    located: dict[int, list[int]] = {}
    for uid, _name, _sector, area_id, _code, _address in plan.units:
        if area_id is not None:
            located.setdefault(area_id, []).append(uid)
    for district in (a for a in ordered_areas if a.fields["level"] == "district"):
        for street in district.children:
            gen.units_near[street.id] = located.get(street.id, []) + located.get(district.id, [])


ProgressFn = Callable[[str], None]
