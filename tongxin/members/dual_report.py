"""双报到: an in-service member reports to the community (a COMMUNITY-level Area) where they
live; the community accepts and assigns a service post; hours served are logged and shown to
the member's own organization. Services (every write) and selectors (every read).

Two sides, two scopes, and the member themselves:
- the member's side: whoever views the member (``members.view`` through the member's
  organization or residence) sees the reports and the hours; ``members.manage`` files one;
- the member: a user whose account is linked to a member files their own report
  (``dual_report_file_own``) and sees their own reports and hours (``own_dual_reports``),
  whatever their roles; nobody else's;
- the community's side: ``orgs.manage`` over the community, through an area grant covering the
  community's area or an organization grant reaching an organization anchored in it (the
  community Party committee/branch and the street above it). Branch secretaries hold no
  ``orgs.manage``: a branch that merely sits in the community does not accept reports.

Hours are whole minutes (1 to 1,440 per entry and per day and report). Other modules log hours
through ``dual_report_hours_log`` with their own ``source`` and ``source_ref`` (e.g.
``source="volunteering", source_ref="activity:12:member:34"``): the same reference twice is
refused, so re-running an import or a sync never counts hours twice.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.scope import NOTHING, Scope, subtree_q
from tongxin.geo.models import Area, AreaLevel
from tongxin.members.models import (
    OPEN_DUAL_REPORT_STATUSES,
    DualReport,
    DualReportHours,
    DualReportStatus,
    Member,
)
from tongxin.members.selectors import own_member
from tongxin.orgs.models import Organization

COMMUNITY_PERM = "orgs.manage"
MAX_MINUTES_PER_DAY = 24 * 60


# --- selectors ---------------------------------------------------------------------------------


def _area_grants_q(scope: Scope, perm: str, field_name: str) -> Q:
    qs = [g.q(field_name) for g in scope.grants.get(perm, []) if g.kind == "area"]
    out = NOTHING
    for q in qs:
        out |= q
    return out


def community_side_q(scope: Scope, prefix: str = "") -> Q:
    """Reports to communities the user manages (see the module docstring)."""
    if scope.is_superuser:
        return Q()
    anchored = Organization.objects.filter(scope.orgs_q(COMMUNITY_PERM)).filter(
        area_id=OuterRef(f"{prefix}community_id")
    )
    return _area_grants_q(scope, COMMUNITY_PERM, f"{prefix}community__path") | Q(Exists(anchored))


def member_side_q(scope: Scope, perm: str = "members.view", prefix: str = "") -> Q:
    return scope.members_q(perm, f"{prefix}member__")


def manages_community(scope: Scope, community: Area) -> bool:
    if scope.is_superuser:
        return True
    if any(
        g.kind == "area" and g.covers(community.path) for g in scope.grants.get(COMMUNITY_PERM, [])
    ):
        return True
    return Organization.objects.filter(scope.orgs_q(COMMUNITY_PERM), area_id=community.pk).exists()


def _minutes_total() -> Coalesce:
    total = (
        DualReportHours.objects.filter(dual_report=OuterRef("pk"))
        .order_by()
        .values("dual_report")
        .annotate(s=Sum("minutes"))
        .values("s")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def dual_report_queryset(scope: Scope) -> QuerySet[DualReport]:
    return DualReport.objects.filter(member_side_q(scope) | community_side_q(scope))


def get_dual_report_for(scope: Scope, pk: object, side: str = "any") -> DualReport:
    """side: any (either side sees it), community (managed community), member_manage (the
    member's managers)."""
    q = {
        "any": member_side_q(scope) | community_side_q(scope),
        "community": community_side_q(scope),
        "member_manage": member_side_q(scope, "members.manage"),
    }[side]
    try:
        return (
            DualReport.objects.filter(q)
            .select_related("member__org", "community")
            .annotate(total_minutes=_minutes_total())
            .get(pk=int(str(pk)))
        )
    except (DualReport.DoesNotExist, ValueError):
        raise Http404(gettext("双报到记录不存在或不在您的管辖范围内。")) from None


DUAL_TABS = ("members", "community")


def dual_report_list(
    scope: Scope, tab: str = "members", org: Organization | None = None
) -> QuerySet[DualReport]:
    """members: reports of members I see (optionally of one organization's subtree);
    community: reports to communities I manage. One query, hours summed per row."""
    if tab == "community":
        qs = DualReport.objects.filter(community_side_q(scope))
    else:
        qs = DualReport.objects.filter(member_side_q(scope))
        if org is not None:
            qs = qs.filter(subtree_q("member__org_path", org.path))
    return (
        qs.select_related("member__org", "community")
        .annotate(total_minutes=_minutes_total())
        .order_by("-reported_on", "-id")
    )


def dual_report_hours(report: DualReport) -> QuerySet[DualReportHours]:
    return report.hours.select_related("logged_by").order_by("-served_on", "-id")


def member_dual_reports(member: Member) -> QuerySet[DualReport]:
    return (
        member.dual_reports.select_related("community")
        .annotate(total_minutes=_minutes_total())
        .order_by("-reported_on", "-id")
    )


def own_dual_reports(user: Any) -> QuerySet[DualReport]:
    """The account's own member's reports, newest first, with the minutes served summed."""
    if not getattr(user, "member_id", None):
        return DualReport.objects.none()
    return (
        DualReport.objects.filter(member_id=user.member_id)
        .select_related("community")
        .annotate(total_minutes=_minutes_total())
        .order_by("-reported_on", "-id")
    )


def get_own_dual_report(user: Any, pk: object) -> DualReport:
    try:
        return own_dual_reports(user).get(pk=int(str(pk)))
    except (DualReport.DoesNotExist, ValueError):
        raise Http404(gettext("双报到记录不存在。")) from None


def community_choices() -> QuerySet[Area]:
    return Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("path")


def residence_community(member: Member) -> Area | None:
    """The community above the member's residence (the default where to report)."""
    if member.residence is None:
        return None
    res = member.residence
    paths = [res.path[:i] for i in range(Area.steplen, len(res.path) + 1, Area.steplen)]
    return Area.objects.filter(path__in=paths, level=AreaLevel.COMMUNITY).first()


def hours_text(minutes: int | None) -> str:
    m = minutes or 0
    h, rest = divmod(m, 60)
    if rest:
        return gettext("%(h)s小时%(m)s分钟") % {"h": h, "m": rest}
    return gettext("%(h)s小时") % {"h": h}


# --- services ----------------------------------------------------------------------------------


def _today() -> dt.date:
    return timezone.localdate()


def _audit(actor: Any, action: str, r: DualReport, **diff: Any) -> None:
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


def dual_report_create(
    *,
    actor: Any,
    member: Member,
    community: Area | None,
    reported_on: dt.date | None = None,
    note: str = "",
) -> DualReport:
    """The member's organization files a report for them."""
    return _create(
        actor=actor,
        member=member,
        community=community,
        reported_on=reported_on,
        note=note,
        own=False,
    )


def dual_report_file_own(*, actor: Any, community: Area | None, note: str = "") -> DualReport:
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
    actor: Any,
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
                member.dual_reports.filter(status__in=OPEN_DUAL_REPORT_STATUSES)
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
                created_by=actor if getattr(actor, "pk", None) else None,
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
    *, actor: Any, scope: Scope, report: DualReport, service_post: str
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
def dual_report_decline(*, actor: Any, scope: Scope, report: DualReport, note: str) -> DualReport:
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
def dual_report_end(*, actor: Any, scope: Scope, report: DualReport, note: str = "") -> DualReport:
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


def parse_hours(text: str) -> int:
    """ "2", "1.5", "0.25" hours → minutes; anything else → ServiceError on field hours."""
    msg = gettext("服务时长请填写0.1至24之间的小时数，例如 1.5。")
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(msg, fields={"hours": msg}) from None
    if not value.is_finite() or value <= 0 or value > 24:
        raise ServiceError(msg, fields={"hours": msg})
    minutes = int((value * 60).to_integral_value())
    if minutes < 1:
        raise ServiceError(msg, fields={"hours": msg})
    return minutes


@transaction.atomic
def dual_report_hours_log(
    *,
    actor: Any,
    dual_report: DualReport,
    served_on: dt.date,
    minutes: int,
    note: str = "",
    source: str = "manual",
    source_ref: str = "",
) -> DualReportHours:
    """Log hours served for an accepted report. For other modules (volunteering): pass your
    `source` and a unique `source_ref`; a reference logged before → ConflictError. The caller
    checks that the actor may log for this report (e.g. get_dual_report_for(scope, pk,
    "community"))."""
    r = _locked(dual_report)
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
                logged_by=actor if getattr(actor, "pk", None) else None,
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
