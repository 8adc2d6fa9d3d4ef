"""Every write to cases: validated, atomic, audited (DESIGN §4.6).

The state machine lives in ``TRANSITIONS``: action -> (states it may start from, state it
leads to, the permission it needs). ``case_transition`` refuses any other move with a
ConflictError naming the case's state and what may be done instead.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import secrets
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tongxin.accounts.models import User
from tongxin.cases.models import (
    OPEN_STATES,
    Agency,
    AgencyMember,
    ApiKey,
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    EventKind,
    Priority,
    Source,
    State,
    new_tracking_code,
)
from tongxin.cases.open311_selectors import nearest_area
from tongxin.cases.selectors import (
    GRID_STEP,
    api_keys_for,
    can,
    case_queryset,
    key_areas,
    reaches_area,
    resident_areas,
    resident_cases,
    resident_community,
    route,
)

# case_categories is re-exported: visits and other modules pick the categories from here too.
from tongxin.cases.selectors import case_categories as case_categories
from tongxin.core import pii, uploads
from tongxin.core.audit import audit, saved_user
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.scope import Scope, acting_scope, in_scope, require
from tongxin.geo.models import Area

MAX_DESCRIPTION = 4000
MAX_REPLY = 300  # CaseEvent.reply and Case.status_note
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 6
REPORT_LEVELS = ("community", "compound", "building")
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
# C0 control characters and DEL, except tab and line breaks.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# action -> (from states, to state, permission)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    # 网格呼叫: the grid worker confirms a report and calls the street in (镇街响应 follows).
    "grid_call": (("reported",), "called", GRID_STEP),
    # 就地解决: a trivial matter settled on the spot; the street still verifies it.
    "grid_resolve": (("reported",), "resolved", GRID_STEP),
    "accept": (("reported", "called", "escalated"), "accepted", "cases.manage"),
    "dispatch": (("accepted", "returned", "escalated"), "dispatched", "cases.manage"),
    "claim": (("dispatched",), "claimed", "cases.handle"),
    "return": (("dispatched", "claimed"), "returned", "cases.handle"),
    "resolve": (("claimed",), "resolved", "cases.handle"),
    "verify": (("resolved",), "verified", "cases.manage"),
    # 核查不通过: back to the department (or, after 就地解决, to the street: REJECT_ON_SPOT).
    "reject": (("resolved",), "claimed", "cases.manage"),
    "close": (("verified",), "closed", "cases.manage"),
    # 吹哨: the street calls the level above in; that level accepts or dispatches it again.
    "escalate": (
        ("reported", "called", "accepted", "returned", "dispatched", "claimed"),
        "escalated",
        "cases.manage",
    ),
    "cancel": (("reported", "called", "accepted", "returned"), "cancelled", "cases.manage"),
}
# An on-the-spot resolution no department ever claimed: a failed check sends the case to the
# street's 待派遣 inbox rather than to a department.
REJECT_ON_SPOT = "accepted"

# Lazy: shown in the user's language when a page or a refusal is built.
ACTION_LABELS = {
    "grid_call": _lazy("网格呼叫"),
    "grid_resolve": _lazy("就地解决"),
    "accept": _lazy("受理"),
    "dispatch": _lazy("派遣"),
    "claim": _lazy("部门报到"),
    "return": _lazy("退回"),
    "resolve": _lazy("办结"),
    "verify": _lazy("核查通过"),
    "reject": _lazy("核查不通过"),
    "close": _lazy("结案"),
    "escalate": _lazy("吹哨上报"),
    "cancel": _lazy("撤销"),
}
MERGEABLE_STATES = ("reported", "called", "accepted")
# Moves whose note must say why.
NOTE_REQUIRED = {"return", "reject", "escalate", "cancel", "resolve", "grid_call", "grid_resolve"}


def deadline_for(category: Category, priority: str, start: dt.datetime) -> dt.datetime:
    return start + dt.timedelta(hours=category.hours_for(priority))


def _event(
    case: Case,
    kind: str,
    actor: User | None,
    at: dt.datetime,
    note: str = "",
    from_state: str = "",
    public: bool = True,
    reply: str = "",
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=saved_user(actor),
        at=at,
        from_state=from_state,
        to_state=case.state,
        note=note[:500],
        public=public,
        reply=reply[:MAX_REPLY],
    )


def validate_reply(reply: str) -> str:
    """答复居民: the public reply of a step, shown to the resident and through Open311."""
    reply = (reply or "").strip()
    if len(reply) > MAX_REPLY:
        msg = _("答复居民最多%(n)s字，请精简后再提交。") % {"n": MAX_REPLY}
        raise ServiceError(msg, fields={"reply": msg})
    if HTML_TAG.search(reply):
        msg = _("答复居民不能包含 HTML 标签，请只填写文字。")
        raise ServiceError(msg, fields={"reply": msg})
    if CONTROL_CHARS.search(reply):
        msg = _("答复居民不能包含控制字符（如 NUL），请只填写文字。")
        raise ServiceError(msg, fields={"reply": msg})
    return reply


def validate_description(description: str) -> str:
    description = (description or "").strip()
    if not description:
        raise ServiceError(_("请描述遇到的问题。"), fields={"description": _("请描述遇到的问题。")})
    if len(description) > MAX_DESCRIPTION:
        msg = _("问题描述最多4000字，请精简后再提交。")
        raise ServiceError(msg, fields={"description": msg})
    if HTML_TAG.search(description):
        msg = _("问题描述不能包含 HTML 标签，请只填写文字。")
        raise ServiceError(msg, fields={"description": msg})
    return description


def case_report(
    *,
    actor: User | None,
    area: Area,
    category: Category,
    description: str,
    source: str = "web",
    title: str = "",
    priority: str | None = None,
    reporter_name: str = "",
    reporter_phone: str = "",
    latitude: Decimal | float | None = None,
    longitude: Decimal | float | None = None,
    resident: Any = None,
    visit_id: int | None = None,
    address: str = "",
    api_key: ApiKey | None = None,
    photos: list[Any] | None = None,
    media_url: str = "",
    now: dt.datetime | None = None,
    scope: Scope | None = None,
) -> Case:
    """A new case in state ``reported``, routed to its agency (suggested; the street may
    dispatch elsewhere), with its deadline. Where it may be reported: for an Open311 key, in
    the key's area; for a resident, by the resident's own account; for staff, in an area
    they report in (selectors.reaches_area)."""
    now = now or timezone.now()
    description = validate_description(description)
    if area.level not in REPORT_LEVELS:
        msg = _("请选择事件发生的社区、小区或楼栋。")
        raise ServiceError(msg, fields={"area": msg})
    if not category.active:
        msg = _("该事件类别已停用，请选择其他类别。")
        raise ServiceError(msg, fields={"category": msg})
    priority = priority or Priority.NORMAL
    if priority not in Priority.values:
        msg = _("紧急程度只能是“一般”或“紧急”。")
        raise ServiceError(msg, fields={"priority": msg})
    if source not in Source.values:
        source = Source.WEB
    phone = pii.normalize_phone(reporter_phone or "")
    if phone and not pii.is_mobile(phone):
        msg = _("手机号码应为11位、以1开头的数字，请核对。")
        raise ServiceError(msg, fields={"reporter_phone": msg})
    if api_key is not None:
        require(area.path.startswith(api_key.area.path), _("事件地点不在该密钥的管辖范围内。"))
    elif resident is not None:
        require(actor is None or resident.user_id == actor.pk, _("只能以本人身份报事。"))
    else:
        require(
            reaches_area(acting_scope(actor, scope), area, "cases.report"),
            _("您没有在该地点上报事件的权限。"),
        )
    if photos and len(photos) > MAX_PHOTOS:
        msg = _("最多上传6张照片。")
        raise ServiceError(msg, fields={"photos": msg})
    title = (title or "").strip() or description.replace("\n", " ")[:30]
    case = Case(
        tracking_code=new_tracking_code(),
        category=category,
        area=area,
        area_path=area.path,
        address=(address or "")[:200],
        latitude=Decimal(str(latitude)).quantize(Decimal("0.000001"))
        if latitude is not None
        else None,
        longitude=Decimal(str(longitude)).quantize(Decimal("0.000001"))
        if longitude is not None
        else None,
        title=title[:100],
        description=description,
        source=source,
        priority=priority,
        state=State.REPORTED,
        agency=route(area, category),
        reporter=saved_user(actor),
        resident=resident,
        reporter_name=(reporter_name or (resident.name if resident else ""))[:50],
        reporter_phone_enc=pii.encrypt(phone) if phone else "",
        reporter_phone_masked=pii.mask_phone(phone) if phone else "",
        visit_id=visit_id,
        api_key=api_key,
        reported_at=now,
        updated_at=now,
        deadline_at=deadline_for(category, priority, now),
    )
    while Case.objects.filter(tracking_code=case.tracking_code).exists():
        case.tracking_code = new_tracking_code()
    if source == Source.OPEN311:
        case.token = secrets.token_urlsafe(12)
    # Everything above only reads: the write transaction (on SQLite, the database's one write
    # lock) is held for the inserts alone, which is what lets reports from many clients
    # through at once. A tracking code taken in between fails the unique index and rolls back.
    with transaction.atomic():
        case.save()
        _event(case, EventKind.REPORT, actor, now, note=str(Source(source).label))
        if media_url:
            _event(case, EventKind.NOTE, actor, now, note=f"media_url: {media_url}", public=False)
        stored: list[str] = []
        try:
            for f in photos or []:
                # (one at a time: what was stored before a failure is deleted again)
                stored.append(_store_photo(case, f, actor))  # noqa: PERF401
            audit(
                actor=actor,
                action="case.report",
                obj=case,
                diff={"category": category.code, "area": area.path, "source": source},
            )
        except Exception:
            # The transaction rolls back; the files written so far must go with it.
            for name in stored:
                uploads.delete(name)
            raise
    return case


# A resident's map point must lie this close to a place of their community: a tap on the
# other side of town is a slip of the finger, not a report for this community.
MAX_POINT_KM = 2.0


def _km(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> float:
    """Great-circle distance (haversine) in kilometres."""
    p1, p2 = math.radians(float(lat1)), math.radians(float(lat2))
    dp, dl = p2 - p1, math.radians(float(lon2) - float(lon1))
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def _map_point(
    latitude: Decimal | None, longitude: Decimal | None
) -> tuple[Decimal, Decimal] | None:
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        msg = _("地图位置不完整：纬度和经度须同时填写，请在地图上重新点选。")
        raise ServiceError(msg, fields={"latitude": msg})
    if not (
        latitude.is_finite()
        and longitude.is_finite()
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    ):
        msg = _("地图位置无效：纬度应在-90到90之间，经度应在-180到180之间，请在地图上重新点选。")
        raise ServiceError(msg, fields={"latitude": msg})
    q = Decimal("0.000001")
    return latitude.quantize(q), longitude.quantize(q)


def place_for_point(
    within: Area | None, latitude: Decimal, longitude: Decimal, *, unmapped: str, too_far: str
) -> Area:
    """The place (compound, building or community) with coordinates nearest to a map point
    inside ``within`` (a resident's community, an Open311 key's jurisdiction), refused when
    the area has no mapped place (``unmapped``) or the point lies over MAX_POINT_KM from every
    one (``too_far``, with %(km)s): the one rule for the resident page and Open311."""
    nearest = nearest_area(within, latitude, longitude) if within is not None else None
    if nearest is None or nearest.latitude is None or nearest.longitude is None:
        raise ServiceError(unmapped, fields={"latitude": unmapped})
    km = _km(latitude, longitude, nearest.latitude, nearest.longitude)
    if km > MAX_POINT_KM:
        msg = too_far % {"km": f"{km:.1f}" if km < 100 else f"{km:.0f}"}
        raise ServiceError(msg, fields={"latitude": msg})
    return nearest


def case_report_resident(
    *,
    actor: User | None,
    resident: Any,
    category: Category,
    description: str,
    area: Area | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
    address: str = "",
    photos: list[Any] | None = None,
    now: dt.datetime | None = None,
) -> Case:
    """A resident's report (报事) from the phone page. The place is a compound or building of
    the resident's community picked from the list, a point tapped on the map, or both. A point
    alone files the case under the nearest place with coordinates in the community (the
    selector Open311 uses for lat/long); a point farther than MAX_POINT_KM from every place of
    the community is refused. The point is kept on the case (latitude/longitude). Only reads
    happen here: case_report holds the write transaction for its inserts alone."""
    require(actor is None or resident.user_id == actor.pk, _("只能以本人身份报事。"))
    point = _map_point(latitude, longitude)
    if area is not None and not resident_areas(resident).filter(pk=area.pk).exists():
        msg = _("请选择您所在社区的小区或楼栋。")
        raise ServiceError(msg, fields={"area": msg})
    if point is None and area is None:
        msg = _("请选择问题所在的小区或楼栋，或在地图上点选位置。")
        raise ServiceError(msg, fields={"area": msg})
    if point is not None:
        community = resident_community(resident)
        nearest = place_for_point(
            community,
            *point,
            unmapped=_(
                "您所在社区还没有登记地图位置，暂不能在地图上选点，请从列表中选择小区或楼栋。"
            ),
            too_far=_(
                "您在地图上标记的位置离您所在社区太远（约%(km)s公里），请在社区范围内重新点选，"
                "或从列表中选择小区或楼栋。"
            ),
        )
        area = area or nearest
    assert area is not None
    return case_report(
        actor=actor,
        area=area,
        category=category,
        description=description,
        address=address,
        photos=photos,
        source=Source.RESIDENT,
        resident=resident,
        latitude=point[0] if point else None,
        longitude=point[1] if point else None,
        now=now,
    )


def _store_photo(case: Case, f: Any, actor: User | None) -> str:
    stored = uploads.store(f, allowed=uploads.IMAGES, max_bytes=MAX_PHOTO_BYTES, folder="cases")
    try:
        CasePhoto.objects.create(
            case=case,
            file=stored.name,
            content_type=stored.content_type,
            original_name=stored.original_name,
            size=stored.size,
            uploaded_by=saved_user(actor),
        )
    except Exception:
        uploads.delete(stored.name)
        raise
    return stored.name


@transaction.atomic
def case_add_photos(
    *, actor: User | None, case: Case, photos: list[Any], scope: Scope | None = None
) -> int:
    scope = acting_scope(actor, scope)
    require(
        can(scope, case, "cases.manage") or can(scope, case, "cases.handle"),
        _("您没有为该事件上传照片的权限。"),
    )
    if not photos:
        msg = _("请选择要上传的照片。")
        raise ServiceError(msg, fields={"photos": msg})
    if CasePhoto.objects.filter(case=case).count() + len(photos) > 12:
        msg = _("每个事件最多12张照片。")
        raise ServiceError(msg, fields={"photos": msg})
    stored: list[str] = []
    try:
        for f in photos:
            # (one at a time: what was stored before a failure is deleted again)
            stored.append(_store_photo(case, f, actor))  # noqa: PERF401
    except ServiceError:
        for s in stored:
            uploads.delete(s)
        raise
    audit(actor=actor, action="case.photos", obj=case, diff={"count": len(photos)})
    return len(stored)


def _refuse(case: Case, action: str) -> ConflictError:
    allowed = [a for a, (froms, _to, _p) in TRANSITIONS.items() if case.state in froms]
    msg = _("事件当前状态为“%(state)s”，不能%(action)s。") % {
        "state": State(case.state).label,
        "action": str(ACTION_LABELS.get(action, action)),
    }
    if allowed:
        msg += _("可以进行的操作：%(allowed)s。") % {
            "allowed": _("、").join(str(ACTION_LABELS[a]) for a in allowed)
        }
    else:
        msg += _("该事件已办理完毕，不能再变更。")
    return ConflictError(msg)


@transaction.atomic
def case_transition(
    *,
    actor: User | None,
    case: Case,
    action: str,
    note: str = "",
    reply: str = "",
    agency: Agency | None = None,
    now: dt.datetime | None = None,
    scope: Scope | None = None,
) -> Case:
    """Move a case one step. The caller has checked the actor's permission on this case
    (selectors.can); the state machine is checked here, on the locked row. ``note`` is
    internal (staff and departments); ``reply`` (答复居民), when given, is what the resident
    and Open311 see of this step, and becomes the case's status note. The actor holds the
    step's permission on this case (selectors.can)."""
    now = now or timezone.now()
    if action not in TRANSITIONS:
        raise ConflictError(_("未知的操作，请刷新页面后重试。"))
    reply = validate_reply(reply)
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "agency")
        .get(pk=case.pk)
    )
    froms, to, _perm = TRANSITIONS[action]
    if case.state not in froms:
        raise _refuse(case, action)
    note = (note or "").strip()
    if action in NOTE_REQUIRED and not note:
        msg = _("请填写%(action)s的说明。") % {"action": str(ACTION_LABELS[action])}
        raise ServiceError(msg, fields={"note": msg})
    require(
        can(acting_scope(actor, scope), case, TRANSITIONS[action][2]),
        _("您没有对该事件进行此操作的权限。"),
    )
    if action == "dispatch":
        agency = agency or case.agency
        if agency is None or not agency.active:
            msg = _("请选择处置部门。")
            raise ServiceError(msg, fields={"agency": msg})
        if case.dispatched_at is None or case.agency_id != agency.pk:
            # The department sees the case from its own dispatch on; dispatched again to
            # the same agency (after a return), it keeps the history it already had.
            case.dispatched_at = now
        case.agency = agency
        if note == "":
            note = _("派遣至%(agency)s") % {"agency": agency.name}
    if action == "reject" and _resolved_on_spot(case):
        to = REJECT_ON_SPOT
    before = case.state
    case.state = to
    case.updated_at = now
    if action == "escalate":
        case.escalations = F("escalations") + 1
    if action == "close":
        case.closed_at = now
    if reply:
        case.status_note = reply
    case.save()
    case.refresh_from_db(fields=["escalations"])
    _event(case, action, actor, now, note, from_state=before, reply=reply)
    audit(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        diff={"state": [before, to], "note": note[:200]},
    )
    return case


