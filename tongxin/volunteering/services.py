"""Every write to volunteering: validated, atomic, audited.

Sign-up: members (``user.member``) and residents (``user.resident``); past the slots a sign-up
joins the waiting list (or is refused when the activity has none) and the first in line is
promoted when a confirmed volunteer cancels. Check-in: the volunteer types the activity's
code on their phone, or the organizer scans the member card (tongxin.meetings.card) / types
its short code. Check-out writes the hours to the append-only ledger; corrections are
reversing entries. A party member's hours carry the member's own organization
(``member_org_path``, the branch view) and, for an accepted 双报到 in the activity's
community, are logged there too (tongxin.dual_reports)."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.centers.models import ServiceCenter
from tongxin.core.audit import audit, saved_user
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.scope import Scope
from tongxin.dual_reports.models import DualReport, DualReportStatus
from tongxin.dual_reports.services import dual_report_hours_log
from tongxin.geo.models import Area
from tongxin.meetings import card
from tongxin.members.models import Member
from tongxin.orgs.models import Organization
from tongxin.volunteering import selectors
from tongxin.volunteering.models import (
    Activity,
    ActivityStatus,
    SignUp,
    SignUpStatus,
    VolunteerHours,
    VolunteerTeam,
)

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
MAX_MINUTES_PER_DAY = 24 * 60
CHECKIN_EARLY = dt.timedelta(hours=1)


def _require_manage(scope: Scope, activity: Activity) -> None:
    if not selectors.may_manage(scope, activity):
        raise ForbiddenError(gettext("该志愿服务活动不在您的管辖范围内。"))


def _require_own(actor: User, signup: SignUp) -> None:
    if not selectors.is_own_signup(actor, signup):
        raise ForbiddenError(gettext("只能操作本人的报名。"))


def _code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


@transaction.atomic
def team_create(
    *,
    scope: Scope,
    actor: User | None,
    name: str,
    org: Organization,
    area: Area | None = None,
    is_party_member_team: bool = True,
    description: str = "",
) -> VolunteerTeam:
    """A team of an organization the user manages (``volunteering.manage``), serving a
    community (社区/村) within the user's reach and within the organization's area."""
    if not selectors.may_run_team(scope, org):
        msg = gettext("该党组织不在您的管辖范围内，请重新选择。")
        raise ForbiddenError(msg, fields={"org": msg})
    if not name.strip():
        msg = gettext("请填写志愿服务队名称。")
        raise ServiceError(msg, fields={"name": msg})
    if area is not None and org.area is not None and not area.path.startswith(org.area.path):
        msg = gettext("服务社区应在所属党组织所在区域之内，请重新选择。")
        raise ServiceError(msg, fields={"area": msg})
    if area is not None and not selectors.may_serve_area(scope, area):
        msg = gettext("服务社区不在您的管辖范围内，请选择一个社区（村）。")
        raise ForbiddenError(msg, fields={"area": msg})
    team = VolunteerTeam.objects.create(
        name=name.strip(),
        org=org,
        org_path=org.path,
        area=area,
        is_party_member_team=is_party_member_team,
        description=description.strip(),
    )
    audit(actor=actor, action="volunteering.team_create", obj=team, org_path=team.org_path)
    return team


@transaction.atomic
def activity_create(
    *,
    scope: Scope,
    actor: User | None,
    team: VolunteerTeam,
    title: str,
    place: str,
    start: dt.datetime,
    end: dt.datetime,
    slots: int,
    description: str = "",
    area: Area | None = None,
    center: ServiceCenter | None = None,
    waitlist: bool = True,
    open_to_residents: bool = True,
) -> Activity:
    if not selectors.team_queryset(scope).filter(pk=team.pk).exists():
        raise ForbiddenError(gettext("该志愿服务队不在您的管辖范围内。"))
    if area is not None and area != team.area and not selectors.may_serve_area(scope, area):
        msg = gettext("活动社区不在您的管辖范围内，请重新选择。")
        raise ForbiddenError(msg, fields={"area": msg})
    if center is not None and not center.is_active:
        msg = gettext("该党群服务中心已停用，请重新选择。")
        raise ServiceError(msg, fields={"center": msg})
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = gettext("请填写活动名称。")
    if not place.strip():
        errors["place"] = gettext("请填写活动地点。")
    if end <= start:
        errors["end"] = gettext("结束时间须晚于开始时间。")
    elif end - start > dt.timedelta(hours=24):
        errors["end"] = gettext("单场活动不能超过24小时，请分场发布。")
    if isinstance(slots, bool) or not isinstance(slots, int) or not 1 <= slots <= 10000:
        errors["slots"] = gettext("名额应在1至10000之间。")
    if errors:
        raise ServiceError(gettext("活动信息有误，请按提示修改。"), fields=errors)
    activity = Activity.objects.create(
        team=team,
        org_path=team.org_path,
        title=title.strip(),
        description=description,
        place=place.strip(),
        area=area or team.area,
        center=center,
        start=start,
        end=end,
        slots=slots,
        waitlist=waitlist,
        open_to_residents=open_to_residents,
        checkin_code=_code(),
        created_by=saved_user(actor),
    )
    audit(
        actor=actor, action="volunteering.activity_create", obj=activity, org_path=activity.org_path
    )
    return activity


def _locked_activity(activity: Activity) -> Activity:
    return Activity.objects.select_for_update().select_related("team").get(pk=activity.pk)


@transaction.atomic
def signup_create(*, scope: Scope, actor: User, activity: Activity) -> SignUp:
    """Sign the user up: confirmed while slots remain, then on the waiting list (or refused
    when the activity keeps none). Open activities are a public call: anyone signed in with a
    member or resident record signs up for oneself."""
    a = _locked_activity(activity)
    member = getattr(actor, "member", None)
    resident = getattr(actor, "resident", None)
    holder = member if member is not None else resident
    if holder is None:
        raise ServiceError(gettext("报名需要党员或居民身份，请先在“我的”中完善居民信息后再报名。"))
    if a.status != ActivityStatus.OPEN:
        raise ServiceError(gettext("该活动已取消，不能报名。"))
    if a.end <= timezone.now():
        raise ServiceError(gettext("该活动已经结束，不能报名。"))
    if member is None and not a.open_to_residents:
        raise ServiceError(gettext("该活动仅限党员报名。"))
    if selectors.live_signup(actor, a) is not None:
        raise ConflictError(gettext("您已报名该活动，不能重复报名。"), code="duplicate")
    confirmed = a.signups.filter(status=SignUpStatus.CONFIRMED).count()
    if confirmed < a.slots:
        status = SignUpStatus.CONFIRMED
    elif a.waitlist:
        status = SignUpStatus.WAITING
    else:
        raise ConflictError(gettext("该活动名额已满，且不设候补，请选择其他活动。"), code="full")
    name = holder.name
    try:
        with transaction.atomic():
            signup = SignUp.objects.create(
                activity=a,
                user=actor,
                name=name,
                member=member,
                resident=resident,
                status=status,
            )
    except IntegrityError:
        raise ConflictError(gettext("您已报名该活动，不能重复报名。"), code="duplicate") from None
    audit(
        actor=actor,
        action="volunteering.signup",
        obj=signup,
        org_path=a.org_path,
        diff={"status": [None, status]},
    )
    return signup


@transaction.atomic
def signup_cancel(*, scope: Scope, actor: User, signup: SignUp) -> SignUp | None:
    """Cancel one's own sign-up; a freed confirmed place goes to the first on the waiting
    list, who is returned (None if nobody was waiting)."""
    _require_own(actor, signup)
    a = _locked_activity(signup.activity)
    s = SignUp.objects.select_for_update().get(pk=signup.pk)
    if s.status == SignUpStatus.CANCELLED:
        raise ServiceError(gettext("该报名已经取消，无需重复操作。"))
    if s.checked_in_at is not None:
        raise ServiceError(gettext("已签到的报名不能取消，请联系活动组织者。"))
    was_confirmed = s.status == SignUpStatus.CONFIRMED
    s.status = SignUpStatus.CANCELLED
    s.save(update_fields=["status"])
    audit(actor=actor, action="volunteering.signup_cancel", obj=s, org_path=a.org_path)
    promoted = None
    if was_confirmed:
        promoted = (
            a.signups.select_for_update()
            .filter(status=SignUpStatus.WAITING)
            .order_by("created_at", "id")
            .first()
        )
        if promoted is not None:
            promoted.status = SignUpStatus.CONFIRMED
            promoted.save(update_fields=["status"])
            audit(
                actor=actor,
                action="volunteering.signup_promoted",
                obj=promoted,
                org_path=a.org_path,
            )
    signup.status = s.status
    return promoted


def _check_window(a: Activity) -> None:
    now = timezone.now()
    if a.status != ActivityStatus.OPEN:
        raise ServiceError(gettext("该活动已取消，不能签到。"))
    if now < a.start - CHECKIN_EARLY:
        raise ServiceError(gettext("活动开始前1小时内才能签到，请稍后再试。"))
    if now > a.end:
        raise ServiceError(gettext("活动已经结束，不能再签到。"))


def _checked_in(actor: User, s: SignUp, how: str) -> SignUp:
    if s.checked_in_at is not None:
        raise ConflictError(gettext("%(name)s已经签到过了。") % {"name": s.name}, code="duplicate")
    s.checked_in_at = timezone.now()
    s.save(update_fields=["checked_in_at"])
    audit(
        actor=actor,
        action="volunteering.check_in",
        obj=s,
        org_path=s.activity.org_path,
        diff={"how": how},
    )
    return s


@transaction.atomic
def check_in_by_code(*, scope: Scope, actor: User, activity: Activity, code: str) -> SignUp:
    """The volunteer types the 签到码 shown at the venue. A code of another activity, or no
    confirmed sign-up for this one, is refused."""
    a = _locked_activity(activity)
    norm = "".join(ch for ch in code.upper() if ch.isalnum())
    s = (
        SignUp.objects.select_for_update()
        .filter(selectors.person_q(actor), activity=a)
        .exclude(status=SignUpStatus.CANCELLED)
        .first()
    )
    if s is None:
        raise ServiceError(gettext("您没有报名本活动，不能签到；请先报名。"), code="not_signed_up")
    if s.status == SignUpStatus.WAITING:
        raise ServiceError(gettext("您还在候补名单中，尚未获得名额，不能签到。"))
    if norm != a.checkin_code:
        other = Activity.objects.filter(checkin_code=norm).exclude(pk=a.pk).exists()
        msg = (
            gettext("这是另一场活动的签到码，请核对您所在的活动后再签到。")
            if other
            else gettext("签到码不正确，请核对现场公布的6位签到码。")
        )
        raise ServiceError(msg, fields={"code": msg}, code="wrong_activity" if other else "")
    _check_window(a)
    s.activity = a
    return _checked_in(actor, s, "code")


@transaction.atomic
def check_in_by_card(*, scope: Scope, actor: User, activity: Activity, text: str) -> SignUp:
    """The organizer scans a member card QR, or types the card's short code
    (tongxin.meetings.card). The member must hold a confirmed place on this activity."""
    _require_manage(scope, activity)
    a = _locked_activity(activity)
    _check_window(a)
    confirmed = {
        s.member_id: s
        for s in a.signups.select_for_update().filter(
            status=SignUpStatus.CONFIRMED, member__isnull=False
        )
    }
    member_id, how = card.verify(
        text, context=f"volunteering:{a.pk}", candidates=[m for m in confirmed if m]
    )
    s = confirmed.get(member_id)
    if s is None:
        raise ServiceError(
            gettext("该党员没有报名本活动（或仍在候补中），不能签到；请核对活动。"),
            code="wrong_activity",
        )
    s.activity = a
    return _checked_in(actor, s, how)


def _minutes_between(start: dt.datetime, end: dt.datetime) -> int:
    return max(0, int((end - start).total_seconds() // 60))


@transaction.atomic
def check_out(
    *, scope: Scope, actor: User, signup: SignUp, at: dt.datetime | None = None
) -> VolunteerHours:
    """Close a checked-in sign-up (one's own, or as the activity's organizer) and credit the
    time inside the activity's hours."""
    if not selectors.is_own_signup(actor, signup):
        _require_manage(scope, signup.activity)
    s = SignUp.objects.select_for_update().select_related("activity__team").get(pk=signup.pk)
    a = s.activity
    if s.checked_in_at is None:
        raise ServiceError(gettext("尚未签到，不能签退。"))
    if s.checked_out_at is not None:
        raise ConflictError(gettext("已经签退过了，时长已计入。"), code="duplicate")
    _refuse_second_record(s)
    at = at or timezone.now()
    begin = max(s.checked_in_at, a.start)
    finish = min(at, a.end)
    minutes = _minutes_between(begin, finish)
    if minutes < 1:
        raise ServiceError(gettext("签到后服务时间不足1分钟（或活动尚未开始），暂不能签退。"))
    s.checked_out_at = at
    s.save(update_fields=["checked_out_at"])
    entry = _hours_record(
        actor=actor,
        signup=s,
        minutes=minutes,
        on=timezone.localdate(begin),
        note=gettext("签到签退"),
    )
    signup.checked_out_at = at
    return entry


