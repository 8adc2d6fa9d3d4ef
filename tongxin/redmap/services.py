"""Every write to the 初心图谱: validated, atomic, audited.

Sites, lessons and routes are written by users holding ``redmap.manage`` over the managing
organization (or the area the site stands in). A branch's group visit is booked by whoever
manages the branch's meetings: the site's opening hours and its capacity per time span are
checked (the centres' rules, tongxin.centers.hours), and a 主题党日 meeting is planned for the
branch (tongxin.meetings). A member's 打卡 needs the site's door code of the day and, where the
phone gave a position, a position within the site's radius; once per site and day. When the
members of a booked branch checked in reach the rule's threshold, the planned meeting is held
(meetings.services.meeting_hold_on_site), so 组织生活达标 counts the visit."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import User
from tongxin.core import uploads
from tongxin.core.audit import audit, saved_user
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.scope import Scope
from tongxin.meetings import services as meeting_services
from tongxin.meetings.checks import PlanInput
from tongxin.meetings.models import MeetingKind, MeetingStatus
from tongxin.members.models import Member
from tongxin.orgs.models import Organization
from tongxin.redmap import checks, door, selectors
from tongxin.redmap.checks import SiteInput
from tongxin.redmap.models import (
    CheckIn,
    FileKind,
    GroupVisit,
    Lesson,
    RedSite,
    Route,
    RouteStop,
    SiteFile,
    SiteKind,
    VisitStatus,
)

FILE_MAX_BYTES = 10 * 1024 * 1024
MAX_PEOPLE = 500
MAX_ROUTE_STOPS = 30


def _require_manage(scope: Scope, site: RedSite) -> None:
    if not selectors.may_manage(scope, site):
        raise ForbiddenError(_("该红色基地不在您的管辖范围内。"))


def _require_org(scope: Scope, org: Organization) -> None:
    area = org.area.path if org.area_id and org.area else None
    if not scope.reaches_org(selectors.PERM, org.path, area):
        msg = _("该党组织不在您的管辖范围内，请重新选择。")
        raise ForbiddenError(msg, fields={"org": msg})


# ---- sites ---------------------------------------------------------------------------------


@transaction.atomic
def site_create(*, scope: Scope, actor: User | None, data: SiteInput) -> RedSite:
    _require_org(scope, data.org)
    hours, closed = checks.validate_site(data)
    site = RedSite.objects.create(
        name=data.name.strip(),
        kind=data.kind,
        address=data.address.strip(),
        area=data.area,
        area_path=data.area.path,
        org=data.org,
        org_path=data.org.path,
        latitude=data.latitude,
        longitude=data.longitude,
        radius_m=data.radius_m,
        capacity=data.capacity,
        story=data.story.strip(),
        opening_hours=hours,
        closed_dates=closed,
        door_secret=door.new_secret(),
    )
    audit(actor=actor, action="redmap.site_create", obj=site, org_path=site.org_path)
    return site


@transaction.atomic
def site_update(
    *, scope: Scope, actor: User | None, site: RedSite, data: SiteInput, is_active: bool = True
) -> RedSite:
    _require_manage(scope, site)
    _require_org(scope, data.org)
    hours, closed = checks.validate_site(data)
    site.name, site.kind, site.address = data.name.strip(), data.kind, data.address.strip()
    site.area, site.area_path = data.area, data.area.path
    site.org, site.org_path = data.org, data.org.path
    site.latitude, site.longitude, site.radius_m = data.latitude, data.longitude, data.radius_m
    site.capacity, site.story = data.capacity, data.story.strip()
    site.opening_hours, site.closed_dates, site.is_active = hours, closed, is_active
    site.save()
    audit(actor=actor, action="redmap.site_update", obj=site, org_path=site.org_path)
    return site


@transaction.atomic
def site_file_add(
    *,
    scope: Scope,
    actor: User | None,
    site: RedSite,
    f: UploadedFile,
    lesson: Lesson | None = None,
) -> SiteFile:
    """A photo of the site (images), or an image or attachment (images, PDF) of one of its
    lessons; checked by content and size, removed again if saving fails."""
    _require_manage(scope, site)
    if lesson is not None and lesson.site_id != site.pk:
        raise ServiceError(_("课程不属于该红色基地，请从课程页面上传。"))
    allowed = uploads.IMAGES if lesson is None else uploads.IMAGES_AND_PDF
    stored = uploads.store(f, allowed=allowed, max_bytes=FILE_MAX_BYTES, folder="redmap")
    kind = FileKind.PHOTO if stored.kind in uploads.IMAGES else FileKind.ATTACHMENT
    try:
        with transaction.atomic():
            row = SiteFile.objects.create(
                site=site,
                lesson=lesson,
                kind=kind,
                name=stored.name,
                original_name=stored.original_name,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by=saved_user(actor),
            )
            audit(
                actor=actor,
                action="redmap.site_file",
                obj=site,
                org_path=site.org_path,
                diff={"file": stored.original_name, "lesson": lesson.pk if lesson else None},
            )
    except Exception:
        uploads.delete(stored.name)
        raise
    return row


@transaction.atomic
def door_reset(*, scope: Scope, actor: User | None, site: RedSite) -> RedSite:
    """A new door secret: every code printed so far stops working at once (a leaked photo of
    the door screen)."""
    _require_manage(scope, site)
    site.door_secret = door.new_secret()
    site.save(update_fields=["door_secret"])
    audit(actor=actor, action="redmap.door_reset", obj=site, org_path=site.org_path)
    return site


# ---- lessons and routes --------------------------------------------------------------------


@transaction.atomic
def lesson_create(
    *, scope: Scope, actor: User | None, site: RedSite, title: str, body: str
) -> Lesson:
    _require_manage(scope, site)
    errors = {}
    if site.kind != SiteKind.SCHOOL:
        raise ServiceError(_("只有初心学堂可以发布课程，请在初心学堂的页面发布。"))
    if not title.strip():
        errors["title"] = _("请填写课程名称。")
    if not body.strip():
        errors["body"] = _("请填写课程内容。")
    if errors:
        raise ServiceError(_("请按提示修改后再提交。"), fields=errors)
    lesson = Lesson.objects.create(
        site=site, title=title.strip()[:200], body=body.strip(), created_by=saved_user(actor)
    )
    audit(
        actor=actor,
        action="redmap.lesson_create",
        obj=site,
        org_path=site.org_path,
        diff={"lesson": lesson.pk},
    )
    return lesson


@transaction.atomic
def route_create(
    *,
    scope: Scope,
    actor: User | None,
    org: Organization,
    name: str,
    sites: list[RedSite],
    description: str = "",
) -> Route:
    """初心之旅: an ordered set of open sites (in the order given), at least two, each once."""
    _require_org(scope, org)
    errors = {}
    if not name.strip():
        errors["name"] = _("请填写线路名称。")
    if len(sites) < 2:
        errors["sites"] = _("一条线路至少包含两处红色基地，请按参观顺序选择。")
    elif len(sites) > MAX_ROUTE_STOPS:
        errors["sites"] = _("一条线路最多%(n)s处红色基地。") % {"n": MAX_ROUTE_STOPS}
    elif len({s.pk for s in sites}) != len(sites):
        errors["sites"] = _("同一处红色基地在线路中出现了两次，请删去重复的站点。")
    elif any(not s.is_active for s in sites):
        errors["sites"] = _("线路中有已关闭的红色基地，请重新选择。")
    if errors:
        raise ServiceError(_("请按提示修改后再提交。"), fields=errors)
    route = Route.objects.create(
        name=name.strip()[:100], description=description.strip(), org=org, org_path=org.path
    )
    RouteStop.objects.bulk_create(
        [RouteStop(route=route, site=s, position=i) for i, s in enumerate(sites, start=1)]
    )
    audit(actor=actor, action="redmap.route_create", obj=route, org_path=route.org_path)
    return route


# ---- group visits --------------------------------------------------------------------------


@transaction.atomic
def visit_book(
    *,
    scope: Scope,
    actor: User | None,
    site: RedSite,
    branch: Organization,
    date: dt.date,
    start_time: dt.time,
    end_time: dt.time,
    people: int,
) -> GroupVisit:
    """A branch's group visit: inside the site's opening hours and within its capacity for
    the time span (other bookings overlapping it counted); plans the branch's 主题党日."""
    if not selectors.may_book_for(scope, branch):
        msg = _("只能为您负责组织生活的党支部预约，请重新选择党支部。")
        raise ForbiddenError(msg, fields={"branch": msg})
    # One booking at a time per site: the capacity sum below must not race another booking.
    site = RedSite.objects.select_for_update().get(pk=site.pk)
    if not site.is_active:
        raise ConflictError(_("该红色基地已关闭，暂不接受预约。"))
    today = selectors.local_today()
    errors = {}
    if date < today:
        errors["date"] = _("参观日期不能早于今天。")
    elif date > today + dt.timedelta(days=checks.BOOK_AHEAD_DAYS):
        errors["date"] = _("最多提前%(n)s天预约，请选择较近的日期。") % {
            "n": checks.BOOK_AHEAD_DAYS
        }
    if end_time <= start_time:
        errors["end_time"] = _("结束时间应晚于开始时间。")
    if not 1 <= people <= MAX_PEOPLE:
        errors["people"] = _("参观人数应在1到%(n)s之间。") % {"n": MAX_PEOPLE}
    if errors:
        raise ServiceError(_("请按提示修改后再提交。"), fields=errors)
    checks.check_open(site, date, start_time, end_time)
    if GroupVisit.objects.filter(
        site=site,
        branch=branch,
        date=date,
        status__in=[VisitStatus.BOOKED, VisitStatus.COUNTED],
    ).exists():
        raise ConflictError(_("该党支部当天已预约这处红色基地，无需重复预约。"))
    booked = selectors.booked_people(site, date, start_time, end_time)
    if booked + people > site.capacity:
        left = max(0, site.capacity - booked)
        msg = _(
            "该时段已预约%(booked)s人，基地同时段最多接待%(cap)s人，还可预约%(left)s人；"
            "请减少人数或换一个时段。"
        ) % {"booked": booked, "cap": site.capacity, "left": left}
        raise ServiceError(msg, fields={"people": msg}, code="over_capacity")
    meeting = meeting_services.meeting_plan(
        scope=scope,
        actor=actor,
        data=PlanInput(
            org=branch,
            kind=MeetingKind.THEME_DAY,
            title=_("主题党日：参观%(site)s") % {"site": site.name},
            date=date,
            start_time=start_time,
            end_time=end_time,
            location=f"{site.name}（{site.address}）"[:200],
        ),
    )
    visit = GroupVisit.objects.create(
        site=site,
        branch=branch,
        branch_path=branch.path,
        date=date,
        start_time=start_time,
        end_time=end_time,
        people=people,
        meeting=meeting,
        booked_by=saved_user(actor),
    )
    audit(
        actor=actor,
        action="redmap.visit_book",
        obj=visit,
        org_path=branch.path,
        diff={"site": site.pk, "date": date.isoformat(), "people": people},
    )
    return visit