def _resolved_on_spot(case: Case) -> bool:
    """Whether the case's latest resolution was the grid worker's 就地解决."""
    kind = (
        CaseEvent.objects.filter(case=case, to_state=State.RESOLVED)
        .order_by("-at", "-id")
        .values_list("kind", flat=True)
        .first()
    )
    return kind == EventKind.GRID_RESOLVE


@transaction.atomic
def case_merge(
    *,
    actor: User | None,
    case: Case,
    into: Case,
    now: dt.datetime | None = None,
    scope: Scope | None = None,
) -> Case:
    """Merge a duplicate into an earlier case: the duplicate ends in ``merged``. The actor
    manages the duplicate and sees the case it goes into."""
    scope = acting_scope(actor, scope)
    require(
        can(scope, case, "cases.manage") and in_scope(case_queryset(scope), into),
        _("您没有合并这两个事件的权限。"),
    )
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.pk == into.pk:
        raise ConflictError(_("不能把事件合并到它自己。"))
    if case.state not in MERGEABLE_STATES:
        raise ConflictError(
            _("事件当前状态为“%(state)s”，只有待受理、网格已呼叫或已受理的事件可以合并。")
            % {"state": State(case.state).label}
        )
    if into.state in ("merged", "cancelled"):
        raise ConflictError(_("目标事件已合并或已撤销，请选择其他事件。"))
    before = case.state
    case.state = State.MERGED
    case.merged_into = into
    case.updated_at = now
    # Told to the resident too: their report goes on under the other case's code.
    merged = _("与事件 %(code)s 重复，已合并。") % {"code": into.tracking_code}
    case.status_note = merged
    case.save()
    _event(case, EventKind.MERGE, actor, now, merged, before, reply=merged)
    _event(
        into,
        EventKind.NOTE,
        actor,
        now,
        _("事件 %(code)s 与本事件重复，已合并至此。") % {"code": case.tracking_code},
        public=False,
    )
    audit(actor=actor, action="case.merge", obj=case, diff={"into": into.tracking_code})
    return case