def _validate_minutes(minutes: Any, field: str = "minutes") -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int):
        msg = gettext("服务时长应为整数分钟。")
        raise ServiceError(msg, fields={field: msg})
    if minutes <= 0:
        msg = gettext("服务时长必须大于0；如需更正已记录的时长，请使用“更正”。")
        raise ServiceError(msg, fields={field: msg})
    if minutes > MAX_MINUTES_PER_DAY:
        msg = gettext("一次记录的服务时长不能超过24小时，请核对。")
        raise ServiceError(msg, fields={field: msg})
    return minutes


def _person(member_id: int | None, user_id: int | None) -> dict[str, Any]:
    """A volunteer: the party member when there is one (with or without an account), else
    the account."""
    return {"member_id": member_id} if member_id else {"user_id": user_id}


def _day_total(person: dict[str, Any], on: dt.date) -> int:
    return int(VolunteerHours.objects.filter(on=on, **person).aggregate(s=Sum("minutes"))["s"] or 0)


def _refuse_second_record(s: SignUp) -> None:
    """One attendance credits one duration, whichever way it was recorded (补记 by the
    organizer, 签到/签退 by code or card): a second record would count the same service twice.
    A wrong duration is fixed by 更正 (a reversing entry), after which a new record is taken."""
    credited = selectors.credited_minutes(s)
    if credited > 0:
        msg = gettext(
            "%(name)s的本次服务已记录%(t)s，同一次服务只计一次时长；如时长有误，请在服务时长"
            "台账中“更正”该记录。"
        ) % {"name": s.name, "t": selectors.hours_text(credited)}
        raise ConflictError(msg, fields={"minutes": msg}, code="already_recorded")


