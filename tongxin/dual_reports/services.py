"""双报到 writes. Every function receives the acting user and their Scope (or, for a member
filing their own report, the account that is the member) and checks, itself, the permission for
the report it writes and for what it links to (see ``selectors`` for the two sides):

- filing for a member: ``members.manage`` over the member; the community is any community of
  the installation (a member reports where they live, often outside their branch's reach), but
  it must be a COMMUNITY-level area;
- filing one's own report: the account's own member, never anybody else;
- accepting, declining, logging hours: management of the report's community;
- ending: either side (the community, or ``members.manage`` over the member's organization).

Hours are whole minutes (1 to 1,440 per entry and per day and report). Other modules log hours
through ``dual_report_hours_log`` with their own ``source`` and ``source_ref`` (e.g.
``source="volunteering", source_ref="hours:12"``): the same reference twice is refused, so
re-running an import or a sync never counts hours twice.

The audit actions keep the names they had before the app moved out of ``members``
(``members.dual_report_*``): the audit trail is one history.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.scope import Scope
from tongxin.dual_reports.models import (
    OPEN_DUAL_REPORT_STATUSES,
    DualReport,
    DualReportHours,
    DualReportStatus,
)
from tongxin.dual_reports.selectors import hours_text, manages_community
from tongxin.geo.models import Area, AreaLevel
from tongxin.members.models import Member
from tongxin.members.selectors import own_member

MAX_MINUTES_PER_DAY = 24 * 60


def _today() -> dt.date:
    return timezone.localdate()


def _user(actor: User | None) -> User | None:
    return actor if actor is not None and actor.pk else None


def _audit(actor: User | None, action: str, r: DualReport, **diff: Any) -> None:
    audit(
        actor=actor,
        action=f"members.dual_report_{action}",
        obj=r,
        org_path=r.member.org_path,
        diff={"status": r.status, **diff},
    )


def _busy(open_report: DualReport | None = None, *, own: bool = False) -> ConflictError:
    """The reason a second report is refused: one open report (待接收 or 已接收) at a time.
    Said to the member (own) or to their branch, naming the open report when known."""
    if open_report is None:
        msg = (
            gettext(
                "您已有一条未结束的双报到，请等待社区处理，或联系该社区结束原报到后再重新报到。"
            )
            if own
            else gettext("该党员已有一条未结束的双报到，请先结束原报到后再向新社区报到。")
        )
        return ConflictError(msg, code="dual_report_open")
    where = {"community": open_report.community.name, "status": open_report.get_status_display()}
    if own:
        msg = (
            gettext(
                "您已有一条未结束的双报到（%(community)s，%(status)s），一名党员同时只能向一个社区报到；"
                "请等待社区处理，或联系该社区结束原报到后再重新报到。"
            )
            % where
        )
    else:
        msg = (
            gettext(
                "该党员已有一条未结束的双报到（%(community)s，%(status)s），"
                "请先结束原报到后再向新社区报到。"
            )
            % where
        )
    return ConflictError(msg, code="dual_report_open")


def _manages_member(scope: Scope, member: Member) -> bool:
    """The rule of the member pages (members.selectors.get_member_for with members.manage)."""
    return Member.objects.filter(scope.members_q("members.manage"), pk=member.pk).exists()


def dual_report_create(
    *,
    actor: User | None,
    scope: Scope,
    member: Member,
    community: Area | None,
    reported_on: dt.date | None = None,
    note: str = "",
) -> DualReport:
    """The member's organization files a report for them."""
    if not _manages_member(scope, member):
        raise ForbiddenError(gettext("您无权为该党员登记双报到。"))
    return _create(
        actor=actor,
        member=member,
        community=community,
        reported_on=reported_on,
        note=note,
        own=False,
    )


def dual_report_file_own(*, actor: User, community: Area | None, note: str = "") -> DualReport:
    """A member files their own report, dated today, to the community where they live: the
    account's member is the one reporting (never anybody else); the community then accepts
    it and assigns a post as for a report the branch filed."""
    member = own_member(actor)
    if member is None:
        raise ServiceError(
            gettext("您的账号尚未关联党员信息，不能自行报到；请联系所在党支部登记双报到。"),
            code="no_member",
        )
    return _create(
        actor=actor, member=member, community=community, reported_on=None, note=note, own=True
    )


def _create(
    *,
    actor: User | None,
    member: Member,
    community: Area | None,
    reported_on: dt.date | None,
    note: str,
    own: bool,
) -> DualReport:
    errors = {}
    if community is None or community.level != AreaLevel.COMMUNITY:
        errors["community"] = (
            gettext("请选择您居住地所在的社区（村）。")
            if own
            else gettext("请选择党员居住地所在的社区（村）。")
        )
    reported_on = reported_on or _today()
    if reported_on > _today():
        errors["reported_on"] = gettext("报到日期不能晚于今天。")
    if len(note) > 200:
        errors["note"] = gettext("说明请控制在200字以内。")
    if errors or community is None:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    try:
        with transaction.atomic():
            open_report = (
                DualReport.objects.filter(member=member, status__in=OPEN_DUAL_REPORT_STATUSES)
                .select_related("community")
                .first()
            )
            if open_report is not None:
                raise _busy(open_report, own=own)
            r = DualReport.objects.create(
                member=member,
                community=community,
                reported_on=reported_on,
                note=note.strip(),
                created_by=_user(actor),
            )
            _audit(
                actor,
                "create",
                r,
                member=member.pk,
                community=community.pk,
                **({"self_filed": True} if own else {}),
            )
            return r
    except IntegrityError:
        raise _busy(own=own) from None


