"""Demo 三访: a year of visits (民情日记) with their problems, written with bulk_insert.

- Village and community cadres (the secretaries and deputies of 村社 organizations) hold
  the monthly 上门家访 duty and visit 6–14 households a month;
- street leaders (the leadership of street working committees) each link 4–5 units and
  10 households and make a few 联系走访 a month;
- village branches run a 党员巡访服务岗 of four members who patrol a few times a week.

About a quarter of the visits raise a problem; older problems are mostly resolved. When the
cases demo has written cases, some problems of the last months are linked to a case in the
same place (its ``visit_id`` is set): visits never need cases rows to load.
At city scale only part of the cadres are given a year of visits (the numbers stay at a few
hundred thousand rows, written in a few seconds).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from typing import Any

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.core.bulk import bulk_insert, sync_sequences
from tongxin.core.demodata import DemoContext
from tongxin.geo.models import Area, AreaLevel
from tongxin.members.models import Member
from tongxin.orgs.models import Leadership, Unit
from tongxin.visits.models import (
    ContactAssignment,
    ContactTarget,
    PatrolPost,
    Visit,
    VisitProblem,
)

# cadres given a year of home visits; street leaders; patrol posts
LIMITS = {"town": (10_000, 400, 400), "city": (150, 60, 30)}

VISIT_COLUMNS = [
    "id",
    "kind",
    "visited_on",
    "visitor_id",
    "visitor_member_id",
    "visitor_name",
    "org_id",
    "org_path",
    "area_id",
    "area_path",
    "unit_id",
    "household",
    "target_id",
    "post_id",
    "people_met",
    "heard",
    "created_at",
]
PROBLEM_COLUMNS = [
    "id",
    "visit_id",
    "text",
    "status",
    "resolution",
    "case_pk",
    "case_code",
    "org_path",
    "area_path",
    "visited_on",
    "created_at",
    "updated_at",
]
ASSIGNMENT_COLUMNS = [
    "id",
    "leader_id",
    "org_id",
    "org_path",
    "contact_duty",
    "home_duty",
    "active",
    "created_at",
]
TARGET_COLUMNS = ["id", "assignment_id", "kind", "unit_id", "area_id", "label"]
POST_COLUMNS = [
    "id",
    "name",
    "org_id",
    "org_path",
    "area_id",
    "area_path",
    "place",
    "shifts",
    "active",
    "created_at",
]

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
PEOPLE = [
    "{s}大爷一家",
    "{s}阿姨",
    "独居老人{s}奶奶",
    "{s}师傅夫妇",
    "困难户{s}家",
    "退休党员{s}老师",
    "{s}家三口",
    "外来务工人员小{s}",
]
HEARD = [
    "身体还好，子女在外地工作，平时一个人在家。",
    "家里收入稳定，对村里近期修路很满意。",
    "老人行动不便，希望社区多来看看。",
    "孩子今年上小学，问了入学政策。",
    "对垃圾分类有意见，说投放点太远。",
    "反映邻里关系和睦，楼道卫生有改善。",
    "刚做完手术，医保报销还没办完。",
    "想参加社区的老年大学课程。",
    "关心宅基地置换的进度。",
    "说公交班次少，进城看病不方便。",
]
PROBLEMS = [
    "楼道灯不亮，晚上上下楼不安全",
    "小区门口道路破损，下雨积水",
    "垃圾清运不及时，气味大",
    "独居老人需要定期上门照看",
    "医保报销手续不清楚，需要帮助办理",
    "电瓶车在楼道充电，有火灾隐患",
    "村里公交班次太少，看病不方便",
    "邻里因漏水起纠纷，需要调解",
    "困难家庭申请低保，不知道怎么办",
    "健身器材损坏，老人不敢使用",
    "河道有漂浮垃圾",
    "希望增设休息座椅和遮阳棚",
]
RESOLUTIONS = [
    "当场讲解政策，已帮助办理",
    "联系物业已修复",
    "村委会研究后已解决",
    "已协调相关部门处理完毕",
    "已安排志愿者结对帮扶",
]
PATROL_HEARD = [
    "巡访田间地头，了解春耕用水情况。",
    "村前村后巡查，宣传防汛知识。",
    "走访村民，宣传垃圾分类新规。",
    "调解两户村民宅基地边界纠纷。",
]


def _next_id(model: Any) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


class _Stamp:
    """Timestamps as the database takes them (SQLite: naive UTC text, as Django writes)."""

    def __init__(self) -> None:
        self.pg = connection.vendor == "postgresql"

    def at(self, day: dt.date, hour: int) -> Any:
        value = dt.datetime.combine(day, dt.time(hour % 24), tzinfo=dt.UTC)
        return value if self.pg else value.replace(tzinfo=None).isoformat(sep=" ")


def _compounds_by_community() -> dict[str, list[tuple[int, str, str]]]:
    """community path -> [(compound id, path, name)], buildings left out."""
    out: dict[str, list[tuple[int, str, str]]] = defaultdict(list)
    for pk, path, name in Area.objects.filter(level=AreaLevel.COMPOUND).values_list(
        "id", "path", "name"
    ):
        out[path[: len(path) - Area.steplen]].append((pk, path, name))
    return out


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    today = min(ctx.today, timezone.localdate())
    stamp = _Stamp()
    n_cadres, n_leaders, n_posts = LIMITS.get(ctx.scale, LIMITS["town"])
    compounds = _compounds_by_community()
    if not compounds:
        return
    seats = list(
        Leadership.objects.filter(
            Q(
                org__area__level="community",
                org__sector__in=["village", "community"],
                role__in=["secretary", "deputy"],
            )
            | Q(org__area__level="street", org__kind__in=["working_committee", "committee"]),
            term_end__gte=today,
        )
        .order_by("org__path", "id")
        .values_list(
            "member_id",
            "member__name",
            "org_id",
            "org__path",
            "org__kind",
            "org__sector",
            "org__area__level",
            "org__area__path",
            "role",
        )
    )
    demo_member = _demo_member()
    seen: set[int] = set()
    cadres, leaders, villages = [], [], []
    for mid, name, org_id, org_path, kind, sector, level, area_path, role in seats:
        if mid in seen or area_path is None:
            continue
        if (
            level == "community"
            and sector in ("village", "community")
            and role != "committee_member"
        ):
            if area_path in compounds:
                seen.add(mid)
                cadres.append((mid, name, org_id, org_path, area_path))
                if sector == "village" and kind == "branch" and role == "secretary":
                    villages.append((org_id, org_path, area_path))
        elif level == "street" and kind in ("working_committee", "committee"):
            seen.add(mid)
            leaders.append((mid, name, org_id, org_path, area_path))
    # The demo branch secretary (zhibu) is a cadre too, so that login shows its own progress.
    if demo_member is not None and demo_member[0] not in seen:
        mid, name, org_id, org_path, home_area = demo_member
        if home_area is not None:
            community = next((c for c in compounds if home_area.startswith(c)), None)
            if community is not None:
                cadres.insert(0, (mid, name, org_id, org_path, community))
    step = max(1, len(cadres) // n_cadres)
    cadres = cadres[::step][:n_cadres]
    step = max(1, len(leaders) // n_leaders)
    leaders = leaders[::step][:n_leaders]
    villages = villages[:n_posts]

    units_by_street: dict[str, list[int]] = defaultdict(list)
    for pk, path in Unit.objects.exclude(area=None).values_list("id", "area__path"):
        for depth in range(1, len(path) // Area.steplen + 1):
            units_by_street[path[: depth * Area.steplen]].append(pk)

    ids = {
        m: itertools.count(_next_id(m))
        for m in (ContactAssignment, ContactTarget, PatrolPost, Visit, VisitProblem)
    }
    created = stamp.at(today - dt.timedelta(days=370), 1)
    assignments: list[tuple[Any, ...]] = []
    targets: list[tuple[Any, ...]] = []
    posts: list[tuple[Any, ...]] = []
    # (assignment id, member id, name, org id, org path, community path, [unit targets],
    #  [household targets])
    leader_plans = []
    for mid, name, org_id, org_path, area_path in leaders:
        street_compounds = [c for p, cs in compounds.items() if p.startswith(area_path) for c in cs]
        if not street_compounds:
            continue
        aid = next(ids[ContactAssignment])
        assignments.append((aid, mid, org_id, org_path, True, False, True, created))
        unit_pool = units_by_street.get(area_path, [])
        chosen_units = rng.sample(unit_pool, min(len(unit_pool), rng.choice([4, 5])))
        unit_targets, household_targets = [], []
        for u in chosen_units:
            tid = next(ids[ContactTarget])
            targets.append((tid, aid, "unit", u, None, ""))
            unit_targets.append((tid, u))
        for _k in range(10):
            cpk, cpath, _cname = rng.choice(street_compounds)
            label = f"{rng.randint(1, 30)}幢{rng.randint(1, 6)}0{rng.randint(1, 4)} {rng.choice(SURNAMES)}家"
            tid = next(ids[ContactTarget])
            targets.append((tid, aid, "household", None, cpk, label))
            household_targets.append((tid, cpk, cpath, label))
        leader_plans.append(
            (aid, mid, name, org_id, org_path, unit_targets, household_targets, street_compounds)
        )
    for mid, _name, org_id, org_path, _community in cadres:
        aid = next(ids[ContactAssignment])
        assignments.append((aid, mid, org_id, org_path, False, True, True, created))
    post_plans = []
    for org_id, org_path, community in villages:
        pid = next(ids[PatrolPost])
        cpk, cpath, cname = compounds[community][0]
        posts.append(
            (
                pid,
                f"{cname}党员巡访服务岗",
                org_id,
                org_path,
                cpk,
                cpath,
                f"{cname}村委会门口",
                "每天 8:00—11:00，15:00—17:00",
                True,
                created,
            )
        )
        post_plans.append((pid, org_id, org_path, cpk, cpath))

    bulk_insert(ContactAssignment._meta.db_table, ASSIGNMENT_COLUMNS, assignments)
    bulk_insert(ContactTarget._meta.db_table, TARGET_COLUMNS, targets)
    bulk_insert(PatrolPost._meta.db_table, POST_COLUMNS, posts)
    _post_members(post_plans)

    visits: list[tuple[Any, ...]] = []
    problems: list[tuple[Any, ...]] = []
    first_day = today - dt.timedelta(days=364)
    days = [first_day + dt.timedelta(days=d) for d in range(365)]
    recent = today - dt.timedelta(days=28)

    def add_visit(
        kind: str,
        day: dt.date,
        member: int | None,
        name: str,
        org_id: int,
        org_path: str,
        area: tuple[int, str],
        unit: int | None,
        household: str,
        target: int | None,
        post: int | None,
        heard: str,
    ) -> None:
        vid = next(ids[Visit])
        at = stamp.at(day, rng.randint(11, 13))  # evenings in Shanghai (UTC+8)
        people = rng.choice(PEOPLE).format(s=rng.choice(SURNAMES))
        visits.append(
            (
                vid,
                kind,
                day.isoformat(),
                None,
                member,
                name,
                org_id,
                org_path,
                area[0],
                area[1],
                unit,
                household,
                target,
                post,
                people,
                heard,
                at,
            )
        )
        if rng.random() < 0.25:
            if day >= recent:
                status, resolution = ("open", "")
            else:
                status, resolution = (
                    ("resolved", rng.choice(RESOLUTIONS)) if rng.random() < 0.8 else ("open", "")
                )
            problems.append(
                (
                    next(ids[VisitProblem]),
                    vid,
                    rng.choice(PROBLEMS),
                    status,
                    resolution,
                    None,
                    "",
                    org_path,
                    area[1],
                    day.isoformat(),
                    at,
                    at,
                )
            )

    for mid, name, org_id, org_path, community in cadres:
        places = compounds[community]
        for month_start in range(0, 365, 30):
            for _ in range(rng.randint(6, 14)):
                day = days[min(364, month_start + rng.randint(0, 29))]
                cpk, cpath, _cname = rng.choice(places)
                household = f"{rng.randint(1, 30)}号 {rng.choice(SURNAMES)}家"
                add_visit(
                    "home",
                    day,
                    mid,
                    name,
                    org_id,
                    org_path,
                    (cpk, cpath),
                    None,
                    household,
                    None,
                    None,
                    rng.choice(HEARD),
                )
    for (
        _aid,
        mid,
        name,
        org_id,
        org_path,
        unit_targets,
        households,
        street_compounds,
    ) in leader_plans:
        for _ in range(rng.randint(30, 48)):
            day = rng.choice(days)
            if unit_targets and rng.random() < 0.4:
                tid, unit = rng.choice(unit_targets)
                cpk, cpath, _cname = rng.choice(street_compounds)
                add_visit(
                    "contact",
                    day,
                    mid,
                    name,
                    org_id,
                    org_path,
                    (cpk, cpath),
                    unit,
                    "",
                    tid,
                    None,
                    "到联系单位调研，听取企业对营商环境的意见。",
                )
            else:
                tid, cpk, cpath, label = rng.choice(households)
                add_visit(
                    "contact",
                    day,
                    mid,
                    name,
                    org_id,
                    org_path,
                    (cpk, cpath),
                    None,
                    label,
                    tid,
                    None,
                    rng.choice(HEARD),
                )
    for pid, org_id, org_path, cpk, cpath in post_plans:
        for day in days:
            if rng.random() < 0.3:
                add_visit(
                    "patrol",
                    day,
                    None,
                    f"巡访员{rng.choice(SURNAMES)}",
                    org_id,
                    org_path,
                    (cpk, cpath),
                    None,
                    "",
                    None,
                    pid,
                    rng.choice(PATROL_HEARD),
                )

    bulk_insert(Visit._meta.db_table, VISIT_COLUMNS, visits)
    linked = _link_cases(problems, rng)
    bulk_insert(VisitProblem._meta.db_table, PROBLEM_COLUMNS, problems)
    _reset_sequences()
    ctx.say(
        f"三访：{len(assignments)} 名责任人，{len(posts)} 个巡访服务岗，{len(visits)} 次走访，"
        f"{len(problems)} 个问题（{linked} 个已转事件）"
    )


def _demo_member() -> tuple[int, str, int, str, str | None] | None:
    row = (
        User.objects.filter(username="zhibu", member__isnull=False)
        .values_list(
            "member_id",
            "member__name",
            "member__org_id",
            "member__org_path",
            "member__org__area__path",
        )
        .first()
    )
    return row


def _post_members(post_plans: list[tuple[int, int, str, int, str]]) -> None:
    """Four members of each village branch on duty at its post."""
    if not post_plans:
        return
    through = PatrolPost.members.through
    wanted = {org_id: pid for pid, org_id, *_rest in post_plans}
    rows: list[tuple[int, int]] = []
    per_post: dict[int, int] = defaultdict(int)
    for mid, org_id in (
        Member.objects.filter(org_id__in=list(wanted))
        .order_by("org_id", "-id")
        .values_list("id", "org_id")
        .iterator()
    ):
        pid = wanted[org_id]
        if per_post[pid] < 4:
            per_post[pid] += 1
            rows.append((pid, mid))
    bulk_insert(through._meta.db_table, ["patrolpost_id", "member_id"], rows)


def _link_cases(problems: list[tuple[Any, ...]], rng: Any) -> int:
    """Turn some open problems of the last three months into cases the cases demo wrote in
    the same place: the problem points at the case and the case at the visit."""
    try:
        # cases is optional (visits work without it): imported only when it is there.
        from tongxin.cases.models import Case
    except ImportError:  # pragma: no cover
        return 0
    paths = sorted({row[8] for row in problems if row[3] == "open"})
    by_area: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for start in range(0, len(paths), 500):
        for pk, code, path in Case.objects.filter(
            visit_id__isnull=True, area_path__in=paths[start : start + 500]
        ).values_list("id", "tracking_code", "area_path")[:50_000]:
            by_area[path].append((pk, code))
    if not by_area:
        return 0
    updates = []
    for i, row in enumerate(problems):
        if row[3] != "open" or rng.random() < 0.5:
            continue
        pool = by_area.get(row[8])
        if not pool:
            continue
        case_pk, code = pool.pop()
        problems[i] = (*row[:3], "case", "", case_pk, code, *row[7:])
        updates.append((row[1], case_pk))
    if updates:
        with connection.cursor() as cur:
            cur.executemany("UPDATE cases_case SET visit_id = %s WHERE id = %s", updates)
    return len(updates)


def _reset_sequences() -> None:
    models = (ContactAssignment, ContactTarget, PatrolPost, Visit, VisitProblem)
    sync_sequences(*(m._meta.db_table for m in models), PatrolPost.members.through._meta.db_table)


def wipe() -> None:
    VisitProblem.objects.all()._raw_delete(VisitProblem.objects.db)
    Visit.objects.all()._raw_delete(Visit.objects.db)
    PatrolPost.members.through.objects.all().delete()
    PatrolPost.objects.all().delete()
    ContactTarget.objects.all().delete()
    ContactAssignment.objects.all().delete()
