"""锋领指数: every write. Each takes the acting user and their scope and checks, before writing
anything, that the member (``members.manage``) or organization (``orgs.manage``) is in reach;
the installation-wide jobs (collecting activities, recomputing scores, the default rule sets'
versions) need the whole installation (a system task: ``actor=None``, or a superuser)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core import uploads
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.months import month_start, this_month
from tongxin.core.registry import activities_between
from tongxin.core.scope import Scope, in_scope, require
from tongxin.members.models import Member
from tongxin.members.selectors import member_queryset
from tongxin.orgs.models import Organization
from tongxin.orgs.selectors import org_queryset
from tongxin.points import ledger, scores
from tongxin.points.closing import snapshot_rows
from tongxin.points.models import (
    MANUAL,
    AwardState,
    ManualAward,
    PeriodClose,
    PointEntry,
    Rule,
    RuleSet,
    RuleSetVersion,
    ScoreSnapshot,
)
from tongxin.points.rules import TENTH, seed_default_rule_sets

MANAGE = "members.manage"
EVIDENCE_MAX = 10 * 1024 * 1024
MAX_SPAN_DAYS = 400


def _manages(scope: Scope, member: Member) -> bool:
    return in_scope(member_queryset(scope, MANAGE), member)


def _require_installation(scope: Scope) -> None:
    require(scope.is_superuser, gettext("只有系统管理员可以执行全市范围的积分作业。"))


@transaction.atomic
def points_collect(
    *, actor: User | None, scope: Scope, start: dt.date, end: dt.date
) -> dict[str, int]:
    """Read every registered activity source for [start, end) and append the entries not yet
    in the ledger (set-based: one bulk insert; a second run writes nothing), then recompute the
    months they count for."""
    _require_installation(scope)
    if end <= start or (end - start).days > MAX_SPAN_DAYS:
        msg = gettext("统计区间应在1天到400天之间，请缩短起止日期。")
        raise ServiceError(msg, fields={"end": msg})
    seed_default_rule_sets()
    events = (
        ledger.Event(a.key, a.member_id, a.kind, a.on, a.quantity, a.note)
        for a in activities_between(start, end)
    )
    outcome = ledger.write(events)
    months = {e.period for e in outcome.entries}
    if months:
        scores.recompute(months)
    result = {
        "written": len(outcome.entries),
        "known": outcome.known,
        "skipped": outcome.skipped,
    }
    audit(
        actor=actor,
        action="points.collect",
        object_type="points.pointentry",
        installation_wide=True,
        diff={"start": start.isoformat(), "end": end.isoformat(), **result},
    )
    return result


@transaction.atomic
def points_recompute(*, actor: User | None, scope: Scope, year: int) -> int:
    """Rebuild every member's monthly scores of a year from the ledger (one grouped query)."""
    _require_installation(scope)
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    n = scores.recompute(months)
    audit(
        actor=actor,
        action="points.recompute",
        object_type="points.monthlyscore",
        installation_wide=True,
        diff={"year": year, "rows": n},
    )
    return n


def _decimal(value: object, field: str, errors: dict[str, str]) -> Decimal | None:
    try:
        d = Decimal(str(value)).quantize(TENTH)
    except (InvalidOperation, ValueError):
        errors[field] = gettext("请填写数字，最多一位小数。")
        return None
    if not d.is_finite() or abs(d) > 1000:
        errors[field] = gettext("分值应在-1000到1000之间。")
        return None
    return d


