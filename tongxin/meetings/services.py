"""Every write to organizational life: validated, atomic, audited (DESIGN §4.5)."""

from __future__ import annotations

import secrets

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import User
from tongxin.core import uploads
from tongxin.core.audit import audit, common_path, saved_user
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.scope import Scope, subtree_q
from tongxin.meetings import card, checks, selectors
from tongxin.meetings.checks import PlanInput, RecordInput, SeriesInput
from tongxin.meetings.models import (
    Attendance,
    AttendanceState,
    CalendarFeed,
    CheckInMethod,
    FeedKind,
    Guest,
    Meeting,
    MeetingAttachment,
    MeetingSeries,
    MeetingStatus,
    Recurrence,
    ReviewStatus,
)
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, OrgKind

ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
SERIES_MAX_DAYS = 366


def _require_org(scope: Scope, org: Organization) -> None:
    """Meetings are planned only for an organization the user manages meetings of."""
    if not scope.reaches_org("meetings.manage", org.path, org.area.path if org.area else None):
        msg = _("该党组织不在您的管辖范围内，请重新选择。")
        raise ForbiddenError(msg, fields={"org": msg})


def _require(scope: Scope, meeting: Meeting, perm: str = "meetings.manage") -> None:
    if not selectors.can(scope, perm, meeting):
        raise ForbiddenError(_("该会议不在您的管辖范围内。"))


def _new_meeting(
    actor: User | None, data: PlanInput, series: MeetingSeries | None = None
) -> Meeting:
    return Meeting(
        org=data.org,
        org_path=data.org.path,
        branch_id=checks.branch_of(data.org),
        kind=data.kind,
        title=data.title.strip(),
        date=data.date,
        start_time=data.start_time,
        end_time=data.end_time,
        location=data.location.strip(),
        presenter=data.presenter.strip(),
        recorder=data.recorder.strip(),
        series=series,
        created_by=saved_user(actor),
    )


@transaction.atomic
def meeting_plan(*, scope: Scope, actor: User | None, data: PlanInput) -> Meeting:
    _require_org(scope, data.org)
    checks.validate_plan(data)
    meeting = _new_meeting(actor, data)
    meeting.expected_count = selectors.roster(meeting).count()
    meeting.save()
    audit(
        actor=actor,
        action="meetings.plan",
        obj=meeting,
        org_path=meeting.org_path,
        diff={"kind": data.kind, "date": data.date.isoformat()},
    )
    return meeting