def _locked(report: DualReport) -> DualReport:
    return (
        DualReport.objects.select_for_update(of=("self",))
        .select_related("member", "community")
        .get(pk=report.pk)
    )


@transaction.atomic
def dual_report_accept(
    *, actor: User | None, scope: Scope, report: DualReport, service_post: str
) -> DualReport:
    r = _locked(report)
    if not manages_community(scope, r.community):
        raise ConflictError(gettext("只有报到社区的管理人员可以接收双报到。"))
    if r.status != DualReportStatus.REPORTED:
        raise ConflictError(
            gettext("这条双报到已处理过（%(s)s），不能再接收。") % {"s": r.get_status_display()}
        )
    post = service_post.strip()
    if not post or len(post) > 100:
        msg = gettext("请填写为该党员安排的服务岗位（100字以内），例如“楼道长”“文明劝导”。")
        raise ServiceError(msg, fields={"service_post": msg})
    r.status = DualReportStatus.ACCEPTED
    r.service_post = post
    r.accepted_on = _today()
    r.save(update_fields=["status", "service_post", "accepted_on"])
    _audit(actor, "accept", r, service_post=post)
    return r


@transaction.atomic
def dual_report_decline(
    *, actor: User | None, scope: Scope, report: DualReport, note: str
) -> DualReport:
    r = _locked(report)
    if not manages_community(scope, r.community):
        raise ConflictError(gettext("只有报到社区的管理人员可以退回双报到。"))
    if r.status != DualReportStatus.REPORTED:
        raise ConflictError(gettext("这条双报到已处理过，不能退回。"))
    if not note.strip():
        msg = gettext("请填写未接收的原因，例如“居住地不在本社区”。")
        raise ServiceError(msg, fields={"note": msg})
    r.status = DualReportStatus.DECLINED
    r.note = note.strip()[:200]
    r.save(update_fields=["status", "note"])
    _audit(actor, "decline", r, note=r.note)
    return r


@transaction.atomic
def dual_report_end(
    *, actor: User | None, scope: Scope, report: DualReport, note: str = ""
) -> DualReport:
    """Either side ends an accepted report (moved house, retired …)."""
    r = _locked(report)
    allowed = manages_community(scope, r.community) or scope.reaches_org(
        "members.manage", r.member.org_path
    )
    if not allowed:
        raise ConflictError(gettext("只有报到社区或党员所在组织的管理人员可以结束双报到。"))
    if r.status != DualReportStatus.ACCEPTED:
        raise ConflictError(gettext("只有已接收的双报到可以结束。"))
    r.status = DualReportStatus.ENDED
    if note.strip():
        r.note = note.strip()[:200]
    r.save(update_fields=["status", "note"])
    _audit(actor, "end", r, note=note.strip()[:200])
    return r


@transaction.atomic
def dual_report_hours_log(
    *,
    actor: User | None,
    scope: Scope,
    dual_report: DualReport,
    served_on: dt.date,
    minutes: int,
    note: str = "",
    source: str = "manual",
    source_ref: str = "",
) -> DualReportHours:
    """Log hours served for an accepted report, as a manager of its community. For other
    modules (volunteering): pass your `source` and a unique `source_ref`; a reference logged
    before → ConflictError."""
    r = _locked(dual_report)
    if not manages_community(scope, r.community):
        raise ForbiddenError(gettext("只有报到社区的管理人员可以登记服务时长。"))
    errors: dict[str, str] = {}
    if r.status != DualReportStatus.ACCEPTED:
        raise ConflictError(gettext("社区接收双报到之后才能登记服务时长。"))
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 1 <= minutes <= 24 * 60:
        errors["minutes"] = gettext("服务时长应在1分钟到24小时之间，请核对。")
    if served_on > _today():
        errors["served_on"] = gettext("服务日期不能晚于今天。")
    elif r.accepted_on and served_on < r.accepted_on:
        errors["served_on"] = gettext("服务日期不能早于社区接收报到的日期（%(d)s）。") % {
            "d": r.accepted_on.isoformat()
        }
    if len(note) > 200:
        errors["note"] = gettext("服务内容请控制在200字以内。")
    if len(source) > 32 or len(source_ref) > 64:
        errors["source_ref"] = gettext("来源标识过长。")
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    logged = r.hours.filter(served_on=served_on).aggregate(s=Sum("minutes"))["s"] or 0
    if logged + minutes > MAX_MINUTES_PER_DAY:
        msg = gettext("%(d)s 已登记%(h)s，一天合计不能超过24小时。") % {
            "d": served_on.isoformat(),
            "h": hours_text(logged),
        }
        raise ServiceError(msg, fields={"minutes": msg})
    if source_ref and DualReportHours.objects.filter(source=source, source_ref=source_ref).exists():
        raise ConflictError(gettext("这条服务记录已经登记过，不会重复计入时长。"), code="duplicate")
    try:
        with transaction.atomic():
            h = DualReportHours.objects.create(
                dual_report=r,
                served_on=served_on,
                minutes=minutes,
                note=note.strip(),
                source=source,
                source_ref=source_ref,
                logged_by=_user(actor),
            )
    except IntegrityError:
        raise ConflictError(
            gettext("这条服务记录已经登记过，不会重复计入时长。"), code="duplicate"
        ) from None
    audit(
        actor=actor,
        action="members.dual_report_hours",
        obj=h,
        org_path=r.member.org_path,
        diff={
            "dual_report": r.pk,
            "served_on": served_on.isoformat(),
            "minutes": minutes,
            "source": source,
            "source_ref": source_ref,
        },
    )
    return h
