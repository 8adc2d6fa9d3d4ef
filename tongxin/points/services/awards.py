"""Manual awards (proposed with evidence by a branch committee member or claimed by the
member, approved by someone else) and corrections (reversing entries).

"The secretary approves" is checked against the 班子 record (orgs.Leadership): the approver
holds members.manage over the member and either sits as 书记 or 副书记 of the member's own
organization (the current term, or the latest one begun while 换届 is due), or manages an
organization above it (a subtree grant on an ancestor: the street or community that the
branch reports to). Nobody approves their own proposal or their own points."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core import uploads
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.months import this_month
from tongxin.core.scope import Scope, in_scope, require
from tongxin.members.models import Member
from tongxin.members.selectors import member_queryset
from tongxin.orgs.models import Leadership, LeadershipRole
from tongxin.points import ledger, scores
from tongxin.points.models import (
    MANUAL,
    AwardState,
    ManualAward,
    PointEntry,
    Rule,
)

MANAGE = "members.manage"
EVIDENCE_MAX = 10 * 1024 * 1024
MAX_SPAN_DAYS = 400


def _manages(scope: Scope, member: Member) -> bool:
    return in_scope(member_queryset(scope, MANAGE), member)


APPROVING_SEATS = (LeadershipRole.SECRETARY, LeadershipRole.DEPUTY)


def _holds_secretary_seat(actor: User, org_id: int, today: dt.date | None = None) -> bool:
    """Whether the actor's member record sits as 书记 or 副书记 of the organization: a seat
    whose term runs today, or one of the latest term begun of its role (a term that has run out
    stays in office until the 换届 elects the next). One query."""
    if actor.member_id is None:
        return False
    today = today or timezone.localdate()
    seats = list(
        Leadership.objects.filter(
            org_id=org_id, role__in=APPROVING_SEATS, term_start__lte=today
        ).values_list("role", "member_id", "term_start", "term_end")
    )
    latest: dict[str, dt.date] = {}
    for role, _m, start, _e in seats:
        latest[role] = max(latest.get(role, start), start)
    return any(
        member_id == actor.member_id and (end >= today or start == latest[role])
        for role, member_id, start, end in seats
    )


def _manages_above(scope: Scope, org_path: str) -> bool:
    """Whether the scope manages members from an organization above ``org_path``."""
    return scope.is_superuser or any(
        g.kind == "org"
        and g.subtree
        and len(g.path) < len(org_path)
        and org_path.startswith(g.path)
        for g in scope.grants.get(MANAGE, [])
    )


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
    if not (
        _manages_above(scope, award.member.org_path)
        or _holds_secretary_seat(actor, award.member.org_id)
    ):
        msg = gettext(
            "只有该党员所在党组织的书记、副书记（以班子成员登记为准）或上级党组织才能审批积分"
            "申报；如书记已换届，请先在党组织页面的“班子成员”中登记。"
        )
        raise ServiceError(msg, code="not_secretary")
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