@transaction.atomic
def rule_version_create(
    *,
    actor: User | None,
    scope: Scope,
    rule_set: RuleSet,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    base_score: object = None,
    red_threshold: object = None,
    warn_threshold: object = None,
    changes: dict[str, tuple[object, object]] | None = None,
    note: str = "",
) -> RuleSetVersion:
    """A new version of a rule set from ``valid_from``: a copy of the version in force then,
    with ``changes`` (rule code -> (points, cap)). An open-ended version starting earlier ends
    the day before; any other overlap is refused. Entries already written keep their version."""
    if rule_set.org_id is None:
        require(scope.is_superuser, gettext("默认规则集只有系统管理员可以修订。"))
    else:
        require(
            scope.reaches_org("orgs.manage", rule_set.org_path),
            gettext("这个规则集所属的党组织不在您的管理范围内。"),
        )
    errors: dict[str, str] = {}
    versions = list(rule_set.versions.select_for_update().order_by("valid_from"))
    current = next(
        (v for v in versions if v.covers(valid_from)), versions[-1] if versions else None
    )
    base = _decimal(
        base_score if base_score is not None else current and current.base_score,
        "base_score",
        errors,
    )
    red = _decimal(
        red_threshold if red_threshold is not None else current and current.red_threshold,
        "red_threshold",
        errors,
    )
    warn = _decimal(
        warn_threshold if warn_threshold is not None else current and current.warn_threshold,
        "warn_threshold",
        errors,
    )
    if red is not None and warn is not None and red <= warn:
        errors["red_threshold"] = gettext("红榜分数线应高于警示分数线。")
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = gettext("失效日期不能早于生效日期。")
    if valid_from < this_month() and not scope.is_superuser:
        errors["valid_from"] = gettext("新版本只能从本月起生效，已过去的月份不再改变。")
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    assert base is not None and red is not None and warn is not None
    ended: RuleSetVersion | None = None
    for v in versions:
        end = v.valid_to or dt.date.max
        if v.valid_from <= (valid_to or dt.date.max) and valid_from <= end:
            if v.valid_to is None and v.valid_from < valid_from and ended is None:
                ended = v
                continue
            msg = gettext(
                "新版本的有效期与第%(n)d版（%(a)s至%(b)s）重叠，请调整生效或失效日期。"
            ) % {"n": v.number, "a": v.valid_from, "b": v.valid_to or gettext("长期")}
            raise ServiceError(msg, fields={"valid_from": msg}, code="overlap")
    if ended is not None:
        RuleSetVersion.objects.filter(pk=ended.pk).update(
            valid_to=valid_from - dt.timedelta(days=1)
        )
    new = RuleSetVersion.objects.create(
        rule_set=rule_set,
        number=max((v.number for v in versions), default=0) + 1,
        valid_from=valid_from,
        valid_to=valid_to,
        base_score=base,
        red_threshold=red,
        warn_threshold=warn,
        note=note[:200],
        created_by=actor,
    )
    changes = changes or {}
    copied = list(current.rules.all()) if current else []
    unknown = set(changes) - {r.code for r in copied}
    if unknown:
        msg = gettext("没有这些积分项：%(codes)s。") % {"codes": "、".join(sorted(unknown))}
        raise ServiceError(msg, fields={"changes": msg})
    for r in copied:
        points, cap = changes.get(r.code, (r.points, r.cap))
        p = _decimal(points, "points", errors)
        c = _decimal(cap, "cap", errors) if cap not in (None, "") else None
        if errors:
            raise ServiceError(
                gettext("“%(label)s”的分值有误。") % {"label": r.label}, fields=errors
            )
        assert p is not None
        Rule.objects.create(
            version=new,
            code=r.code,
            label=r.label,
            category=r.category,
            kind=r.kind,
            points=p,
            cap=c,
            cap_period=r.cap_period,
        )
    audit(
        actor=actor,
        action="points.rule_version",
        obj=new,
        org_path=rule_set.org_path,
        installation_wide=not rule_set.org_path,
        diff={
            "rule_set": rule_set.pk,
            "valid_from": valid_from.isoformat(),
            "changes": {k: [str(x) for x in v] for k, v in changes.items()},
        },
    )
    return new