@transaction.atomic
def visit_cancel(*, scope: Scope, actor: User | None, visit: GroupVisit) -> GroupVisit:
    """A booking not yet counted; its planned 主题党日 is cancelled with it."""
    if not selectors.may_book_for(scope, visit.branch):
        raise ForbiddenError(_("该参观预约不在您的管辖范围内。"))
    if visit.status != VisitStatus.BOOKED:
        raise ConflictError(_("只有尚未计入主题党日的预约可以取消。"))
    visit.status = VisitStatus.CANCELLED
    visit.save(update_fields=["status"])
    if visit.meeting is not None and visit.meeting.status == MeetingStatus.PLANNED:
        meeting_services.meeting_cancel(scope=scope, actor=actor, meeting=visit.meeting)
    audit(actor=actor, action="redmap.visit_cancel", obj=visit, org_path=visit.branch_path)
    return visit


# ---- 打卡 ----------------------------------------------------------------------------------


def _position_error(msg: str) -> ServiceError:
    return ServiceError(msg, fields={"location": msg}, code="location")


def _distance(
    site: RedSite, latitude: float | None, longitude: float | None, accuracy: float | None
) -> int | None:
    """Metres from the site where the phone gave a position; refused past the radius plus the
    forgiven part of the phone's accuracy."""
    if latitude is None and longitude is None:
        return None
    if latitude is None or longitude is None:
        raise _position_error(_("定位信息不完整（缺少经度或纬度），请重新获取定位后打卡。"))
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise _position_error(_("定位坐标超出范围，请重新获取定位后打卡。"))
    if accuracy is not None and not 0 <= accuracy <= 100_000:
        raise _position_error(_("定位精度数值不正确，请重新获取定位后打卡。"))
    d = door.distance_m(site.latitude, site.longitude, latitude, longitude)
    allowance = min(accuracy or 0.0, float(selectors.rules().accuracy_allowance_m))
    if d > site.radius_m + allowance:
        raise _position_error(
            _("您距离%(name)s约%(d)s米，超出打卡范围（%(r)s米）；请到达基地后再打卡。")
            % {"name": site.name, "d": round(d), "r": site.radius_m}
        )
    return round(d)