@transaction.atomic
def case_rate(
    *, actor: User | None, case: Case, rating: int, note: str = "", now: dt.datetime | None = None
) -> Case:
    """A resident rates a closed case 1-5; a poor rating (≤ 2) reopens it, once. Only the
    resident who reported it (selectors.resident_cases)."""
    require(actor is None or in_scope(resident_cases(actor), case), _("只能评价本人上报的事件。"))
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        msg = _("请选择1到5星的评价。")
        raise ServiceError(msg, fields={"rating": msg})
    if case.state != State.CLOSED:
        raise ConflictError(_("事件办结并结案后才能评价，请耐心等待。"))
    if case.rating is not None:
        raise ConflictError(_("您已评价过这个事件，不能重复评价。"))
    require(actor is None or in_scope(resident_cases(actor), case), _("只能评价本人上报的事件。"))
    case.rating = rating
    case.rating_note = (note or "").strip()[:300]
    case.updated_at = now
    _event(
        case,
        EventKind.RATE,
        actor,
        now,
        _("%(n)s星") % {"n": rating} + ("：" + case.rating_note if case.rating_note else ""),
    )
    if rating <= 2 and not case.reopened:
        before = case.state
        case.state = State.ACCEPTED
        case.reopened = True
        case.rating = None  # the next result gets its own rating
        case.closed_at = None
        case.deadline_at = deadline_for(case.category, case.priority, now)
        case.overdue_level = 0
        reopened = _("居民不满意，事件重新办理。")
        case.status_note = reopened
        case.save()
        _event(case, EventKind.REOPEN, actor, now, reopened, before, reply=reopened)
    else:
        case.save()
    audit(actor=actor, action="case.rate", obj=case, diff={"rating": rating})
    return case