@transaction.atomic
def rule_set_override_create(
    *, actor: User | None, scope: Scope, org: Organization, name: str, template: RuleSet
) -> RuleSet:
    """A subtree's own rule set (overriding its domain's for the members below ``org``), a
    copy of ``template``'s version in force, from this month on."""
    require(
        in_scope(org_queryset(scope, "orgs.manage"), org),
        gettext("这个党组织不在您的管理范围内，不能为其设置积分规则。"),
    )
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        msg = gettext("请填写规则集名称（100字以内）。")
        raise ServiceError(msg, fields={"name": msg})
    if RuleSet.objects.filter(org=org, kinds=template.kinds).exists():
        msg = gettext("这个党组织已有自己的规则集，请修订它而不是再建一个。")
        raise ConflictError(msg)
    source = next(
        (v for v in template.versions.order_by("-valid_from") if v.covers(timezone.localdate())),
        None,
    )
    if source is None:
        msg = gettext("所选模板今天没有生效的版本。")
        raise ServiceError(msg, fields={"template": msg})
    rs = RuleSet.objects.create(
        name=name,
        domain=template.domain,
        org=org,
        org_path=org.path,
        kinds=template.kinds,
        exempt_kinds=template.exempt_kinds,
    )
    v = RuleSetVersion.objects.create(
        rule_set=rs,
        number=1,
        valid_from=this_month(),
        base_score=source.base_score,
        red_threshold=source.red_threshold,
        warn_threshold=source.warn_threshold,
        note=gettext("以“%(name)s”为模板") % {"name": template.name},
        created_by=actor,
    )
    Rule.objects.bulk_create(
        Rule(
            version=v,
            code=r.code,
            label=r.label,
            category=r.category,
            kind=r.kind,
            points=r.points,
            cap=r.cap,
            cap_period=r.cap_period,
        )
        for r in source.rules.all()
    )
    audit(
        actor=actor,
        action="points.rule_set_override",
        obj=rs,
        org_path=org.path,
        diff={"template": template.pk, "name": name},
    )
    return rs


def _award_fields(
    member: Member, rule: Rule, on: dt.date, reason: str, evidence: UploadedFile | None
) -> tuple[str, dict[str, str]]:
    errors: dict[str, str] = {}
    reason = " ".join((reason or "").split())
    if not reason:
        errors["reason"] = gettext("请写明事由，例如获得的表彰或参加的活动。")
    elif len(reason) > 300:
        errors["reason"] = gettext("事由请控制在300字以内。")
    if rule.kind != MANUAL:
        errors["rule"] = gettext("这一项由系统根据活动记录自动计分，不能手工申报。")
    if on > timezone.localdate():
        errors["on"] = gettext("事迹日期不能晚于今天。")
    elif on.year < timezone.localdate().year - 1:
        errors["on"] = gettext("只能申报今年和去年的事迹。")
    if evidence is None:
        errors["evidence"] = gettext("请上传证明材料（照片或PDF），没有证明材料不能申报积分。")
    return reason, errors


def _rule_of_member(member: Member, rule: Rule, on: dt.date) -> bool:
    """Whether the rule belongs to the version that governs the member on that day."""
    book = ledger.load_rule_book()
    facts = ledger.member_facts([member.pk]).get(member.pk)
    if facts is None:
        return False
    rule_set, _exempt = book.choose(facts.org_path, facts.sector, facts.kind)
    version = book.version_on(rule_set, on) if rule_set else None
    return version is not None and rule.version_id == version.pk


def _store_award(
    *,
    actor: User | None,
    member: Member,
    rule: Rule,
    on: dt.date,
    reason: str,
    evidence: UploadedFile | None,
    is_claim: bool,
) -> ManualAward:
    reason, errors = _award_fields(member, rule, on, reason, evidence)
    if not errors and not _rule_of_member(member, rule, on):
        errors["rule"] = gettext("这一积分项不适用于该党员，请从其所在规则集中选择。")
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    assert evidence is not None
    try:
        stored = uploads.store(
            evidence, allowed=uploads.IMAGES_AND_PDF, max_bytes=EVIDENCE_MAX, folder="points"
        )
    except ServiceError as exc:
        raise ServiceError(exc.message, fields={"evidence": exc.message}) from None
    try:
        award = ManualAward.objects.create(
            member=member,
            member_org_path=member.org_path,
            rule=rule,
            on=on,
            reason=reason,
            is_claim=is_claim,
            evidence=stored.name,
            evidence_type=stored.content_type,
            evidence_name=stored.original_name,
            proposed_by=actor,
        )
    except Exception:
        uploads.delete(stored.name)
        raise
    audit(
        actor=actor,
        action="points.award_claim" if is_claim else "points.award_propose",
        obj=award,
        org_path=member.org_path,
        diff={
            "member": member.pk,
            "rule": rule.code,
            "points": str(rule.points),
            "on": on.isoformat(),
        },
    )
    return award