@transaction.atomic
def checkin_record(
    *,
    scope: Scope,
    actor: User,
    site: RedSite,
    code: str,
    latitude: float | None = None,
    longitude: float | None = None,
    accuracy: float | None = None,
) -> CheckIn:
    """The member's own 打卡 (``actor.member``): today's door code of this site, a position
    within the radius where the phone gave one, once per site and day. Counts toward the
    branch's booked visit, which becomes its 主题党日 at the rule's threshold."""
    member = Member.objects.filter(pk=actor.member_id).first() if actor.member_id else None
    if member is None:
        raise ForbiddenError(_("只有党员本人可以在红色基地打卡，请用党员账号登录。"))
    if not site.is_active:
        raise ConflictError(_("该红色基地已关闭，暂不能打卡。"))
    today = selectors.local_today()
    door.verify(site, code, today)
    distance = _distance(site, latitude, longitude, accuracy)
    if selectors.checked_in_today(site, member, today):
        raise ConflictError(_("您今天已在这里打过卡，每处红色基地每天打卡一次。"), code="twice")
    visit = selectors.live_visit_for(site, member, today)
    try:
        with transaction.atomic():
            row = CheckIn.objects.create(
                site=site,
                member=member,
                member_org_path=member.org_path,
                on=today,
                at=timezone.now(),
                visit=visit,
                distance_m=distance,
            )
    except IntegrityError:
        raise ConflictError(
            _("您今天已在这里打过卡，每处红色基地每天打卡一次。"), code="twice"
        ) from None
    audit(
        actor=actor,
        action="redmap.checkin",
        obj=site,
        org_path=member.org_path,
        diff={"site": site.pk, "visit": visit.pk if visit else None, "distance": distance},
    )
    if visit is not None:
        _count_visit(visit, member.pk)
    return row


def _count_visit(visit: GroupVisit, member_id: int) -> None:
    """The visit becomes the branch's 主题党日 at the threshold; later arrivals join it."""
    # Two members checking in at once must not both count the visit.
    visit = (
        GroupVisit.objects.select_for_update(of=("self",))
        .select_related("meeting", "site", "branch")
        .get(pk=visit.pk)
    )
    meeting = visit.meeting
    if meeting is None or meeting.status == MeetingStatus.CANCELLED:
        return
    if visit.status == VisitStatus.COUNTED:
        ids = [member_id]
    else:
        ids = list(visit.checkins.values_list("member_id", flat=True))
        need = selectors.threshold(visit, selectors.branch_member_count(visit.branch))
        if len(ids) < need:
            return
        visit.status = VisitStatus.COUNTED
        visit.save(update_fields=["status"])
    # The installation acts here (actor None, whole scope): the consequence of check-ins this
    # service has just verified, on the meeting the branch's manager planned when booking.
    meeting_services.meeting_hold_on_site(
        scope=Scope.everything(),
        actor=None,
        meeting=meeting,
        member_ids=ids,
        place=visit.site.name,
    )