@transaction.atomic
def case_note(
    *,
    actor: User | None,
    case: Case,
    note: str,
    now: dt.datetime | None = None,
    scope: Scope | None = None,
) -> CaseEvent:
    scope = acting_scope(actor, scope)
    require(
        can(scope, case, "cases.manage") or can(scope, case, "cases.handle"),
        _("您没有为该事件添加备注的权限。"),
    )
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("请填写备注内容。"), fields={"note": _("请填写备注内容。")})
    now = now or timezone.now()
    ev = _event(case, EventKind.NOTE, actor, now, note, public=False)
    audit(actor=actor, action="case.note", obj=case)
    return ev


# ---------------------------------------------------------------- overdue sweep


def _sweep_where(level: int) -> str:
    """Which open cases a sweep level takes, over the partial index on open cases'
    deadlines. Level 1 (催办): past the deadline. Level 2 (督办): past the deadline by the
    whole allowed time again (deadline + (deadline - reported) < now)."""
    states = ", ".join(f"'{s}'" for s in OPEN_STATES)
    where = f"state IN ({states}) AND deadline_at < %s AND overdue_level = {level - 1}"
    if level == 2:
        if connection.vendor == "postgresql":
            where += " AND deadline_at + (deadline_at - reported_at) < %s"
        else:
            where += " AND julianday(deadline_at) * 2 - julianday(reported_at) < julianday(%s)"
    return where