@transaction.atomic
def award_propose(
    *,
    actor: User,
    scope: Scope,
    member: Member,
    rule: Rule,
    on: dt.date,
    reason: str,
    evidence: UploadedFile | None,
) -> ManualAward:
    """A branch committee member proposes an award for a member, with evidence."""
    require(_manages(scope, member), gettext("这名党员不在您管理的党组织中，不能为其申报积分。"))
    return _store_award(
        actor=actor,
        member=member,
        rule=rule,
        on=on,
        reason=reason,
        evidence=evidence,
        is_claim=False,
    )


@transaction.atomic
def award_claim(
    *,
    actor: User,
    member: Member,
    rule: Rule,
    on: dt.date,
    reason: str,
    evidence: UploadedFile | None,
) -> ManualAward:
    """A member files a claim for themselves, for the branch to review."""
    require(
        actor.member_id is not None and actor.member_id == member.pk,
        gettext("只能为本人申报积分；为他人申报请联系所在支部委员。"),
    )
    return _store_award(
        actor=actor,
        member=member,
        rule=rule,
        on=on,
        reason=reason,
        evidence=evidence,
        is_claim=True,
    )


def _pending(award: ManualAward) -> ManualAward:
    locked = (
        ManualAward.objects.select_for_update().select_related("rule", "member").get(pk=award.pk)
    )
    if locked.state != AwardState.PENDING:
        raise ConflictError(gettext("这项申报已经审批过，不能重复审批。"), code="decided")
    return locked


@transaction.atomic
def award_approve(*, actor: User, scope: Scope, award: ManualAward, note: str = "") -> PointEntry:
    """The secretary approves: the ledger gets the entry (capped like any other). Nobody
    approves their own proposal or claim."""
    require(
        _manages(scope, award.member), gettext("这名党员不在您管理的党组织中，不能审批其积分。")
    )
    award = _pending(award)
    if award.proposed_by_id == actor.pk:
        msg = gettext("不能审批自己提出的申报，请由支部书记或其他支委审批。")
        raise ServiceError(msg, code="own_proposal")
    if award.member_id == actor.member_id:
        raise ServiceError(gettext("不能审批本人的积分申报。"), code="own_member")
    outcome = ledger.prepare(
        [
            ledger.Event(
                key=f"points.award:{award.pk}",
                member_id=award.member_id,
                kind=MANUAL,
                on=award.on,
                note=award.reason[:200],
                rule=award.rule,
                awarded_by_id=award.proposed_by_id,
                approved_by_id=actor.pk,
                evidence=award.evidence,
                evidence_type=award.evidence_type,
            )
        ]
    )
    if not outcome.entries:
        raise ConflictError(gettext("这项申报已经计入积分。"), code="decided")
    entry = outcome.entries[0]
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        raise ConflictError(gettext("这项申报已经计入积分。"), code="decided") from None
    ManualAward.objects.filter(pk=award.pk).update(
        state=AwardState.APPROVED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note=note[:200],
        entry=entry,
    )
    scores.recompute([entry.period], org_path=award.member.org_path)
    audit(
        actor=actor,
        action="points.award_approve",
        obj=award,
        org_path=award.member_org_path,
        diff={"entry": entry.pk, "granted": str(entry.granted), "cap_note": entry.cap_note},
    )
    return entry


@transaction.atomic
def award_reject(*, actor: User, scope: Scope, award: ManualAward, note: str) -> ManualAward:
    require(
        _manages(scope, award.member), gettext("这名党员不在您管理的党组织中，不能审批其积分。")
    )
    note = " ".join((note or "").split())
    if not note:
        msg = gettext("请写明不予批准的理由，申报人会看到。")
        raise ServiceError(msg, fields={"note": msg})
    award = _pending(award)
    ManualAward.objects.filter(pk=award.pk).update(
        state=AwardState.REJECTED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_note=note[:200],
    )
    award.refresh_from_db()
    audit(
        actor=actor,
        action="points.award_reject",
        obj=award,
        org_path=award.member_org_path,
        diff={"note": note},
    )
    return award


