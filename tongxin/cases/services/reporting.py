"""Reporting a case (DESIGN §4.6): staff, Open311 clients and residents, the resident's
map point, and the photos of a case.
"""

from __future__ import annotations

import datetime as dt
import math
import secrets
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import User
from tongxin.cases.models import (
    ApiKey,
    Case,
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
    can,
    reaches_area,
    resident_areas,
    resident_community,
    route,
)
from tongxin.cases.services.common import (
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    REPORT_LEVELS,
    _event,
    deadline_for,
    validate_description,
)
from tongxin.core import pii, uploads
from tongxin.core.audit import audit, saved_user
from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope, acting_scope, require
from tongxin.geo.models import Area


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