def sweep_statements(level: int) -> tuple[str, str]:
    """(INSERT events ... SELECT, UPDATE cases) for one level; parameters: see sweep_overdue.
    Both filter the cases table directly (no IN (subquery): PostgreSQL would hash-join it
    against a scan of the whole table)."""
    case_t = Case._meta.db_table
    ev_t = CaseEvent._meta.db_table
    where = _sweep_where(level)
    insert = (
        # (SQL names from model metadata and constants; every value is a parameter)
        f"INSERT INTO {ev_t} (case_id, kind, actor_id, at, from_state, to_state, note, public) "  # noqa: S608
        f"SELECT id, %s, NULL, %s, state, state, %s, %s FROM {case_t} WHERE {where}"
    )
    # (SQL names from model metadata and constants; every value is a parameter)
    update = f"UPDATE {case_t} SET overdue_level = %s, updated_at = %s WHERE {where}"  # noqa: S608
    return insert, update


@transaction.atomic
def sweep_overdue(*, now: dt.datetime | None = None) -> dict[str, int]:
    """催办 every open case past its deadline; 督办 every one overdue by its whole allowed
    time again (the level above then sees it in its overdue inbox). Set-based: per level one
    INSERT ... SELECT of events and one UPDATE, whatever the number of cases."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    with connection.cursor() as cur:
        # 督办 first: a case crossing both lines since the last sweep is urged now and
        # supervised by the next sweep, so its timeline never skips a step.
        for level, kind, note in (
            (2, EventKind.SUPERVISE, _("超期未办结，已由上级督办。")),
            (1, EventKind.URGE, _("已超过办理时限，系统催办。")),
        ):
            insert, update = sweep_statements(level)
            at = connection.ops.adapt_datetimefield_value(now)
            where_params: list[Any] = [at, at] if level == 2 else [at]
            cur.execute(insert, [kind.value, at, str(note), True, *where_params])
            cur.execute(update, [level, at, *where_params])
            counts[kind.value] = cur.rowcount
    if any(counts.values()):
        audit(
            actor=None,
            action="case.sweep",
            object_type="cases.case",
            diff=counts,
            installation_wide=True,
        )
    return counts


# ---------------------------------------------------------------- configuration, keys


@transaction.atomic
def agency_member_add(*, actor: User | None, user: User, agency: Agency) -> AgencyMember:
    """A department's staff: configured for the whole installation (superusers, system)."""
    require(acting_scope(actor).is_superuser, _("只有系统管理员可以配置部门人员。"))
    link, _created = AgencyMember.objects.get_or_create(user=user, agency=agency)
    audit(
        actor=actor,
        action="case.agency_member",
        obj=link,
        diff={"user": user.username, "agency": agency.code},
    )
    return link


