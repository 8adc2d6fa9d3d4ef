"""Demo 共享小区: residents in every compound posting needs and offers (about 3,000 open
listings for the town, 100,000 for the city), their jieba tokens, and some matches at every
stage. Written with bulk_insert; the token lists come from a small catalogue tokenized once.
Gives the resident ``jumin`` (made by the cases demo when present) neighbours to pair with."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection
from django.utils import timezone

from tongxin.accounts.models import Resident, RoleAssignment, User
from tongxin.core import pii
from tongxin.core.bulk import bulk_insert, sync_sequences
from tongxin.core.demodata import DEMO_PASSWORD, DemoContext
from tongxin.geo.models import Area, AreaLevel
from tongxin.sharing import services, text
from tongxin.sharing.models import Listing, ListingReport, ListingToken, Match

DEMO_USERS = [("jumin", "居民：共享小区发布需求和服务、对接邻居、社区微项目（手机页面）")]
OPEN_LISTINGS = {"town": 3_000, "city": 100_000}
RESIDENT_PREFIX = "demo_res_"
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董潘袁蔡蒋余于杜叶程"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红梅建国志强秀珍海燕晓东"

# (direction, kind, title, body)
CATALOGUE: list[tuple[str, str, str, str]] = [
    (
        "need",
        "childcare",
        "工作日下午需要有人帮忙接孩子放学",
        "孩子二年级，学校就在小区旁边，4点放学",
    ),
    ("need", "childcare", "周末找人临时照看孩子半天", "孩子5岁，很乖，家里有玩具和绘本"),
    ("need", "childcare", "暑假想找邻居一起拼托管", "两个孩子，希望和邻居家孩子一起做作业"),
    ("offer", "childcare", "下午有空，可以帮忙接孩子放学", "退休教师，每天下午都在家"),
    ("offer", "childcare", "周末可以帮忙照看孩子", "自己也有孩子，可以一起玩"),
    ("offer", "childcare", "可以辅导小学生作业", "数学语文都可以，晚上7点以后"),
    ("need", "elder_care", "家里老人想找伴一起晨练", "老人70岁，身体硬朗，喜欢打太极"),
    ("need", "elder_care", "独居老人需要有人每天问候一下", "子女在外地，希望邻居帮忙看看"),
    ("need", "elder_care", "想找几位老人抱团一起做饭吃饭", "一个人做饭不方便，想几家一起"),
    ("offer", "elder_care", "愿意陪小区老人聊天散步", "每天上午有空"),
    ("offer", "elder_care", "可以帮老人代买菜和药", "每天去菜场，顺路带回来"),
    ("offer", "elder_care", "抱团养老，欢迎老人一起做饭", "家里厨房大，几位老人一起吃饭热闹"),
    ("need", "idle_goods", "求一辆儿童自行车", "孩子6岁，旧的也可以"),
    ("need", "idle_goods", "求闲置婴儿推车", "宝宝刚出生，需要一辆推车"),
    ("need", "idle_goods", "求小学课外书", "三四年级的课外读物"),
    ("offer", "idle_goods", "闲置婴儿推车免费送", "九成新，孩子大了用不上"),
    ("offer", "idle_goods", "儿童自行车转送邻居", "16寸，孩子长高了骑不了"),
    ("offer", "idle_goods", "小学课外书一箱送给需要的孩子", "大约40本，适合低年级"),
    ("need", "tool", "借一把电钻装窗帘", "用一个下午就还"),
    ("need", "tool", "借梯子换灯泡", "家里没有梯子"),
    ("offer", "tool", "家里有电钻可以出借", "冲击钻，带钻头"),
    ("offer", "tool", "出借折叠梯子", "两米高，铝合金"),
    ("need", "skill", "想学做智能手机视频通话", "想和外地的孙子视频"),
    ("need", "skill", "家里水龙头漏水求帮忙看看", "厨房水龙头一直滴水"),
    ("offer", "skill", "教老人用智能手机", "视频通话、扫码付款都可以教"),
    ("offer", "skill", "会修水电，可以帮邻居看看", "水龙头、开关插座小问题"),
    ("offer", "skill", "免费理发，爱心发屋", "每周六上午在小区活动室"),
    ("need", "other", "想找邻居一起拼车上班", "每天8点去高新区"),
    ("offer", "other", "每天开车去高新区，可以带人", "早上7点50出发"),
    ("need", "other", "出差一周，求帮忙浇花喂猫", "下周一到周五"),
    ("offer", "other", "可以帮邻居收快递", "白天都在家"),
]


def _compounds() -> list[tuple[int, str, int | None, int | None]]:
    """(id, path, community id, street id) of every compound: one query for the areas."""
    rows = Area.objects.filter(
        level__in=[AreaLevel.COMPOUND, AreaLevel.COMMUNITY, AreaLevel.STREET]
    ).values_list("id", "path", "level")
    by_path = {p: (pk, level) for pk, p, level in rows}
    out = []
    for pk, path, level in rows:
        if level != AreaLevel.COMPOUND:
            continue
        ancestors = [by_path.get(path[:i]) for i in range(4, len(path), 4)]
        community = next((a[0] for a in ancestors if a and a[1] == AreaLevel.COMMUNITY), None)
        street = next((a[0] for a in ancestors if a and a[1] == AreaLevel.STREET), None)
        out.append((pk, path, community, street))
    out.sort(key=lambda r: r[1])
    return out


def _next_id(model: Any) -> int:
    last = model.objects.order_by("-id").values_list("id", flat=True).first()
    return (last or 0) + 1


def _ts(value: dt.datetime) -> Any:
    if connection.vendor == "postgresql":
        return value
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _jumin(compound_id: int) -> Resident:
    """The cases demo's resident when it made one; otherwise made here the same way."""
    from django.contrib.auth.hashers import make_password

    user = User.objects.filter(username="jumin").first()
    if user is None:
        user = User.objects.create(
            username="jumin", display_name="居民 林晓", password=make_password(DEMO_PASSWORD)
        )
    resident = Resident.objects.filter(user=user).first()
    if resident is None:
        resident = Resident(user=user, name="林晓", home_id=compound_id)
        resident.set_phone("13912345678")
        resident.save()
    return resident


