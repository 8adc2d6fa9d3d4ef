"""Every write to service centres, bookings and social organizations: validated, atomic,
audited."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.centers import hours, notify, selectors
from tongxin.centers.models import (
    Booking,
    BookingStatus,
    CenterEvent,
    CenterLevel,
    EventKind,
    GuidingRule,
    Room,
    ServiceCenter,
    ServiceItem,
    SocialOrganization,
    SocialOrgKind,
)
from tongxin.core import creditcode, pii
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.idnumber import FULLWIDTH
from tongxin.core.scope import Scope
from tongxin.geo.models import Area
from tongxin.orgs.models import Organization, Unit

_PHONE = re.compile(r"^[0-9\-]{7,20}$")


def _coord(value: Any, lo: int, hi: int, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        d = Decimal(str(value)).quantize(Decimal("0.000001"))
    except Exception:
        d = Decimal(999)
    if not lo <= d <= hi:
        msg = gettext("经纬度超出范围（纬度-90至90，经度-180至180），请核对。")
        raise ServiceError(msg, fields={field: msg})
    return d


def _center_clean(data: dict[str, Any]) -> dict[str, Any]:
    errors = {}
    if not (data.get("name") or "").strip():
        errors["name"] = gettext("请填写中心名称。")
    if data.get("level") not in CenterLevel.values:
        errors["level"] = gettext("请选择中心层级。")
    if not isinstance(data.get("area"), Area):
        errors["area"] = gettext("请选择所在区域。")
    if not isinstance(data.get("org"), Organization):
        errors["org"] = gettext("请选择运行该中心的党组织。")
    # the public line keeps its dashes as printed (0574-87001234); a mobile is normalized
    phone = re.sub(r"\s", "", (data.get("phone") or "").translate(FULLWIDTH))
    if phone and not _PHONE.match(phone):
        errors["phone"] = gettext("联系电话只能包含数字和“-”，请核对。")
    contact_phone = pii.normalize_phone(data.get("contact_phone") or "")
    if contact_phone and not _PHONE.match(contact_phone):
        errors["contact_phone"] = gettext("联系人手机只能包含数字和“-”，请核对。")
    if errors:
        raise ServiceError(gettext("中心信息有误，请按提示修改。"), fields=errors)
    data["latitude"] = _coord(data.get("latitude"), -90, 90, "latitude")
    data["longitude"] = _coord(data.get("longitude"), -180, 180, "longitude")
    data["opening_hours"] = hours.validate_opening_hours(data.get("opening_hours") or {})
    data["closed_dates"] = hours.validate_closed_dates(data.get("closed_dates") or [])
    data["phone"] = phone
    data["contact_phone"] = contact_phone
    return data


CENTER_FIELDS = (
    "name",
    "level",
    "area",
    "org",
    "address",
    "latitude",
    "longitude",
    "opening_hours",
    "closed_dates",
    "services",
    "contact_name",
    "phone",
)


def _require_manage(scope: Scope, center: ServiceCenter) -> None:
    if not selectors.may_manage_center(scope, center):
        raise ForbiddenError(gettext("该党群服务中心不在您的管辖范围内。"))


def _check_place(scope: Scope, org: Organization, area: Area) -> None:
    """The one rule for where a centre stands, for the page and the API alike: its
    organization is reached with ``centers.manage``, and its area lies within the area of
    that organization (a superuser places a centre anywhere)."""
    if not selectors.may_run_center(scope, org):
        msg = gettext("该党组织不在您的管辖范围内，请重新选择运行党组织。")
        raise ForbiddenError(msg, fields={"org": msg})
    if not selectors.area_fits_center(scope, org, area):
        raise ServiceError(
            gettext("所在区域应在运行党组织所在区域之内，请重新选择。"),
            fields={"area": gettext("请重新选择所在区域。")},
        )


@transaction.atomic
def center_create(*, scope: Scope, actor: User | None, **data: Any) -> ServiceCenter:
    data = _center_clean(data)
    _check_place(scope, data["org"], data["area"])
    center = ServiceCenter(**{k: data.get(k, "") for k in CENTER_FIELDS if k in data})
    center.org_path = data["org"].path
    center.set_contact_phone(data["contact_phone"])
    center.save()
    audit(actor=actor, action="centers.center_create", obj=center, org_path=center.org_path)
    return center


@transaction.atomic
def center_update(
    *, scope: Scope, actor: User | None, center: ServiceCenter, **data: Any
) -> ServiceCenter:
    _require_manage(scope, center)
    merged = {k: getattr(center, k) for k in CENTER_FIELDS}
    merged["contact_phone"] = center.reveal_contact_phone()
    merged.update(data)
    merged = _center_clean(merged)
    _check_place(scope, merged["org"], merged["area"])
    before = {k: str(getattr(center, k)) for k in CENTER_FIELDS}
    for k in CENTER_FIELDS:
        setattr(center, k, merged[k])
    center.org_path = merged["org"].path
    center.set_contact_phone(merged["contact_phone"])
    center.save()
    after = {k: str(getattr(center, k)) for k in CENTER_FIELDS}
    audit(
        actor=actor,
        action="centers.center_update",
        obj=center,
        org_path=center.org_path,
        diff={k: [before[k], v] for k, v in after.items() if before[k] != v},
    )
    return center


@transaction.atomic
def center_phone_revealed(*, scope: Scope, actor: User | None, center: ServiceCenter) -> str:
    _require_manage(scope, center)
    audit(actor=actor, action="centers.phone_reveal", obj=center, org_path=center.org_path)
    return center.reveal_contact_phone()


@transaction.atomic
def room_create(
    *, scope: Scope, actor: User | None, center: ServiceCenter, name: str, capacity: int
) -> Room:
    _require_manage(scope, center)
    if not name.strip():
        raise ServiceError(
            gettext("请填写场地名称。"), fields={"name": gettext("请填写场地名称。")}
        )
    if not 1 <= capacity <= 10000:
        msg = gettext("容纳人数应在1至10000之间，请核对。")
        raise ServiceError(msg, fields={"capacity": msg})
    room = Room.objects.create(center=center, name=name.strip(), capacity=capacity)
    audit(actor=actor, action="centers.room_create", obj=room, org_path=center.org_path)
    return room


@transaction.atomic
def item_create(
    *,
    scope: Scope,
    actor: User | None,
    center: ServiceCenter,
    name: str,
    category: str = "",
    description: str = "",
    bookable: bool = False,
    duration_minutes: int = 30,
) -> ServiceItem:
    _require_manage(scope, center)
    if not name.strip():
        msg = gettext("请填写服务事项名称。")
        raise ServiceError(msg, fields={"name": msg})
    if not 5 <= duration_minutes <= 24 * 60:
        msg = gettext("办理时长应在5分钟至24小时之间，请核对。")
        raise ServiceError(msg, fields={"duration_minutes": msg})
    item = ServiceItem.objects.create(
        center=center,
        name=name.strip(),
        category=category.strip(),
        description=description.strip(),
        bookable=bookable,
        duration_minutes=duration_minutes,
    )
    audit(actor=actor, action="centers.item_create", obj=item, org_path=center.org_path)
    return item


MAX_BOOKING = dt.timedelta(hours=12)


@transaction.atomic
def booking_create(
    *,
    scope: Scope,
    actor: User,
    center: ServiceCenter,
    room: Room | None = None,
    item: ServiceItem | None = None,
    purpose: str,
    start: dt.datetime,
    end: dt.datetime,
) -> Booking:
    """Book a room or a bookable service item for [start, end). A booking that meets an
    existing one of the same room or item is refused (touching ends are fine). Every signed-in
    user books any active centre of the directory."""
    if scope.user_id is None and not scope.is_superuser:
        raise ForbiddenError(gettext("请先登录后再预约。"))
    if not center.is_active:
        raise ServiceError(gettext("该党群服务中心已停用，不能预约。"))
    if (room is None) == (item is None):
        msg = gettext("请选择要预约的场地或服务事项（二选一）。")
        raise ServiceError(msg, fields={"room": msg})
    if room is not None and room.center_id != center.pk:
        raise ServiceError(
            gettext("该场地不属于此服务中心，请重新选择。"),
            fields={"room": gettext("请重新选择场地。")},
        )
    if item is not None and (item.center_id != center.pk or not item.bookable):
        msg = gettext("该服务事项不可预约，请重新选择。")
        raise ServiceError(msg, fields={"item": msg})
    if not purpose.strip():
        msg = gettext("请填写预约用途。")
        raise ServiceError(msg, fields={"purpose": msg})
    if end <= start:
        msg = gettext("结束时间须晚于开始时间，请修改。")
        raise ServiceError(msg, fields={"end": msg})
    if end - start > MAX_BOOKING:
        msg = gettext("单次预约不能超过12小时，请分次预约。")
        raise ServiceError(msg, fields={"end": msg})
    if start < timezone.now() - dt.timedelta(minutes=5):
        msg = gettext("不能预约已经过去的时间，请重新选择开始时间。")
        raise ServiceError(msg, fields={"start": msg})
    hours.check_open(center, start, end)
    # Lock the room (or item) row so two simultaneous bookings cannot both pass the check.
    if room is not None:
        Room.objects.select_for_update().filter(pk=room.pk).first()
    elif item is not None:
        ServiceItem.objects.select_for_update().filter(pk=item.pk).first()
    clash = selectors.overlapping(room=room, item=item, start=start, end=end).first()
    if clash is not None:
        local_s = timezone.localtime(clash.start)
        local_e = timezone.localtime(clash.end)
        msg = gettext("该时段已被预约（%(start)s至%(end)s），请选择其他时间或其他场地。") % {
            "start": local_s.strftime("%m-%d %H:%M"),
            "end": local_e.strftime("%H:%M"),
        }
        raise ConflictError(msg, fields={"start": msg})
    booking = Booking.objects.create(
        center=center,
        room=room,
        item=item,
        booked_by=actor,
        purpose=purpose.strip()[:200],
        start=start,
        end=end,
    )
    audit(actor=actor, action="centers.booking_create", obj=booking, org_path=center.org_path)
    notify.booked(booking)
    return booking


@transaction.atomic
def booking_cancel(*, scope: Scope, actor: User, booking: Booking) -> Booking:
    """Only the person who booked cancels a booking."""
    if booking.booked_by_id != actor.pk:
        raise ForbiddenError(gettext("只能取消本人的预约。"))
    if booking.status == BookingStatus.CANCELLED:
        raise ServiceError(gettext("该预约已经取消，无需重复操作。"))
    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status"])
    audit(
        actor=actor,
        action="centers.booking_cancel",
        obj=booking,
        org_path=booking.center.org_path,
    )
    return booking


@transaction.atomic
def event_create(
    *,
    scope: Scope,
    actor: User | None,
    center: ServiceCenter,
    kind: str,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date,
    description: str = "",
) -> CenterEvent:
    _require_manage(scope, center)
    errors = {}
    if kind not in EventKind.values:
        errors["kind"] = gettext("请选择活动类型。")
    if not title.strip():
        errors["title"] = gettext("请填写活动名称。")
    if ends_on < starts_on:
        errors["ends_on"] = gettext("结束日期不能早于开始日期。")
    if errors:
        raise ServiceError(gettext("活动信息有误，请按提示修改。"), fields=errors)
    event = CenterEvent.objects.create(
        center=center,
        kind=kind,
        title=title.strip(),
        starts_on=starts_on,
        ends_on=ends_on,
        description=description,
    )
    audit(actor=actor, action="centers.event_create", obj=event, org_path=center.org_path)
    return event


# --- social organizations --------------------------------------------------------------


def _social_clean(data: dict[str, Any], instance: SocialOrganization | None) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if not (data.get("name") or "").strip():
        errors["name"] = gettext("请填写社会组织名称。")
    if data.get("kind") not in SocialOrgKind.values:
        errors["kind"] = gettext("请选择社会组织类型。")
    if not isinstance(data.get("area"), Area):
        errors["area"] = gettext("请选择所在区域。")
    code = (data.get("credit_code") or "").strip()
    if code:
        try:
            code = creditcode.validate(code)
        except creditcode.CreditCodeError as e:
            errors["credit_code"] = str(e)
        else:
            dup = SocialOrganization.objects.filter(credit_code=code)
            if instance is not None:
                dup = dup.exclude(pk=instance.pk)
            if dup.exists():
                errors["credit_code"] = gettext("该统一社会信用代码已登记，请勿重复登记。")
    unit = data.get("unit")
    if unit is not None and not isinstance(unit, Unit):
        errors["unit"] = gettext("请选择对应单位。")
    if errors:
        raise ServiceError(gettext("社会组织信息有误，请按提示修改。"), fields=errors)
    data["credit_code"] = code
    data["name"] = data["name"].strip()
    guiding = data.get("guiding_org")
    if guiding is None:
        data["guiding_org"], data["guiding_rule"] = selectors.default_guiding_org(data["area"])
    else:
        data["guiding_rule"] = GuidingRule.MANUAL
    return data


def _check_social_links(
    scope: Scope, *, area: Area | None, guiding_org: Organization | None
) -> None:
    """A social organization is placed in an area of the user's reach (orgs.manage) and
    guided by an organization the user manages."""
    if (
        isinstance(area, Area)
        and not selectors.social_org_area_choices(scope).filter(pk=area.pk).exists()
    ):
        raise ForbiddenError(
            gettext("所在区域不在您的管辖范围内，请重新选择。"),
            fields={"area": gettext("请重新选择所在区域。")},
        )
    if isinstance(guiding_org, Organization) and not scope.reaches_org(
        "orgs.manage", guiding_org.path, guiding_org.area.path if guiding_org.area else None
    ):
        msg = gettext("指导党组织不在您的管辖范围内，请重新选择。")
        raise ForbiddenError(msg, fields={"guiding_org": msg})


SOCIAL_FIELDS = (
    "name",
    "credit_code",
    "kind",
    "area",
    "unit",
    "guiding_org",
    "guiding_rule",
    "services",
)


@transaction.atomic
def social_org_create(
    *,
    scope: Scope,
    actor: User | None,
    name: str,
    kind: str,
    area: Area,
    credit_code: str = "",
    unit: Unit | None = None,
    guiding_org: Organization | None = None,
    services: str = "",
) -> SocialOrganization:
    """Register a social organization. Without ``guiding_org`` the seed-004 rule picks one
    (see selectors.default_guiding_org)."""
    if not scope.has("orgs.manage"):
        raise ForbiddenError(gettext("您没有登记社会组织的权限。"))
    _check_social_links(scope, area=area, guiding_org=guiding_org)
    data = _social_clean(
        dict(
            name=name,
            kind=kind,
            area=area,
            credit_code=credit_code,
            unit=unit,
            guiding_org=guiding_org,
            services=services,
        ),
        None,
    )
    obj = SocialOrganization(**{k: data[k] for k in SOCIAL_FIELDS})
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        msg = gettext("该统一社会信用代码已登记，请勿重复登记。")
        raise ConflictError(msg, fields={"credit_code": msg}) from None
    audit(
        actor=actor,
        action="centers.social_org_create",
        obj=obj,
        org_path=obj.guiding_org.path if obj.guiding_org else "",
        diff={"guiding_rule": [None, obj.guiding_rule]},
    )
    return obj


@transaction.atomic
def social_org_update(
    *, scope: Scope, actor: User | None, social_org: SocialOrganization, **changes: Any
) -> SocialOrganization:
    """``guiding_org=None`` in ``changes`` re-applies the default rule."""
    if not selectors.may_edit_social_org(scope, social_org):
        raise ForbiddenError(gettext("该社会组织不在您的管辖范围内，不能修改。"))
    _check_social_links(
        scope,
        area=changes["area"] if changes.get("area", social_org.area) != social_org.area else None,
        guiding_org=(
            changes.get("guiding_org")
            if changes.get("guiding_org") != social_org.guiding_org
            else None
        ),
    )
    merged = {k: getattr(social_org, k) for k in SOCIAL_FIELDS}
    if social_org.guiding_rule != GuidingRule.MANUAL:
        merged["guiding_org"] = None  # recomputed, e.g. after a move to another area
    merged.update(changes)
    data = _social_clean(merged, social_org)
    before = {k: str(getattr(social_org, k)) for k in SOCIAL_FIELDS}
    for k in SOCIAL_FIELDS:
        setattr(social_org, k, data[k])
    social_org.save()
    after = {k: str(getattr(social_org, k)) for k in SOCIAL_FIELDS}
    audit(
        actor=actor,
        action="centers.social_org_update",
        obj=social_org,
        org_path=social_org.guiding_org.path if social_org.guiding_org else "",
        diff={k: [before[k], v] for k, v in after.items() if before[k] != v},
    )
    return social_org
