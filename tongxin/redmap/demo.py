"""Demo 初心图谱 (seed 001: "近400个市县红色示范基地 … 200个初心学堂"): at city scale 400 红色示范基地
and 党章学堂 and 200 初心学堂, spread over the communities near their coordinates (fewer in a
town, in proportion to its members, at least a map's worth); two lessons per 学堂, a few 初心之旅
routes per district, check-ins of this month and the last, and a group visit booked for the
story branch next week (through the service, so that its 主题党日 is planned)."""

from __future__ import annotations

import datetime as dt
import json
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils import timezone

from tongxin.core.bulk import bulk_insert
from tongxin.core.demodata import DemoContext
from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope
from tongxin.geo.models import Area, AreaLevel
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, OrgKind
from tongxin.redmap import services
from tongxin.redmap.models import (
    CheckIn,
    GroupVisit,
    Lesson,
    RedSite,
    Route,
    RouteStop,
    SiteFile,
    SiteKind,
)

CITY_SITES, CITY_SCHOOLS, CITY_MEMBERS = 400, 200, 561_000
BASE_NAMES = ["红色教育基地", "革命纪念馆", "烈士陵园", "党史陈列馆", "初心广场", "红色村史馆"]
SCHOOL_NAMES = ["初心学堂", "初心讲堂", "红色学堂"]
HOURS = {d: [["09:00", "16:30"]] for d in ("tue", "wed", "thu", "fri", "sat", "sun")}
LESSONS = [
    ("党章学习第一课", "学习党章总纲，重温入党誓词，讲述张人亚守护党章的故事。"),
    ("红色家书里的初心", "诵读革命先辈家书，交流学习体会，撰写一封给自己的初心信。"),
    ("身边的先锋", "邀请本村社区的老党员讲述身边的先锋故事，结合网格服务谈体会。"),
]
STORIES = [
    "这里是本地党组织早期活动的旧址，保存着革命年代的文献和实物。",
    "基地以图片、实物和情景再现讲述党在这片土地上的奋斗历程，是党员干部开展组织生活的常去之处。",
    "张人亚冒着生命危险守护党章的故事在这里代代相传。",
]


def _next_id(model: Any) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    now = timezone.now()
    members = Member.objects.count()
    share = min(1.0, members / CITY_MEMBERS)
    n_sites = max(16, round(CITY_SITES * share))
    n_schools = max(8, round(CITY_SCHOOLS * share))
    # The demo areas carry coordinates at the compounds (小区): a site stands in the community
    # of one of them, near its coordinates.
    communities = {
        path: (pk, name)
        for pk, path, name in Area.objects.filter(level=AreaLevel.COMMUNITY).values_list(
            "pk", "path", "name"
        )
    }
    comms = []
    for path, lat, lng in (
        Area.objects.filter(level=AreaLevel.COMPOUND, latitude__isnull=False)
        .order_by("path")
        .values_list("path", "latitude", "longitude")
    ):
        parent = communities.get(path[: -Area.steplen])
        if parent is not None:
            comms.append((parent[0], path[: -Area.steplen], parent[1], lat, lng))
    if not comms:
        return
    districts = list(
        Area.objects.filter(level=AreaLevel.DISTRICT).order_by("path").values_list("pk", "path")
    )
    # The organization managing a district's sites: the committee anchored at the district.
    runners: dict[str, tuple[int, str]] = {}
    for pk, path, area_path in Organization.objects.filter(
        kind__in=[OrgKind.COMMITTEE, OrgKind.WORKING_COMMITTEE], area__level=AreaLevel.DISTRICT
    ).values_list("pk", "path", "area__path"):
        runners.setdefault(area_path, (pk, path))
    root = Organization.objects.filter(depth=1).order_by("path").values_list("pk", "path").first()
    if root is None:
        return

    def runner_of(area_path: str) -> tuple[int, str]:
        for _d_pk, d_path in districts:
            if area_path.startswith(d_path) and d_path in runners:
                return runners[d_path]
        return root

    site_id = _next_id(RedSite)
    rows: list[tuple[Any, ...]] = []
    plan = [SiteKind.SCHOOL] * n_schools + [
        SiteKind.CHARTER if i % 10 == 0 else SiteKind.BASE for i in range(n_sites)
    ]
    for i, kind in enumerate(plan):
        a_pk, a_path, a_name, lat, lng = comms[(i * 7919) % len(comms)]
        org_pk, org_path = runner_of(a_path)
        if kind == SiteKind.SCHOOL:
            name = f"{a_name}{SCHOOL_NAMES[i % len(SCHOOL_NAMES)]}"
        elif kind == SiteKind.CHARTER:
            name = f"{a_name}党章学堂"
        else:
            name = f"{a_name}{BASE_NAMES[i % len(BASE_NAMES)]}"
        if i == n_schools:
            name = "张人亚党章学堂"
        rows.append(
            (
                site_id + i,
                f"{name}（{i + 1}）" if i != n_schools else name,
                kind,
                f"{a_name}{rng.randint(1, 200)}号",
                a_pk,
                a_path,
                org_pk,
                org_path,
                float(lat) + rng.uniform(-0.01, 0.01),
                float(lng) + rng.uniform(-0.01, 0.01),
                200,
                HOURS,
                [],
                rng.choice([30, 50, 80, 120, 200]),
                STORIES[i % len(STORIES)],
                secrets.token_hex(16),
                True,
                now,
            )
        )
    bulk_insert(
        RedSite._meta.db_table,
        [
            "id",
            "name",
            "kind",
            "address",
            "area_id",
            "area_path",
            "org_id",
            "org_path",
            "latitude",
            "longitude",
            "radius_m",
            "opening_hours",
            "closed_dates",
            "capacity",
            "story",
            "door_secret",
            "is_active",
            "created_at",
        ],
        [(*r[:11], json.dumps(r[11]), json.dumps(r[12]), *r[13:]) for r in rows],
    )
    ctx.say(f"redmap: {len(rows)} red sites")
    schools = [r[0] for r in rows if r[2] == SiteKind.SCHOOL]
    lesson_id = _next_id(Lesson)
    bulk_insert(
        Lesson._meta.db_table,
        ["id", "site_id", "title", "body", "created_at"],
        (
            (lesson_id + 2 * n + k, sid, *LESSONS[(n + k) % len(LESSONS)], now)
            for n, sid in enumerate(schools)
            for k in range(2)
        ),
    )
    _routes(ctx, rows, districts, runner_of, now)
    _checkins(ctx, [r[0] for r in rows], now)
    _story_visit(ctx, rows)


