"""Demo 党群服务中心: one per district, street and community (seed 001: the city runs 3,372 at
all levels; the city demo is topped up or trimmed to exactly that), each with the standard
one-stop catalogue, two rooms, a few bookings and the 志愿服务月/日 events; and a handful of
social organizations per street, their guiding Party organization chosen by the
属地为主、行业为辅、区域兜底 rule."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from django.db.models import Max
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.centers.models import (
    Booking,
    CenterEvent,
    Room,
    ServiceCenter,
    ServiceItem,
    SocialOrganization,
)
from tongxin.centers.selectors import default_guiding_org
from tongxin.core import creditcode
from tongxin.core.bulk import bulk_insert
from tongxin.core.demodata import DemoContext
from tongxin.geo.models import Area, AreaLevel
from tongxin.orgs.models import Organization, OrgKind

CITY_TARGET = 3372
CITY_LATLNG = (29.868336, 121.543990)
SPREAD: dict[str, float] = {
    AreaLevel.DISTRICT: 0.25,
    AreaLevel.STREET: 0.06,
    AreaLevel.COMMUNITY: 0.015,
}
LEVEL_OF = {
    AreaLevel.DISTRICT: "district",
    AreaLevel.STREET: "street",
    AreaLevel.COMMUNITY: "community",
}
SUFFIX = {"district": "党群服务中心", "street": "党群服务中心", "community": "党群服务站"}
ITEMS = [
    ("党员服务", "党员组织关系转接", False, 30),
    ("党员服务", "党费收缴咨询", False, 15),
    ("民生服务", "社保医保咨询", True, 30),
    ("民生服务", "法律咨询", True, 60),
    ("便民服务", "老年人助餐登记", False, 15),
    ("便民服务", "居住证办理", True, 20),
]
ROOMS = [("多功能活动室", 60), ("党员会议室", 20)]
HOURS = {d: [["08:30", "12:00"], ["13:30", "17:30"]] for d in ["mon", "tue", "wed", "thu", "fri"]}
HOURS_WEEKEND = {**HOURS, "sat": [["09:00", "12:00"]], "sun": []}
SOCIAL_NAMES = [
    "红领之家志愿服务社",
    "邻里互助会",
    "银龄关爱服务中心",
    "青少年成长驿站",
    "巾帼家政服务社",
    "文体协会",
    "夕阳红合唱团",
    "绿色家园环保社",
]

CENTER_COLUMNS = [
    "id",
    "name",
    "level",
    "area_id",
    "org_id",
    "org_path",
    "address",
    "latitude",
    "longitude",
    "opening_hours",
    "closed_dates",
    "services",
    "contact_name",
    "phone",
    "contact_phone_enc",
    "contact_phone_masked",
    "is_active",
    "created_at",
]


def _jitter(path: str, spread: float) -> tuple[float, float]:
    h = hashlib.sha256(path.encode()).digest()
    a = (h[0] * 256 + h[1]) / 65535 - 0.5
    b = (h[2] * 256 + h[3]) / 65535 - 0.5
    return a * 2 * spread, b * 2 * spread


def _coords(path: str, levels: dict[str, str]) -> tuple[float, float]:
    lat, lng = CITY_LATLNG
    step = Area.steplen
    for i in range(step * 2, len(path) + 1, step):
        level = levels.get(path[:i])
        if level in SPREAD:
            dy, dx = _jitter(path[:i], SPREAD[level])
            lat, lng = lat + dy, lng + dx
    return round(lat, 6), round(lng, 6)


def _next_id(model: Any) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    now = timezone.now()
    areas = list(
        Area.objects.filter(level__in=list(LEVEL_OF))
        .order_by("path")
        .values_list("pk", "path", "name", "level")
    )
    levels = (
        dict(Area.objects.values_list("path", "level"))
        if len(areas) < 5000
        else {p: lv for _pk, p, _n, lv in areas}
    )
    # The Party organization running each place: the highest committee anchored there.
    runner: dict[int, tuple[int, str]] = {}
    for pk, path, area_id in (
        Organization.objects.filter(
            area__isnull=False,
            kind__in=[
                OrgKind.COMMITTEE,
                OrgKind.WORKING_COMMITTEE,
                OrgKind.GENERAL_BRANCH,
                OrgKind.BRANCH,
            ],
        )
        .order_by("-path")
        .values_list("pk", "path", "area_id")
    ):
        prev = runner.get(area_id)
        if prev is None or len(path) <= len(prev[1]):
            runner[area_id] = (pk, path)
    by_path = {p: pk for pk, p, _n, _lv in areas}
    by_path.update(Area.objects.filter(level=AreaLevel.CITY).values_list("path", "pk"))
    places = []
    for pk, path, name, level in areas:
        org = runner.get(pk)
        probe = path
        while org is None and len(probe) > Area.steplen:  # the nearest place above with one
            probe = probe[: -Area.steplen]
            org = runner.get(by_path.get(probe, -1))
        if org is not None:
            places.append((pk, path, name, LEVEL_OF[level], org))
    if ctx.scale == "city":
        extra = CITY_TARGET - len(places)
        communities = [p for p in places if p[3] == "community"]
        if extra < 0:
            drop = {id(p) for p in communities[:-extra]}
            places = [p for p in places if id(p) not in drop]
        else:
            for i in range(extra):  # a second station in the larger communities
                pk, path, name, level, org = communities[i % len(communities)]
                places.append((pk, path + f"#{i}", name + "第二", level, org))
    # the centre's own line (public); the contact person's mobile is left blank
    phone = "0574-8800" + "0000"
    # the coming 元旦 as a declared holiday, so the booking rule is seen at work
    closed = _json([{"date": f"{ctx.today.year + 1}-01-01", "note": "元旦"}])
    first = _next_id(ServiceCenter)
    rows = []
    centers: list[tuple[int, str]] = []
    for i, (pk, path, name, level, (org_id, org_path)) in enumerate(places):
        cid = first + i
        lat, lng = _coords(path.split("#")[0], levels)
        if "#" in path:
            lat, lng = lat + 0.003, lng + 0.003
        hours = HOURS_WEEKEND if level != "community" else HOURS
        rows.append(
            (
                cid,
                name + SUFFIX[level],
                level,
                pk,
                org_id,
                org_path,
                f"{name}中心路{i % 90 + 1}号",
                lat,
                lng,
                _json(hours),
                closed,
                "党员教育、志愿服务、政务代办、文体活动",
                rng.choice(["周敏", "陈立", "王建", "刘芳", "孙越", "赵红"]),
                phone,
                "",
                "",
                True,
                now,
            )
        )
        centers.append((cid, level))
    n = bulk_insert(ServiceCenter._meta.db_table, CENTER_COLUMNS, rows)
    item_id, room_id = _next_id(ServiceItem), _next_id(Room)
    item_rows, room_rows = [], []
    for cid, _level in centers:
        for cat, iname, bookable, minutes in ITEMS:
            item_rows.append((item_id, cid, iname, cat, "", bookable, minutes))
            item_id += 1
        for rname, cap in ROOMS:
            room_rows.append((room_id, cid, rname, cap))
            room_id += 1
    bulk_insert(
        ServiceItem._meta.db_table,
        ["id", "center_id", "name", "category", "description", "bookable", "duration_minutes"],
        item_rows,
    )
    bulk_insert(Room._meta.db_table, ["id", "center_id", "name", "capacity"], room_rows)
    # bookings: a few per street/district centre this month and next
    booker = _booker()
    b_rows = []
    bid = _next_id(Booking)
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    room_of: dict[int, int] = {}
    for rid, cid, _n, _c in room_rows:
        room_of.setdefault(cid, rid)
    if booker is not None:
        for cid, level in centers:
            if level == "community" and rng.random() > 0.2:
                continue
            for k in range(3):
                start = today + dt.timedelta(days=rng.randint(-10, 20), hours=9 + 3 * k)
                b_rows.append(
                    (
                        bid,
                        cid,
                        room_of[cid],
                        None,
                        booker,
                        rng.choice(["支部主题党日", "党员冬训", "老年大学课程", "居民议事会"]),
                        start,
                        start + dt.timedelta(hours=2),
                        "confirmed",
                        now,
                    )
                )
                bid += 1
    bulk_insert(
        Booking._meta.db_table,
        [
            "id",
            "center_id",
            "room_id",
            "item_id",
            "booked_by_id",
            "purpose",
            "start",
            "end",
            "status",
            "created_at",
        ],
        b_rows,
    )
    # events: 志愿服务月 (March) for district/street centres, a 志愿服务日 (the 5th) elsewhere
    e_rows = []
    eid = _next_id(CenterEvent)
    year = ctx.today.year
    for cid, level in centers:
        if level != "community":
            e_rows.append(
                (
                    eid,
                    cid,
                    "volunteer_month",
                    f"{year}年学雷锋志愿服务月",
                    dt.date(year, 3, 1),
                    dt.date(year, 3, 31),
                    "",
                )
            )
            eid += 1
        day = ctx.today.replace(day=5)
        e_rows.append((eid, cid, "volunteer_day", f"{day.month}月志愿服务日", day, day, ""))
        eid += 1
    bulk_insert(
        CenterEvent._meta.db_table,
        ["id", "center_id", "kind", "title", "starts_on", "ends_on", "description"],
        e_rows,
    )
    _social_orgs(ctx)
    ctx.say(f"党群服务中心：{n} 个（{len(room_rows)} 个场地，{len(b_rows)} 条预约）")


def _json(value: Any) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def _booker() -> int | None:
    return (
        User.objects.filter(username__in=["jiedao", "admin"])
        .order_by("username")
        .values_list("pk", flat=True)
        .first()
    )


def _social_orgs(ctx: DemoContext) -> None:
    """One per community (town) or per street (city); the rule decides each guiding
    organization (two or three queries each)."""
    comms = list(Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("path"))
    if ctx.scale == "city":  # the first community of each street
        seen: set[str] = set()
        firsts = []
        for c in comms:
            street = c.path[: -Area.steplen]
            if street not in seen:
                seen.add(street)
                firsts.append(c)
        comms = firsts
    rows = []
    sid = _next_id(SocialOrganization)
    now = timezone.now()
    for i, comm in enumerate(comms):
        org, rule = default_guiding_org(comm)
        name = comm.name + SOCIAL_NAMES[i % len(SOCIAL_NAMES)]
        body = f"MA{i:06d}"
        code = creditcode.make("52", "330203", body)
        rows.append(
            (
                sid,
                name,
                code,
                "community",
                comm.pk,
                None,
                org.pk if org else None,
                rule,
                "志愿服务、为老服务",
                now,
            )
        )
        sid += 1
    bulk_insert(
        SocialOrganization._meta.db_table,
        [
            "id",
            "name",
            "credit_code",
            "kind",
            "area_id",
            "unit_id",
            "guiding_org_id",
            "guiding_rule",
            "services",
            "created_at",
        ],
        rows,
    )


def wipe() -> None:
    Booking.objects.all().delete()
    CenterEvent.objects.all().delete()
    Room.objects.all().delete()
    ServiceItem.objects.all().delete()
    ServiceCenter.objects.all().delete()
    SocialOrganization.objects.all().delete()