@transaction.atomic
def entry_reverse(*, actor: User, scope: Scope, entry: PointEntry, reason: str) -> PointEntry:
    """A correction: the reversing entry (opposite points) goes to the member's open month and
    names the entry and the month it corrects. The entry itself never changes."""
    member = Member.objects.get(pk=entry.member_id)
    require(_manages(scope, member), gettext("这名党员不在您管理的党组织中，不能更正其积分。"))
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > 200:
        msg = gettext("请写明更正原因（200字以内）。")
        raise ServiceError(msg, fields={"reason": msg})
    if entry.reverses_id is not None:
        raise ConflictError(gettext("这是一条更正记录，不能再次更正。"))
    if PointEntry.objects.filter(reverses=entry).exists():
        raise ConflictError(gettext("这条积分已经更正过。"), code="already_reversed")
    closed = ledger.ClosedMonths(entry.period)
    period = closed.open_period(member.org_path, max(this_month(), entry.period))
    reversal = PointEntry(
        member_id=entry.member_id,
        member_org_path=member.org_path,
        rule_id=entry.rule_id,
        version_id=entry.version_id,
        category=entry.category,
        kind=entry.kind,
        on=timezone.localdate(),
        period=period,
        late_for=entry.period if period != entry.period else None,
        requested=-entry.granted,
        granted=-entry.granted,
        cap_window=entry.cap_window,
        source_key=f"points.reverse:{entry.pk}",
        source_note=entry.source_note,
        awarded_by=actor,
        approved_by=actor,
        reverses=entry,
        note=reason,
    )
    try:
        with transaction.atomic():
            reversal.save()
    except IntegrityError:
        raise ConflictError(gettext("这条积分已经更正过。"), code="already_reversed") from None
    scores.recompute([period], org_path=member.org_path)
    audit(
        actor=actor,
        action="points.entry_reverse",
        obj=reversal,
        org_path=member.org_path,
        diff={
            "reverses": entry.pk,
            "granted": str(reversal.granted),
            "period": period.isoformat(),
            "reason": reason,
        },
    )
    return reversal


@transaction.atomic
def period_close(
    *, actor: User | None, scope: Scope, org: Organization, period: dt.date
) -> PeriodClose:
    """Close a month for an organization's subtree: the scores are recomputed and snapshotted
    (immutable); later events for that month go to the next open month."""
    require(
        in_scope(org_queryset(scope, MANAGE), org),
        gettext("这个党组织不在您的管理范围内，不能结账。"),
    )
    period = month_start(period)
    if period > this_month():
        msg = gettext("还没到%(y)d年%(m)d月，不能提前结账。") % {
            "y": period.year,
            "m": period.month,
        }
        raise ServiceError(msg, fields={"period": msg})
    ancestors = [org.path[:n] for n in range(4, len(org.path) + 1, 4)]
    if PeriodClose.objects.filter(org_path__in=ancestors, period=period).exists():
        msg = gettext("%(y)d年%(m)d月已经结账，结账后的积分不能再改动；更正请记入当前月份。") % {
            "y": period.year,
            "m": period.month,
        }
        raise ConflictError(msg, code="closed")
    close = PeriodClose.objects.create(org=org, org_path=org.path, period=period, closed_by=actor)
    scores.recompute([period], org_path=org.path)
    rows = snapshot_rows(org.path, period)
    ScoreSnapshot.objects.bulk_create(
        (ScoreSnapshot(close=close, **row) for row in rows), batch_size=1000, ignore_conflicts=True
    )
    audit(
        actor=actor,
        action="points.period_close",
        obj=close,
        org_path=org.path,
        diff={"period": period.isoformat(), "members": len(rows)},
    )
    return close