def _routes(ctx: DemoContext, rows: list[tuple[Any, ...]], districts, runner_of, now) -> None:
    route_id, stop_id = _next_id(Route), _next_id(RouteStop)
    routes, stops = [], []
    for _d_pk, d_path in districts:
        in_district = [r for r in rows if r[5].startswith(d_path)]
        for n in range(min(3, len(in_district) // 4)):
            org_pk, org_path = runner_of(d_path)
            routes.append(
                (
                    route_id,
                    f"初心之旅·第{n + 1}线",
                    "沿线参观红色基地，重温入党誓词。",
                    org_pk,
                    org_path,
                    now,
                )
            )
            for pos, r in enumerate(ctx.rng.sample(in_district, 4), start=1):
                stops.append((stop_id, route_id, r[0], pos))
                stop_id += 1
            route_id += 1
    cols = ["id", "name", "description", "org_id", "org_path", "created_at"]
    bulk_insert(Route._meta.db_table, cols, routes)
    bulk_insert(RouteStop._meta.db_table, ["id", "route_id", "site_id", "position"], stops)


def _checkins(ctx: DemoContext, site_ids: list[int], now: dt.datetime) -> None:
    """About one member in twenty checked in once this month or last."""
    rng = ctx.rng
    members = list(Member.objects.order_by("id").values_list("id", "org_path")[::20])
    today = ctx.today
    start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    span = (today - start).days
    check_id = _next_id(CheckIn)
    out = []
    for i, (m_id, org_path) in enumerate(members):
        on = start + dt.timedelta(days=rng.randint(0, max(0, span - 1)))
        at = timezone.make_aware(dt.datetime.combine(on, dt.time(rng.randint(9, 15), 30)))
        out.append(
            (check_id + i, rng.choice(site_ids), m_id, org_path, on, at, None, rng.randint(5, 150))
        )
    cols = ["id", "site_id", "member_id", "member_org_path", "on", "at", "visit_id", "distance_m"]
    bulk_insert(CheckIn._meta.db_table, cols, out)
    ctx.say(f"redmap: {len(out)} check-ins")


def _story_visit(ctx: DemoContext, rows: list[tuple[Any, ...]]) -> None:
    user = get_user_model().objects.filter(username="zhibu").first()
    member_id = getattr(user, "member_id", None)
    member = Member.objects.filter(pk=member_id).first() if member_id else None
    if member is None:
        return
    branch = Organization.objects.get(pk=member.org_id)
    site = RedSite.objects.get(pk=rows[len(rows) // 2][0])
    day = ctx.today + dt.timedelta(days=7)
    while day.weekday() == 0:  # closed on Mondays
        day += dt.timedelta(days=1)
    try:
        services.visit_book(
            scope=Scope.everything(),
            actor=None,
            site=site,
            branch=branch,
            date=day,
            start_time=dt.time(9, 30),
            end_time=dt.time(11, 30),
            people=min(site.capacity, 20),
        )
    except ServiceError:
        return  # a branch that is not a 党支部 in this demo: no story visit


def wipe() -> None:
    """The demo command's --reset: the 初心图谱's rows go before the organizations they name."""
    for model in (CheckIn, GroupVisit, RouteStop, Route, SiteFile, Lesson, RedSite):
        model.objects.all().delete()
