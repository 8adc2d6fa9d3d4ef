"""Demo 小微权力清单: the default catalogue (36 items for a village, the city-community subset
for a community) for every village and community of the town or the city, owned by the Party
organization anchored there, and power instances in every state — done, in progress, in a 公示
with an open or an answered objection, stuck past their time limit, and drafts. Written with
``bulk_insert`` (executemany / COPY): the city's catalogues are some hundred thousand rows."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.db import connection
from django.db.models import Max
from django.utils import timezone

from tongxin.accounts.models import Resident, RoleAssignment, User
from tongxin.core.bulk import bulk_insert, sync_sequences
from tongxin.core.demodata import DemoContext
from tongxin.orgs.models import Organization, Sector
from tongxin.powers.catalogue import ItemSpec, items_for
from tongxin.powers.models import (
    InstanceStatus,
    InstanceStep,
    Objection,
    PowerInstance,
    PowerItem,
    PowerStep,
    StepDocument,
)

# Instances per village or community: the city has proportionally more, as it has more villages.
PER_AREA = {"town": 8, "city": 3}
STATES = (
    "completed",
    "publicity_open",
    "running",
    "completed",
    "publicity_answered",
    "stuck",
    "publicity_quiet",
    "draft",
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑"
GIVEN = ["建国", "秀英", "国强", "丽华", "志明", "海燕", "德胜", "桂兰", "伟", "芳"]
OBJECTIONS = [
    ("申请人家中有经营性收入，是否符合条件？", "经入户核实，经营已停止，收入符合条件。"),
    ("施工单位的资质请公开。", "资质证书已在村务公开栏张贴，欢迎查阅。"),
    ("出租价格明显低于周边，请说明。", "价格经评估机构评估，评估报告已公示。"),
]
PERSONAL = {"homestead", "relief", "certificate", "personnel", "service"}
ITEM_COLUMNS = [
    "id", "area_id", "org_id", "area_path", "org_path", "power_class", "number", "name",
    "basis", "active",
]  # fmt: skip
STEP_COLUMNS = [
    "id", "item_id", "order", "name", "role", "documents", "publicity_days", "limit_days",
]  # fmt: skip
INSTANCE_COLUMNS = [
    "id", "item_id", "area_path", "org_path", "title", "applicant", "status", "done_steps",
    "step_started_at", "step_due_on", "created_by_id", "created_at", "completed_at",
]  # fmt: skip
RECORD_COLUMNS = ["instance_id", "step_id", "started_at", "done_at", "actor_id", "note"]
OBJECTION_COLUMNS = [
    "instance_id", "step_id", "text", "filed_by_id", "filer_name", "filed_at", "answer",
    "answered_by_id", "answered_at",
]  # fmt: skip


def _ts(value: dt.datetime | None) -> Any:
    """SQLite stores naive UTC text (as Django does); PostgreSQL takes the aware value."""
    if value is None or connection.vendor == "postgresql":
        return value
    return str(value.astimezone(dt.UTC).replace(tzinfo=None))


def _next_id(model: Any) -> int:
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


def _owners() -> list[tuple[int, str, int, str, bool]]:
    """(area id, area path, org id, org path, is a village) for every village and community:
    the shallowest village or community Party organization anchored there."""
    seen: dict[int, tuple[int, str, int, str, bool]] = {}
    rows = (
        Organization.objects.filter(
            area__level="community", sector__in=[Sector.VILLAGE, Sector.COMMUNITY]
        )
        .exclude(kind="group")
        .order_by("depth", "path")
        .values_list("area_id", "area__path", "id", "path", "sector")
    )
    for area_id, area_path, org_id, org_path, sector in rows.iterator(chunk_size=5000):
        if area_id not in seen:
            seen[area_id] = (area_id, area_path, org_id, org_path, sector == Sector.VILLAGE)
    return sorted(seen.values(), key=lambda r: r[1])


def load(ctx: DemoContext) -> None:
    owners = _owners()
    if not owners:
        return
    rng = ctx.rng
    item_id, step_id = _next_id(PowerItem), _next_id(PowerStep)
    # per area: [(item id, spec, [(step id, publicity days, limit days)])]
    catalogue: dict[int, list[tuple[int, ItemSpec, list[tuple[int, int, int]]]]] = {}
    item_rows: list[tuple[Any, ...]] = []
    step_rows: list[tuple[Any, ...]] = []
    specs = {True: items_for(village=True), False: items_for(village=False)}
    for area_id, area_path, org_id, org_path, village in owners:
        entries = []
        for number, spec in specs[village]:
            item_rows.append(
                (
                    item_id, area_id, org_id, area_path, org_path, spec.power_class, number,
                    spec.name, spec.basis, True,
                )
            )  # fmt: skip
            steps = []
            for order, s in enumerate(spec.flow, start=1):
                step_rows.append(
                    (
                        step_id, item_id, order, s.name, s.role,
                        json.dumps(list(s.documents), ensure_ascii=False),
                        s.publicity_days, s.limit_days,
                    )
                )  # fmt: skip
                steps.append((step_id, s.publicity_days, s.limit_days))
                step_id += 1
            entries.append((item_id, spec, steps))
            item_id += 1
        catalogue[area_id] = entries
    bulk_insert(PowerItem._meta.db_table, ITEM_COLUMNS, item_rows)
    bulk_insert(PowerStep._meta.db_table, STEP_COLUMNS, step_rows)

    jiedao = User.objects.filter(username="jiedao").first()
    jumin = Resident.objects.filter(user__username="jumin").select_related("user").first()
    story_street = _story_street(jiedao)
    now = timezone.now()
    instance_rows: list[tuple[Any, ...]] = []
    records: list[tuple[Any, ...]] = []
    objections: list[tuple[Any, ...]] = []
    iid = _next_id(PowerInstance)
    per_area = PER_AREA.get(ctx.scale, 3)
    k = 0
    for area_id, area_path, _org_id, org_path, _village in owners:
        entries = catalogue[area_id]
        with_publicity = [e for e in entries if any(p for _s, p, _l in e[2][1:])]
        for _ in range(per_area):
            state = STATES[k % len(STATES)]
            k += 1
            pool = with_publicity if state.startswith("publicity") else entries
            item, spec, steps = pool[rng.randrange(len(pool))]
            author = (
                jiedao.pk
                if jiedao and story_street and area_path.startswith(story_street)
                else None
            )
            row, recs, objs = _instance(
                iid, item, spec, steps, state, area_path, org_path, now, rng, author, jumin
            )
            instance_rows.append(row)
            records.extend(recs)
            objections.extend(objs)
            iid += 1
    bulk_insert(PowerInstance._meta.db_table, INSTANCE_COLUMNS, instance_rows)
    bulk_insert(InstanceStep._meta.db_table, RECORD_COLUMNS, records)
    bulk_insert(Objection._meta.db_table, OBJECTION_COLUMNS, objections)
    _reset_sequences()
    ctx.say(
        f"小微权力清单：{len(owners)} 个村（社区），{len(item_rows)} 项权力，"
        f"{len(instance_rows)} 次运行，{len(objections)} 条异议"
    )


def _story_street(jiedao: User | None) -> str | None:
    if jiedao is None:
        return None
    ra = RoleAssignment.objects.filter(user=jiedao).select_related("org__area").first()
    if ra is not None and ra.org is not None and ra.org.area is not None:
        return ra.org.area.path
    return None


def _instance(
    iid: int,
    item: int,
    spec: ItemSpec,
    steps: list[tuple[int, int, int]],
    state: str,
    area_path: str,
    org_path: str,
    now: dt.datetime,
    rng: Any,
    author: int | None,
    jumin: Resident | None,
) -> tuple[tuple[Any, ...], list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """One instance in ``state``, its done steps and its objections."""
    year = timezone.localtime(now).year
    applicant = ""
    if spec.power_class in PERSONAL:
        applicant = rng.choice(SURNAMES) + rng.choice(GIVEN)
    # The title is public: never the applicant's name (shown masked beside it).
    title = f"{year}年{spec.name}（第{iid % 97 + 1}号）"
    publicity_at = next((i for i, (_s, p, _l) in enumerate(steps) if p and i > 0), 1)
    done, ago = {
        "completed": (len(steps), 0),
        "running": (rng.randrange(0, max(publicity_at, 1)), rng.randrange(0, 5)),
        "publicity_open": (publicity_at, 2),
        "publicity_quiet": (publicity_at, 1),
        "publicity_answered": (publicity_at, steps[publicity_at][1] + 2),
        "stuck": (rng.randrange(0, max(publicity_at, 1)), 60),
        "draft": (0, 0),
    }[state]
    # Walk the timeline backwards from the current step's start.
    current_start = now - dt.timedelta(days=ago, hours=rng.randrange(1, 9))
    if state == "completed":
        current_start = now - dt.timedelta(days=rng.randrange(5, 330))
    records = []
    t = current_start
    for step_id, publicity, _limit in reversed(steps[:done]):
        took = dt.timedelta(days=publicity + rng.randrange(1, 4), hours=rng.randrange(0, 8))
        records.append((iid, step_id, _ts(t - took), _ts(t), None, ""))
        t -= took
    records.reverse()
    created = t - dt.timedelta(hours=2)
    status = {"completed": InstanceStatus.COMPLETED, "draft": InstanceStatus.DRAFT}.get(
        state, InstanceStatus.RUNNING
    )
    started, due = None, None
    if status == InstanceStatus.RUNNING:
        _s, publicity, limit = steps[done]
        started = current_start
        due = timezone.localtime(started).date() + dt.timedelta(days=publicity + limit)
    row = (
        iid, item, area_path, org_path, title, applicant, status, done, _ts(started), due,
        author if status == InstanceStatus.DRAFT else None, _ts(created),
        _ts(current_start) if status == InstanceStatus.COMPLETED else None,
    )  # fmt: skip
    objections = []
    if state in ("publicity_open", "publicity_answered"):
        text, answer = OBJECTIONS[iid % len(OBJECTIONS)]
        filed = current_start + dt.timedelta(hours=5)
        answered = state == "publicity_answered"
        objections.append(
            (
                iid, steps[publicity_at][0], text, jumin.user_id if jumin else None,
                jumin.name if jumin else rng.choice(SURNAMES) + rng.choice(GIVEN), _ts(filed),
                answer if answered else "", None,
                _ts(filed + dt.timedelta(days=1)) if answered else None,
            )
        )  # fmt: skip
    return row, records, objections


def _reset_sequences() -> None:
    sync_sequences(*(m._meta.db_table for m in (PowerItem, PowerStep, PowerInstance)))


def wipe() -> None:
    for model in (Objection, StepDocument, InstanceStep, PowerInstance, PowerStep, PowerItem):
        model.objects.all().delete()