@transaction.atomic
def hours_record(
    *,
    scope: Scope,
    actor: User | None,
    signup: SignUp,
    minutes: int,
    on: dt.date | None = None,
    note: str = "",
) -> VolunteerHours:
    """The organizer's entry of hours for a sign-up (补记)."""
    _require_manage(scope, signup.activity)
    return _hours_record(actor=actor, signup=signup, minutes=minutes, on=on, note=note)


def _hours_record(
    *, actor: User | None, signup: SignUp, minutes: int, on: dt.date | None, note: str
) -> VolunteerHours:
    """Append hours for a sign-up (check-out, or an organizer's entry). Refuses negative,
    zero and absurd values (more than 24 hours in one day for one person)."""
    minutes = _validate_minutes(minutes)
    a = signup.activity
    on = on or timezone.localdate(a.start)
    if on > timezone.localdate():
        msg = gettext("服务日期不能晚于今天。")
        raise ServiceError(msg, fields={"on": msg})
    if signup.status != SignUpStatus.CONFIRMED:
        raise ServiceError(gettext("只有已获得名额的报名才能记录服务时长。"))
    # the sign-up's row is the lock: 补记 and 签退 of the same attendance at once cannot both pass
    SignUp.objects.select_for_update().filter(pk=signup.pk).first()
    _refuse_second_record(signup)
    # lock the person's rows of the day: two entries at once cannot pass the check together
    person = _person(signup.member_id, signup.user_id)
    list(VolunteerHours.objects.select_for_update().filter(on=on, **person))
    already = _day_total(person, on)
    if already + minutes > MAX_MINUTES_PER_DAY:
        msg = gettext("%(name)s在%(day)s已记录%(h)s分钟，加上本次共超过24小时，请核对时长。") % {
            "name": signup.name,
            "day": on.isoformat(),
            "h": already,
        }
        raise ServiceError(msg, fields={"minutes": msg})
    member = signup.member
    entry = VolunteerHours.objects.create(
        activity=a,
        signup=signup,
        team=a.team,
        org_path=a.org_path,
        user_id=signup.user_id,
        name=signup.name,
        member=member,
        member_org_path=member.org_path if member else "",
        on=on,
        minutes=minutes,
        note=note[:200],
        recorded_by=saved_user(actor),
    )
    audit(
        actor=actor,
        action="volunteering.hours",
        obj=entry,
        org_path=a.org_path,
        diff={"minutes": minutes, "on": on.isoformat()},
    )
    if member is not None:
        _report_dual(actor, entry, a, member)
    return entry