def _street_of_jiedao() -> str | None:
    ra = RoleAssignment.objects.filter(user__username="jiedao").select_related("org__area").first()
    if ra is not None and ra.org is not None and ra.org.area is not None:
        return ra.org.area.path
    return None


def load(ctx: DemoContext) -> None:
    rng = ctx.rng
    compounds = _compounds()
    if not compounds:
        return
    street_path = _street_of_jiedao()
    local = [c for c in compounds if street_path and c[1].startswith(street_path)] or compounds
    jumin = _jumin(local[0][0])
    jumin_home = Area.objects.get(pk=jumin.home_id)
    home_compound = next((c for c in compounds if jumin_home.path.startswith(c[1])), local[0])

    n_open = OPEN_LISTINGS[ctx.scale]
    # About three listings per demo resident; residents spread over every compound.
    n_residents = max(n_open // 3, len(compounds))
    now = timezone.now()
    uid, rid = _next_id(User), _next_id(Resident)
    # Demo residents cannot log in (unusable password); one encrypted phone each.
    users, residents, home_of = [], [], []
    for i in range(n_residents):
        c = compounds[i % len(compounds)] if i >= 12 else home_compound
        name = rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if i % 3 else "")
        phone = f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"
        users.append(
            (
                uid + i,
                f"{RESIDENT_PREFIX}{i}",
                "!",
                False,
                False,
                True,
                _ts(now),
                f"居民 {name}",
                "",
                "",
                "",
            )
        )
        residents.append(
            (
                rid + i,
                uid + i,
                name,
                c[0],
                pii.encrypt(phone),
                pii.blind_index(phone),
                pii.mask_phone(phone),
                _ts(now),
            )
        )
        home_of.append(c)
    bulk_insert(
        User._meta.db_table,
        [
            "id",
            "username",
            "password",
            "is_superuser",
            "is_staff",
            "is_active",
            "date_joined",
            "display_name",
            "first_name",
            "last_name",
            "email",
        ],
        users,
    )
    bulk_insert(
        Resident._meta.db_table,
        [
            "id",
            "user_id",
            "name",
            "home_id",
            "phone_enc",
            "phone_index",
            "phone_masked",
            "created_at",
        ],
        residents,
    )

    tokens_of = [text.tokens(f"{t} {b}") for _d, _k, t, b in CATALOGUE]
    lid = _next_id(Listing)
    today = ctx.today
    listing_rows: list[tuple[Any, ...]] = []
    token_rows: list[tuple[int, str]] = []
    for i in range(n_open):
        r = i % n_residents
        c = home_of[r]
        t = rng.randrange(len(CATALOGUE))
        direction, kind, title, body = CATALOGUE[t]
        visibility = rng.choices(["compound", "community", "street"], [70, 20, 10])[0]
        start = today - dt.timedelta(days=rng.randrange(0, 60))
        until = start + dt.timedelta(days=rng.choice([14, 30, 60, 90, 180])) if i % 4 else None
        created = now - dt.timedelta(days=(today - start).days, minutes=rng.randrange(1440))
        listing_rows.append(
            (
                lid + i,
                rid + r,
                direction,
                kind,
                title,
                body,
                visibility,
                c[0],
                c[2],
                c[3],
                c[1],
                start.isoformat(),
                until.isoformat() if until else None,
                "open",
                False,
                0,
                _ts(created),
            )
        )
        token_rows.extend((lid + i, tok) for tok in tokens_of[t])
    # Matches at every stage: a need and an offer of the same kind by two neighbours (residents
    # r and r + len(compounds) share a compound).
    needs = [i for i, row in enumerate(CATALOGUE) if row[0] == "need"]
    match_rows = []
    mid, pk = _next_id(Match), lid + n_open
    step = len(compounds)
    for j in range(n_open // 40):
        r = 12 + (j * 7919) % max(n_residents - 12 - step, 1)
        if r + step >= n_residents:
            continue
        t_need = rng.choice(needs)
        kind = CATALOGUE[t_need][1]
        t_offer = rng.choice(
            [i for i, row in enumerate(CATALOGUE) if row[0] == "offer" and row[1] == kind]
        )
        stage = rng.choice(["proposed", "confirmed", "completed", "closed", "closed", "closed"])
        listing_status = {"proposed": "open", "closed": "closed"}.get(stage, "matched")
        c = home_of[r]
        at = now - dt.timedelta(days=rng.randrange(1, 40))
        for t, res in ((t_need, r), (t_offer, r + step)):
            direction, kind, title, body = CATALOGUE[t]
            listing_rows.append(
                (
                    pk,
                    rid + res,
                    direction,
                    kind,
                    title,
                    body,
                    "compound",
                    c[0],
                    c[2],
                    c[3],
                    c[1],
                    (today - dt.timedelta(days=40)).isoformat(),
                    None,
                    listing_status,
                    False,
                    0,
                    _ts(at),
                )
            )
            token_rows.extend((pk, tok) for tok in tokens_of[t])
            pk += 1
        closed = stage == "closed"
        match_rows.append(
            (
                mid,
                pk - 2,
                pk - 1,
                rid + r,
                stage,
                _ts(at),
                None if stage == "proposed" else _ts(at),
                _ts(at) if stage in ("completed", "closed") else None,
                5 if closed else None,
                "很热心，谢谢邻居" if closed else "",
                "",
                c[1],
                _ts(at),
            )
        )
        mid += 1
    bulk_insert(
        Listing._meta.db_table,
        [
            "id",
            "resident_id",
            "direction",
            "kind",
            "title",
            "body",
            "visibility",
            "compound_id",
            "community_id",
            "street_id",
            "compound_path",
            "available_from",
            "available_until",
            "status",
            "contact_masked",
            "report_count",
            "created_at",
        ],
        listing_rows,
    )
    bulk_insert(ListingToken._meta.db_table, ["listing_id", "token"], token_rows)
    bulk_insert(
        Match._meta.db_table,
        [
            "id",
            "need_id",
            "offer_id",
            "proposed_by_id",
            "status",
            "need_confirmed_at",
            "offer_confirmed_at",
            "completed_at",
            "need_rating",
            "need_feedback",
            "offer_feedback",
            "compound_path",
            "created_at",
        ],
        match_rows,
    )
    _reset_sequences()
    _neighbour_offer()
    ctx.say(f"共享小区：{n_residents} 位居民，{n_open} 条发布中的信息，{len(match_rows)} 个对接")


def _neighbour_offer() -> None:
    """linju, jumin's neighbour (made by the loader), offers a drill: jumin's need for one
    finds it (README: 居民发布需求 → 邻居的服务 → 双方确认)."""
    linju = Resident.objects.filter(user__username="linju").select_related("user").first()
    if linju is None:
        return
    services.listing_create(
        actor=linju.user,
        resident=linju,
        data=services.ListingInput(
            direction="offer",
            kind="tool",
            title="家里有电钻可以出借",
            body="冲击钻，带钻头，周末在家",
        ),
    )


def _reset_sequences() -> None:
    sync_sequences(*(m._meta.db_table for m in (User, Resident, Listing, ListingToken, Match)))


def wipe() -> None:
    for model in (ListingReport, Match, ListingToken, Listing):
        model.objects.all()._raw_delete(model.objects.db)
    # The demo residents (thousands): plain SQL, nothing else points at them by then.
    users, residents = User._meta.db_table, Resident._meta.db_table
    with connection.cursor() as cur:
        cur.execute(
            f"DELETE FROM {residents} WHERE user_id IN "
            f"(SELECT id FROM {users} WHERE username LIKE %s)",
            [RESIDENT_PREFIX + "%"],
        )
        cur.execute(f"DELETE FROM {users} WHERE username LIKE %s", [RESIDENT_PREFIX + "%"])