@transaction.atomic
def meeting_update(
    *, scope: Scope, actor: User | None, meeting: Meeting, data: PlanInput
) -> Meeting:
    _require(scope, meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise ConflictError(_("只有计划中的会议可以修改安排；已召开的会议请修改会议记录。"))
    data.org = meeting.org  # the organization of a meeting does not change
    checks.validate_plan(data)
    for f in ("kind", "date", "start_time", "end_time"):
        setattr(meeting, f, getattr(data, f))
    for f in ("title", "location", "presenter", "recorder"):
        setattr(meeting, f, getattr(data, f).strip())
    meeting.save()
    audit(actor=actor, action="meetings.update", obj=meeting, org_path=meeting.org_path)
    return meeting


@transaction.atomic
def meeting_cancel(*, scope: Scope, actor: User | None, meeting: Meeting) -> Meeting:
    _require(scope, meeting)
    if meeting.status != MeetingStatus.PLANNED:
        raise ConflictError(_("只有计划中的会议可以取消。"))
    meeting.status = MeetingStatus.CANCELLED
    meeting.save(update_fields=["status", "updated_at"])
    audit(actor=actor, action="meetings.cancel", obj=meeting, org_path=meeting.org_path)
    return meeting


def _refresh_counts(meeting: Meeting) -> None:
    counts = selectors.roll_counts(selectors.roll(meeting))
    meeting.present_count = counts.present
    meeting.expected_count = counts.expected
    meeting.save(update_fields=["present_count", "expected_count", "updated_at"])


@transaction.atomic
def meeting_counts_refresh(*, actor: User | None, org_paths: list[str]) -> int:
    """Recount the stored 应到/实到 of the held meetings of these branches (and their groups)
    from the roster of each meeting's date, after members were added or moved in bulk (a roster
    import): the list page and the attendance rates read the stored copy. Returns the number
    of meetings whose counts changed."""
    changed = 0
    # A few hundred subtrees a query: a city's import may touch thousands of branches, more
    # than one SQL expression may join (SQLite's depth limit).
    for start in range(0, len(org_paths), 200):
        q = Q(pk__in=[])
        for path in org_paths[start : start + 200]:
            q |= subtree_q("org_path", path)
        for meeting in Meeting.objects.filter(q, status=MeetingStatus.HELD).select_related("org"):
            counts = selectors.roll_counts(selectors.roll(meeting))
            stored = (meeting.expected_count, meeting.present_count)
            if stored != (counts.expected, counts.present):
                Meeting.objects.filter(pk=meeting.pk).update(
                    expected_count=counts.expected, present_count=counts.present
                )
                changed += 1
    if changed:
        # the branches' common ancestor (all of them spanning the roots: the installation)
        audit(
            actor=actor,
            action="meetings.counts_refresh",
            diff={"meetings": changed},
            org_path=common_path(org_paths),
            installation_wide=True,
        )
    return changed


@transaction.atomic
def meeting_record(
    *, scope: Scope, actor: User | None, meeting: Meeting, data: RecordInput
) -> Meeting:
    """The minutes: marks the meeting held. A meeting that has not started cannot be held."""
    _require(scope, meeting)
    errors: dict[str, str] = {}
    if meeting.status == MeetingStatus.CANCELLED:
        raise ConflictError(_("会议已取消，不能记录为已召开；请重新安排会议。"))
    if checks.starts_at(meeting.date, meeting.start_time) > timezone.now():
        raise ServiceError(
            _("会议时间%(when)s还未到，不能记录为已召开；请在会后记录，或修改会议日期。")
            % {"when": f"{meeting.date:%Y-%m-%d} {meeting.start_time:%H:%M}"}
        )
    if not data.title.strip():
        errors["title"] = _("请填写会议主题。")
    if not data.presenter.strip():
        errors["presenter"] = _("请填写主持人或主讲人。")
    if not data.recorder.strip():
        errors["recorder"] = _("请填写记录人。")
    if not data.content.strip():
        errors["content"] = _("请填写会议内容。")
    errors.update(checks.attendance_errors(meeting, data))
    if errors:
        message = errors.get("decisions") or errors.get("attendance")
        raise ServiceError(message or _("请按提示修改后再提交。"), fields=errors)
    guests = selectors.guest_ids(meeting)
    existing = {a.member_id: a for a in Attendance.objects.filter(meeting=meeting)}
    for member_id, (state, reason) in data.attendance.items():
        a = existing.get(member_id)
        reason = reason.strip() if state != AttendanceState.PRESENT else ""
        if a is None:
            Attendance.objects.create(
                meeting=meeting,
                member_id=member_id,
                state=state,
                reason=reason,
                method=CheckInMethod.RECORD,
                is_guest=member_id in guests,
            )
        elif (a.state, a.reason) != (state, reason):
            a.state, a.reason = state, reason
            a.method = a.method if state == AttendanceState.PRESENT and a.method else "record"
            a.save()
    before = meeting.status
    meeting.title, meeting.presenter = data.title.strip(), data.presenter.strip()
    meeting.recorder, meeting.content = data.recorder.strip(), data.content.strip()
    meeting.decisions = data.decisions.strip()
    meeting.status = MeetingStatus.HELD
    if meeting.review_status == ReviewStatus.RETURNED:
        meeting.review_status = ReviewStatus.NONE
    meeting.save()
    _refresh_counts(meeting)
    audit(
        actor=actor,
        action="meetings.record",
        obj=meeting,
        org_path=meeting.org_path,
        diff={"status": [before, MeetingStatus.HELD], "present": meeting.present_count},
    )
    return meeting


def _mark_present(
    actor: User | None,
    meeting: Meeting,
    member_id: int,
    method: str,
    *,
    roster_ids: set[int] | None = None,
    guests: set[int] | None = None,
) -> Attendance:
    if guests is None:
        guests = selectors.guest_ids(meeting)
    if roster_ids is None:
        on_roster = selectors.roster(meeting).filter(pk=member_id).exists()
    else:
        on_roster = member_id in roster_ids
    if not on_roster and member_id not in guests:
        raise ServiceError(
            _("该党员不是本支部党员，不能签到；如需列席，请先在签到页添加为列席人员。"),
            code="not_member",
        )
    a = Attendance.objects.filter(meeting=meeting, member_id=member_id).first()
    if a is not None and a.state == AttendanceState.PRESENT:
        raise ConflictError(_("该党员已签到，无需重复签到。"), code="already")
    is_guest = not on_roster
    if a is None:
        a = Attendance(meeting=meeting, member_id=member_id, is_guest=is_guest)
    a.state, a.reason, a.method = AttendanceState.PRESENT, "", method
    a.save()
    # One more present (and, for a guest, one more expected): no recount on the hot path.
    Meeting.objects.filter(pk=meeting.pk).update(
        present_count=F("present_count") + 1,
        expected_count=F("expected_count") + (1 if is_guest else 0),
        updated_at=timezone.now(),
    )
    audit(
        actor=actor,
        action="meetings.check_in",
        obj=meeting,
        org_path=meeting.org_path,
        diff={"member": member_id, "method": method},
    )
    return a


@transaction.atomic
def meeting_check_in(
    *, scope: Scope, actor: User | None, meeting: Meeting, text: str
) -> Attendance:
    """A scanned card token or a typed short code. Refused (nothing written): expired, forged,
    replayed or other-meeting tokens, and members of other branches not added as guests."""
    _require(scope, meeting)
    checks.check_in_open(meeting)
    if not text.strip():
        raise ServiceError(_("请扫描党员卡二维码或输入签到码。"), fields={"code": _("请填写。")})
    roster_ids = set(selectors.roster(meeting).values_list("id", flat=True))
    guests = selectors.guest_ids(meeting)
    member_id, method = card.verify(
        text, context=checks.context_of(meeting), candidates=[*roster_ids, *guests]
    )
    return _mark_present(actor, meeting, member_id, method, roster_ids=roster_ids, guests=guests)


@transaction.atomic
def meeting_roll_call(
    *, scope: Scope, actor: User | None, meeting: Meeting, member_id: int, present: bool
) -> Meeting:
    """Tick (or untick) a member on the roll. Not before the meeting's day."""
    _require(scope, meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ConflictError(_("会议已取消，不能点名。"))
    if meeting.date > selectors.local_today():
        raise ServiceError(_("会议还未召开，不能点名；请在会议当天点名。"))
    if present:
        _mark_present(actor, meeting, member_id, CheckInMethod.ROLL_CALL)
        return meeting
    deleted, _counts = Attendance.objects.filter(
        meeting=meeting, member_id=member_id, state=AttendanceState.PRESENT
    ).delete()
    if deleted:
        _refresh_counts(meeting)
        audit(
            actor=actor,
            action="meetings.roll_call_undo",
            obj=meeting,
            org_path=meeting.org_path,
            diff={"member": member_id},
        )
    return meeting


@transaction.atomic
def meeting_guest_add(
    *, scope: Scope, actor: User | None, meeting: Meeting, member: Member
) -> Guest:
    """A member from outside the branch, in the user's reach, attends (列席)."""
    _require(scope, meeting)
    if not Member.objects.filter(scope.members_q("members.view"), pk=member.pk).exists():
        msg = _("该党员不在您的管辖范围内，请重新选择。")
        raise ForbiddenError(msg, fields={"member": msg})
    if member.org_path == selectors.branch_path_of(meeting):
        raise ConflictError(_("该党员是本支部党员，无需添加为列席人员。"))
    guest, created = Guest.objects.get_or_create(meeting=meeting, member=member)
    if not created:
        raise ConflictError(_("该党员已是本次会议的列席人员。"))
    audit(
        actor=actor,
        action="meetings.guest_add",
        obj=meeting,
        org_path=meeting.org_path,
        diff={"member": member.pk},
    )
    return guest


@transaction.atomic
def meeting_attach(
    *, scope: Scope, actor: User | None, meeting: Meeting, f: UploadedFile
) -> MeetingAttachment:
    """Images or PDF, checked by content and size; the file is removed again if saving fails."""
    _require(scope, meeting)
    stored = uploads.store(
        f, allowed=uploads.IMAGES_AND_PDF, max_bytes=ATTACHMENT_MAX_BYTES, folder="meetings"
    )
    try:
        with transaction.atomic():
            att = MeetingAttachment.objects.create(
                meeting=meeting,
                name=stored.name,
                original_name=stored.original_name,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by=saved_user(actor),
            )
            audit(
                actor=actor,
                action="meetings.attach",
                obj=meeting,
                org_path=meeting.org_path,
                diff={"file": stored.original_name, "size": stored.size},
            )
    except Exception:
        uploads.delete(stored.name)
        raise
    return att


@transaction.atomic
def meeting_review(
    *, scope: Scope, actor: User | None, meeting: Meeting, approve: bool, note: str = ""
) -> Meeting:
    """The upper organization's review of the minutes (optional)."""
    _require(scope, meeting, "meetings.review")
    if meeting.status != MeetingStatus.HELD:
        raise ConflictError(_("会议尚未记录为已召开，暂不能审核。"))
    if not approve and not note.strip():
        raise ServiceError(
            _("退回时请写明需要补正的内容。"), fields={"note": _("请填写审核意见。")}
        )
    meeting.review_status = ReviewStatus.APPROVED if approve else ReviewStatus.RETURNED
    meeting.review_note = note.strip()[:500]
    meeting.reviewed_by = saved_user(actor)
    meeting.reviewed_at = timezone.now()
    meeting.save()
    audit(
        actor=actor,
        action="meetings.review",
        obj=meeting,
        org_path=meeting.org_path,
        diff={"review_status": meeting.review_status},
    )
    return meeting


# ---- recurring series ------------------------------------------------------------------------


@transaction.atomic
def series_create(
    *, scope: Scope, actor: User | None, data: SeriesInput
) -> tuple[MeetingSeries, int]:
    """A recurring plan and its planned meetings (at most a year ahead)."""
    _require_org(scope, data.org)
    errors: dict[str, str] = {}
    if data.recurrence not in Recurrence.values:
        errors["recurrence"] = _("请选择周期。")
    elif data.recurrence == Recurrence.WEEKLY and data.weekday not in range(7):
        errors["weekday"] = _("每周召开请选择星期几。")
    elif data.recurrence == Recurrence.MONTHLY and data.day_of_month not in range(1, 32):
        errors["day_of_month"] = _("每月召开请填写1到31之间的日期。")
    if data.ends_on < data.starts_on:
        errors["ends_on"] = _("截止日期不能早于起始日期。")
    elif (data.ends_on - data.starts_on).days > SERIES_MAX_DAYS:
        errors["ends_on"] = _("一次最多安排一年的会议，请缩短截止日期。")
    if data.starts_on < selectors.local_today():
        errors["starts_on"] = _("起始日期不能早于今天。")
    plan = PlanInput(
        org=data.org,
        kind=data.kind,
        title=data.title,
        date=data.starts_on,
        start_time=data.start_time,
        end_time=data.end_time,
        location=data.location,
    )
    try:
        checks.validate_plan(plan)
    except ServiceError as e:
        errors.update(e.fields)
    if errors:
        raise ServiceError(_("请按提示修改后再提交。"), fields=errors)
    series = MeetingSeries.objects.create(
        org=data.org,
        org_path=data.org.path,
        kind=data.kind,
        title=data.title.strip(),
        recurrence=data.recurrence,
        weekday=data.weekday,
        day_of_month=data.day_of_month,
        start_time=data.start_time,
        end_time=data.end_time,
        location=data.location.strip(),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        created_by=saved_user(actor),
    )
    dates = checks.series_dates(data)
    if not dates:
        raise ServiceError(
            _("起止日期之间没有符合周期的日期，请调整。"),
            fields={"ends_on": _("没有可安排的日期。")},
        )
    template = _new_meeting(actor, plan, series)
    template.expected_count = selectors.roster(template).count()
    rows = []
    for d in dates:
        m = Meeting(
            **{
                f.attname: getattr(template, f.attname)
                for f in Meeting._meta.concrete_fields
                if f.attname not in ("id", "date")
            },
            date=d,
        )
        rows.append(m)
    Meeting.objects.bulk_create(rows)
    audit(
        actor=actor,
        action="meetings.series_create",
        obj=series,
        org_path=series.org_path,
        diff={"meetings": len(rows), "recurrence": data.recurrence},
    )
    return series, len(rows)


# ---- calendar feeds -------------------------------------------------------------------------


@transaction.atomic
def feed_rotate(
    *,
    scope: Scope,
    actor: User | None,
    org: Organization | None = None,
    member: Member | None = None,
) -> CalendarFeed:
    """Create the private feed URL, or replace its token (the old URL stops working): a
    branch's, for its meeting managers, or the member's own."""
    if (org is None) == (member is None):
        raise ServiceError(_("请选择支部或党员。"))
    if org is not None:
        _require_org(scope, org)
    if (
        member is not None
        and not scope.is_superuser
        and (actor is None or actor.member_id != member.pk)
    ):
        raise ForbiddenError(_("只能更换本人的日历订阅地址。"))
    token = secrets.token_urlsafe(24)
    if org is not None:
        if org.kind != OrgKind.BRANCH:
            raise ServiceError(_("日历订阅按党支部提供，请在党支部页面生成。"))
        feed, _created = CalendarFeed.objects.update_or_create(
            org=org, defaults={"kind": FeedKind.BRANCH, "token": token}
        )
        audit(actor=actor, action="meetings.feed_rotate", obj=org)
    else:
        assert member is not None
        feed, _created = CalendarFeed.objects.update_or_create(
            member=member, defaults={"kind": FeedKind.MEMBER, "token": token}
        )
        audit(actor=actor, action="meetings.feed_rotate", obj=member)
    return feed


# ---- held on site --------------------------------------------------------------------------


@transaction.atomic
def meeting_hold_on_site(
    *, scope: Scope, actor: User | None, meeting: Meeting, member_ids: list[int], place: str
) -> Meeting:
    """A meeting held away from the table whose attendance the members took themselves on site
    (a branch's red-site visit, tongxin.redmap): the members named are marked present (by QR),
    the meeting is held. Absences and the rest of the minutes are completed by the secretary
    in the minutes as usual. Members not on the roster are refused."""
    _require(scope, meeting)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ConflictError(_("会议已取消，不能记录为已召开；请重新安排会议。"))
    roster_ids = set(selectors.roster(meeting).values_list("id", flat=True))
    strangers = [m for m in member_ids if m not in roster_ids]
    if strangers:
        raise ServiceError(
            _("签到名单中有不属于本支部的党员，不能计入本支部的会议。"), code="not_member"
        )
    present = set(
        Attendance.objects.filter(
            meeting=meeting, member_id__in=member_ids, state=AttendanceState.PRESENT
        ).values_list("member_id", flat=True)
    )
    for member_id in member_ids:
        if member_id in present:
            continue
        Attendance.objects.update_or_create(
            meeting=meeting,
            member_id=member_id,
            defaults={"state": AttendanceState.PRESENT, "reason": "", "method": CheckInMethod.QR},
        )
    before = meeting.status
    meeting.status = MeetingStatus.HELD
    if not meeting.content:
        meeting.content = _("在%(place)s现场开展，党员现场扫码打卡。") % {"place": place}
    meeting.save(update_fields=["status", "content", "updated_at"])
    _refresh_counts(meeting)
    audit(
        actor=actor,
        action="meetings.hold_on_site",
        obj=meeting,
        org_path=meeting.org_path,
        diff={"status": [before, MeetingStatus.HELD], "present": meeting.present_count},
    )
    return meeting