def _report_dual(actor: User | None, entry: VolunteerHours, a: Activity, member: Member) -> None:
    """双报到: hours served in the community a member reported to are logged on the report
    (shown to the member's own organization). Activities without a place in the tree, or in
    another community, are not. The hours were recorded under volunteering's own rules; logging
    them on the report follows from them, as the system (the community's managers need not
    be the activity's organizers)."""
    area = a.area or a.team.area
    if area is None:
        return
    report = (
        DualReport.objects.filter(member=member, status=DualReportStatus.ACCEPTED)
        .select_related("community")
        .first()
    )
    if report is None or not area.path.startswith(report.community.path):
        return
    dual_report_hours_log(
        actor=saved_user(actor),
        scope=Scope.everything(),
        dual_report=report,
        served_on=entry.on,
        minutes=entry.minutes,
        note=a.title[:200],
        source="volunteering",
        source_ref=f"hours:{entry.pk}",
    )


@transaction.atomic
def hours_correct(
    *, scope: Scope, actor: User | None, entry: VolunteerHours, minutes: int, note: str
) -> tuple[VolunteerHours, VolunteerHours | None]:
    """Correct an entry of the user's ledger: a reversing row (-minutes) and, unless the
    right value is 0, a new row with the right value. Rows are never changed."""
    if not selectors.hours_ledger(scope).filter(pk=entry.pk).exists():
        raise ForbiddenError(gettext("该时长记录不在您的管辖范围内。"))
    e = VolunteerHours.objects.select_for_update().get(pk=entry.pk)
    if e.reverses_id is not None or e.minutes <= 0:
        raise ServiceError(gettext("冲正记录不能再更正，请更正原始记录。"))
    if VolunteerHours.objects.filter(reverses=e).exists():
        raise ConflictError(gettext("这条记录已经更正过，请更正最新的那条记录。"))
    if not note.strip():
        msg = gettext("请填写更正原因。")
        raise ServiceError(msg, fields={"note": msg})
    if isinstance(minutes, bool) or not isinstance(minutes, int) or minutes < 0:
        msg = gettext("更正后的时长不能为负数；如该记录作废，请填0。")
        raise ServiceError(msg, fields={"minutes": msg})
    if minutes > MAX_MINUTES_PER_DAY:
        msg = gettext("一次记录的服务时长不能超过24小时，请核对。")
        raise ServiceError(msg, fields={"minutes": msg})
    others = _day_total(_person(e.member_id, e.user_id), e.on) - e.minutes
    if others + minutes > MAX_MINUTES_PER_DAY:
        msg = gettext("更正后当天合计超过24小时，请核对。")
        raise ServiceError(msg, fields={"minutes": msg})
    common = dict(
        activity=e.activity,
        signup=e.signup,
        team=e.team,
        org_path=e.org_path,
        user_id=e.user_id,
        name=e.name,
        member=e.member,
        member_org_path=e.member_org_path,
        on=e.on,
        recorded_by=saved_user(actor),
    )
    reversal = VolunteerHours.objects.create(
        minutes=-e.minutes, reverses=e, note=note.strip()[:200], **common
    )
    fresh = None
    if minutes > 0:
        fresh = VolunteerHours.objects.create(minutes=minutes, note=note.strip()[:200], **common)
    audit(
        actor=actor,
        action="volunteering.hours_correct",
        obj=e,
        org_path=e.org_path,
        diff={"minutes": [e.minutes, minutes], "note": note.strip()[:200]},
    )
    return reversal, fresh
