"""Demo cases: a year of 网格呼叫 → 镇街响应 → 部门报到 (about 20,000 for the town, 60,000 for
the city), written with bulk_insert. Older cases are mostly closed and rated; recent ones sit
in every inbox, some past their deadline (催办/督办). Adds the department handler ``bumen``
(城管) and, when no other module made one, the resident ``jumin``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from tongxin.accounts.models import Resident, Role, RoleAssignment, User
from tongxin.cases.models import (
    OPEN_STATES,
    Agency,
    AgencyMember,
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    RoutingRule,
)
from tongxin.core.bulk import bulk_insert, sync_sequences
from tongxin.core.demodata import DEMO_PASSWORD, DemoContext
from tongxin.geo.models import Area, AreaLevel

# jumin (the resident) is listed by the sharing demo; this one only makes it when missing.
DEMO_USERS = [("bumen", "部门处置人员（城管）：派遣到城管的事件；居民 jumin 可报事、评价")]
SIZE = {"town": 20_000, "city": 60_000}  # city: kept small so that the demo stays fast

CASE_COLUMNS = [
    "id",
    "tracking_code",
    "token",
    "category_id",
    "area_id",
    "area_path",
    "address",
    "latitude",
    "longitude",
    "title",
    "description",
    "source",
    "priority",
    "state",
    "agency_id",
    "reporter_id",
    "resident_id",
    "reporter_name",
    "reporter_phone_enc",
    "reporter_phone_masked",
    "visit_id",
    "api_key_id",
    "merged_into_id",
    "reported_at",
    "deadline_at",
    "updated_at",
    "closed_at",
    "overdue_level",
    "escalations",
    "rating",
    "rating_note",
    "reopened",
    "status_note",
    "dispatched_at",
]
# The department sees a case from its dispatch on (Case.dispatched_at).
DISPATCHED = ("dispatched", "claimed", "resolved", "verified", "returned", "closed")
EVENT_COLUMNS = ["case_id", "kind", "actor_id", "at", "from_state", "to_state", "note", "public"]

PROBLEMS = {
    "municipal": [
        "路灯不亮，晚上出行不安全",
        "井盖松动，车辆经过响声很大",
        "小区门口道路破损积水",
        "停水一整天没有通知",
        "下水道堵塞，污水外溢",
    ],
    "sanitation": [
        "垃圾桶满了好几天没人清运",
        "楼道堆放杂物，气味很大",
        "绿化带里有建筑垃圾",
        "垃圾分类点脏乱",
        "河道漂浮垃圾",
    ],
    "illegal_building": ["一楼住户在院子里违章搭建", "楼顶加建阳光房", "车库改成住房出租"],
    "noise": ["夜间施工噪音扰民", "广场舞音响声音太大", "楼下饭店排风机噪音"],
    "property": ["电梯经常故障，物业不修", "物业费上涨没有公示", "地下车库照明坏了"],
    "security": ["小区监控坏了很久", "楼道消防通道被电瓶车堵住", "单元门门禁损坏"],
    "neighbour": ["楼上漏水到我家，协商不成", "邻居在公共走廊堆放物品", "邻居养狗不拴绳"],
    "market": ["商铺占道经营", "路边摊贩影响通行", "超市食品过期"],
    "welfare": ["独居老人需要上门照看", "困难家庭申请救助", "残疾人出行困难"],
    "other": ["建议增加小区休息座椅", "公交站牌信息过时", "希望增设快递柜"],
}
PLACES = ["北门", "南门", "3号楼", "5号楼", "12幢", "东侧停车场", "中心花园", "物业楼旁"]
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def tracking_code(n: int) -> str:
    """A unique code per id: a bijection of the id over 32^8 (odd multiplier)."""
    x = (n * 0x9E3779B1 + 0x5BD1E995) % (32**8)
    out = []
    for _ in range(8):
        x, r = divmod(x, 32)
        out.append(ALPHABET[r])
    return "SJ" + "".join(out)


_PG: list[bool] = []


def _ts(value: dt.datetime | None) -> Any:
    """A timestamp as the database takes it: SQLite stores naive UTC text (as Django does)."""
    if value is None or _PG[0]:
        return value
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _next_id(model: Any) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _demo_anchor() -> Area | None:
    """The area of the demo street secretary (jiedao), else any street."""
    ra = RoleAssignment.objects.filter(user__username="jiedao").select_related("org__area").first()
    if ra is not None and ra.org is not None and ra.org.area is not None:
        return ra.org.area
    return Area.objects.filter(level=AreaLevel.STREET).order_by("path").first()


def _users(compound: Area, city: Area | None) -> tuple[User | None, Resident | None]:
    password = make_password(DEMO_PASSWORD)
    bumen = User.objects.filter(username="bumen").first()
    if bumen is None and city is not None:
        bumen = User.objects.create(
            username="bumen", display_name="城管中队 吴强", password=password
        )
        RoleAssignment.objects.create(
            user=bumen, role=Role.objects.get(code="department"), area=city, reach="subtree"
        )
        AgencyMember.objects.create(user=bumen, agency=Agency.objects.get(code="chengguan"))
    jumin = User.objects.filter(username="jumin").first()
    if jumin is None:
        jumin = User.objects.create(username="jumin", display_name="居民 林晓", password=password)
    resident = Resident.objects.filter(user=jumin).first()
    if resident is None:
        resident = Resident(user=jumin, name="林晓", home=compound)
        resident.set_phone("13912345678")
        resident.save()
    return bumen, resident


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    now = timezone.now()
    _PG[:] = [connection.vendor == "postgresql"]
    categories = list(Category.objects.filter(active=True).select_related("default_agency"))
    agencies = list(Agency.objects.filter(active=True))
    anchor = _demo_anchor()
    compounds = list(
        Area.objects.filter(level=AreaLevel.COMPOUND).order_by("path").values_list("id", "path")
    )
    if not compounds or not categories or anchor is None:
        return
    local = [c for c in compounds if c[1].startswith(anchor.path)] or compounds
    city = Area.objects.filter(depth=1).order_by("path").first()
    # jumin's home: the story compound (the loader makes jumin there), else the street's first.
    jumin_home = Area.objects.filter(pk=ctx.story_compound_id).first() or Area.objects.get(
        pk=local[0][0]
    )
    bumen, resident = _users(jumin_home, city)
    jumin_home = resident.home if resident is not None else jumin_home
    district = Area.objects.filter(level=AreaLevel.DISTRICT).order_by("path").first()
    if district is not None:
        # A district rule: 噪声扰民 goes to 城管 there rather than 生态环境 (most specific wins).
        RoutingRule.objects.get_or_create(
            area=district,
            category=next(c for c in categories if c.code == "noise"),
            defaults={"agency": Agency.objects.get(code="chengguan")},
        )

    n = SIZE.get(ctx.scale, SIZE["town"])
    first = _next_id(Case)
    ev_rows: list[tuple[Any, ...]] = []

    def rows():
        for i in range(n):
            pk = first + i
            cat = categories[rng.randrange(len(categories))]
            # A third of the cases in the demo street: its inboxes are full.
            area_id, path = (
                local[rng.randrange(len(local))]
                if rng.random() < 0.33
                else compounds[rng.randrange(len(compounds))]
            )
            age_days = rng.random() ** 1.6 * 365  # more recent than old
            reported = now - dt.timedelta(days=age_days, minutes=rng.randrange(600))
            urgent = rng.random() < 0.06
            hours = cat.hours_urgent if urgent else cat.hours_normal
            deadline = reported + dt.timedelta(hours=hours)
            text = rng.choice(PROBLEMS.get(cat.code, PROBLEMS["other"]))
            place = rng.choice(PLACES)
            description = f"{place}{text}。"
            r = rng.random()
            closed_at = None
            rating = None
            escalations = 1 if rng.random() < 0.03 else 0
            if age_days > 20 or (age_days > 3 and r < 0.6):
                state = "closed" if r < 0.9 else ("cancelled" if r < 0.95 else "merged")
                took = dt.timedelta(hours=hours * (0.2 + rng.random() * (1.3 if r < 0.8 else 2.0)))
                closed_at = min(reported + took, now) if state == "closed" else None
                if state == "closed" and rng.random() < 0.6:
                    rating = rng.choices([5, 4, 3, 2, 1], [55, 25, 10, 6, 4])[0]
                updated = closed_at or reported + dt.timedelta(hours=2)
            else:
                state = rng.choices(
                    [
                        "reported",
                        "accepted",
                        "dispatched",
                        "claimed",
                        "resolved",
                        "verified",
                        "returned",
                        "escalated",
                    ],
                    [18, 12, 20, 25, 12, 5, 4, 4],
                )[0]
                updated = reported + (now - reported) * rng.random()
                if state == "escalated":
                    escalations = 1
            overdue = 0
            if state in OPEN_STATES and deadline < now:
                overdue = 2 if deadline + (deadline - reported) < now else 1
            agency = cat.default_agency_id if state not in ("reported", "cancelled") else None
            if agency is None and state not in ("reported", "cancelled"):
                agency = agencies[rng.randrange(len(agencies))].pk
            is_jumin = i % 997 == 0 and resident is not None
            source = (
                "resident"
                if is_jumin
                else rng.choice(["grid", "grid", "resident", "phone", "web", "visit"])
            )
            yield (
                pk,
                tracking_code(pk),
                None,
                cat.pk,
                area_id if not is_jumin else jumin_home.pk,
                path if not is_jumin else jumin_home.path,
                "",
                None,
                None,
                description[:30],
                description,
                source,
                "urgent" if urgent else "normal",
                state,
                agency,
                None,
                resident.pk if is_jumin and resident else None,
                resident.name if is_jumin and resident else "",
                "",
                "",
                None,
                None,
                None,
                _ts(reported),
                _ts(deadline),
                _ts(updated),
                _ts(closed_at),
                overdue,
                escalations,
                rating,
                "",
                False,
                "已处理完毕。" if state == "closed" else "",
                _ts(reported + (updated - reported) / 3) if state in DISPATCHED else None,
            )
            ev_rows.append((pk, "report", None, _ts(reported), "", "reported", "", True))
            if state != "reported":
                kind = {
                    "closed": "close",
                    "cancelled": "cancel",
                    "merged": "merge",
                    "accepted": "accept",
                    "dispatched": "dispatch",
                    "claimed": "claim",
                    "resolved": "resolve",
                    "verified": "verify",
                    "returned": "return",
                    "escalated": "escalate",
                }[state]
                ev_rows.append((pk, kind, None, _ts(updated), "", state, "", True))
            if overdue:
                ev_rows.append(
                    (
                        pk,
                        "urge",
                        None,
                        _ts(deadline),
                        state,
                        state,
                        "已超过办理时限，系统催办。",
                        True,
                    )
                )

    written = bulk_insert(Case._meta.db_table, CASE_COLUMNS, rows())
    bulk_insert(CaseEvent._meta.db_table, EVENT_COLUMNS, ev_rows)
    sync_sequences(Case._meta.db_table)
    ctx.say(f"事件 {written} 件（{len(ev_rows)} 条办理记录）")
    del bumen


def wipe() -> None:
    CasePhoto.objects.all().delete()
    CaseEvent.objects.all()._raw_delete(CaseEvent.objects.db)
    Case.objects.update(merged_into=None)
    Case.objects.all()._raw_delete(Case.objects.db)
    RoutingRule.objects.all().delete()
    AgencyMember.objects.filter(user__username="bumen").delete()
    Resident.objects.filter(user__username="jumin", user__display_name="居民 林晓").delete()
    User.objects.filter(username="bumen", display_name="城管中队 吴强").delete()
    User.objects.filter(username="jumin", display_name="居民 林晓").delete()