@transaction.atomic
def api_key_issue(
    *,
    actor: User | None,
    name: str,
    area: Area,
    per_minute: int = 600,
    scope: Scope | None = None,
) -> tuple[ApiKey, str]:
    """A new Open311 api_key; the raw key is returned once and only its hash is kept. For a
    jurisdiction the actor manages cases in (selectors.key_areas)."""
    require(
        in_scope(key_areas(acting_scope(actor, scope)), area),
        _("您没有为该区域签发密钥的权限。"),
    )
    name = (name or "").strip()
    if not name:
        raise ServiceError(
            _("请填写使用密钥的应用名称。"), fields={"name": _("请填写使用密钥的应用名称。")}
        )
    if not 1 <= per_minute <= 100000:
        msg = _("每分钟请求上限应在1到100000之间。")
        raise ServiceError(msg, fields={"per_minute": msg})
    raw, prefix, key_hash = ApiKey.generate()
    key = ApiKey.objects.create(
        name=name[:100],
        area=area,
        prefix=prefix,
        key_hash=key_hash,
        per_minute=per_minute,
        created_by=saved_user(actor),
    )
    audit(actor=actor, action="open311.key_issue", obj=key, diff={"area": area.path})
    return key, raw


@transaction.atomic
def api_key_revoke(
    *, actor: User | None, key: ApiKey, now: dt.datetime | None = None, scope: Scope | None = None
) -> ApiKey:
    require(in_scope(api_keys_for(acting_scope(actor, scope)), key), _("您没有吊销该密钥的权限。"))
    if key.revoked_at is not None:
        raise ConflictError(_("该密钥已吊销。"))
    key.revoked_at = now or timezone.now()
    key.save(update_fields=["revoked_at"])
    audit(actor=actor, action="open311.key_revoke", obj=key)
    return key
