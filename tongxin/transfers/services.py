"""组织关系转接: every write (DESIGN §4.2; the chain and its rules are described in
``tongxin.transfers.selectors``).

Authorization lives here. Each service a user acts through receives the acting ``scope`` (or,
for a member's own request, the acting account) and checks it itself, whoever calls it (a page,
the API, the demo, a command): the member it moves must be managed by the scope, the target it
links to must be one the transfer rules accept from the member's organization, and a decision
on a transfer is refused to anybody who cannot see that transfer, before anything about its
state is said. A refusal writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.months import add_months
from tongxin.core.scope import Scope
from tongxin.members.models import Member, OrgRelationChange, RelationChangeKind
from tongxin.members.selectors import member_queryset, own_member
from tongxin.orgs.models import Organization
from tongxin.transfers import notify
from tongxin.transfers.models import (
    OPEN_TRANSFER_STATUSES,
    StepDecision,
    StepRole,
    Transfer,
    TransferEvent,
    TransferOrigin,
    TransferReason,
    TransferStatus,
    TransferStep,
)
from tongxin.transfers.selectors import (
    VALIDITY_MONTHS,
    ChainLink,
    is_lapsed,
    may_act,
    may_withdraw_own,
    shown_status,
    target_refusal,
    targets_from,
    today,
    transfer_chain,
    transfer_queryset,
)


def _event(
    t: Transfer, actor: User | None, action: str, org_name: str = "", note: str = ""
) -> None:
    TransferEvent.objects.create(
        transfer=t,
        at=timezone.now(),
        actor=actor,
        action=action,
        org_name=org_name,
        note=note,
    )


def _audit(actor: User | None, action: str, t: Transfer, **diff: Any) -> None:
    audit(
        actor=actor,
        action=f"members.transfer_{action}",
        obj=t,
        org_path=t.source_path,
        diff={"status": t.status, **diff},
    )


def _busy(member: Member) -> ConflictError:
    return ConflictError(
        gettext("该党员已有一条正在办理的组织关系转接，请先办结或撤回后再发起新的转接。"),
        code="transfer_open",
    )


def _busy_own(open_transfer: Transfer | None) -> ConflictError:
    """Said to the member: which transfer is open and what to do."""
    if open_transfer is None:
        msg = gettext(
            "您已有一条正在办理的组织关系转接，同一时间只能办理一条；请等待办结，"
            "或在尚未审批时撤回后再重新申请。"
        )
    else:
        msg = gettext(
            "您已有一条正在办理的组织关系转接（转入%(target)s，%(status)s），同一时间只能办理一条；"
            "请等待办结，或在尚未审批时撤回后再重新申请。"
        ) % {"target": open_transfer.target.name, "status": shown_status(open_transfer)}
    return ConflictError(msg, code="transfer_open")


def _refuse_stranger(scope: Scope, transfer: Transfer) -> None:
    """A decision on a transfer the scope cannot see is refused before anything about the
    transfer's state is said (the pages and the API answer 404 for it before they get here)."""
    if not transfer_queryset(scope).filter(pk=transfer.pk).exists():
        raise ForbiddenError(gettext("转接记录不存在或不在您的管辖范围内。"))


def _managed_member(scope: Scope, member: Member) -> Member:
    """The member, read again, when the scope manages them; refused otherwise."""
    found = member_queryset(scope, "members.manage").filter(pk=member.pk).first()
    if found is None:
        raise ForbiddenError(gettext("党员不存在或不在您的管辖范围内，不能为其办理转接。"))
    return found


def _current_target(target: Organization) -> Organization | None:
    """The target as the database holds it now (its kind, path and temporary flag decide)."""
    return Organization.objects.select_related("area").filter(pk=target.pk).first()


def transfer_create(
    *,
    actor: User | None,
    scope: Scope,
    member: Member,
    target: Organization | None,
    reason: str = "",
    submit: bool = False,
) -> Transfer:
    """Start a transfer (a draft, or submitted at once) for a member the scope manages, to a
    target the transfer rules accept from the member's organization (anywhere in the tree: a
    transfer to another street is normal; see selectors.target_refusal)."""
    member = _managed_member(scope, member)
    if target is not None:
        target = _current_target(target)
    if target is None:
        msg = gettext("请选择转入的党支部。")
        raise ServiceError(msg, fields={"target": msg})
    if len(reason) > 200:
        msg = gettext("转接原因请控制在200字以内。")
        raise ServiceError(msg, fields={"reason": msg})
    source = Organization.objects.select_related("area").get(pk=member.org_id)
    chain = transfer_chain(source, target)
    return _create(
        actor=actor,
        member=member,
        source=source,
        target=target,
        chain=chain,
        reason=reason,
        submit=submit,
    )


def transfer_request_own(
    *,
    actor: User,
    target: Organization | None,
    reason_kind: str,
    reason: str = "",
    moved_on: dt.date | None,
) -> Transfer:
    """党员申请转接: the member behind the account asks for their own transfer (never anybody
    else's). Submitted at once; the member's branch decides step 0 (approve or reject) in its
    inbox, then the chain goes on as for a transfer the branch started."""
    member = own_member(actor)
    if member is None:
        raise ServiceError(
            gettext("您的账号尚未关联党员信息，不能自行申请转接；请联系所在党支部办理。"),
            code="no_member",
        )
    source = Organization.objects.select_related("area").get(pk=member.org_id)
    errors: dict[str, str] = {}
    if target is not None:
        target = _current_target(target)
    if target is None:
        errors["target"] = gettext("请从查找结果中选择转入的党支部。")
    else:
        refusal = target_refusal(source, target)
        if refusal:
            errors["target"] = refusal
        elif not targets_from(source).filter(pk=target.pk).exists():
            # Only among the targets her search offers from her branch (the same rules, as
            # the query applies them): anything else is as unknown as a missing id.
            errors["target"] = gettext("请从查找结果中选择转入的党支部。")
    if reason_kind not in TransferReason.values:
        errors["reason_kind"] = gettext("请选择转接事由（工作调动、迁居搬家、升学等）。")
    elif reason_kind == TransferReason.OTHER and not reason.strip():
        errors["reason"] = gettext("选择“其他”时，请在说明中写明转接原因。")
    if len(reason) > 200:
        errors["reason"] = gettext("转接说明请控制在200字以内。")
    latest = add_months(today(), VALIDITY_MONTHS)
    if moved_on is None:
        errors["moved_on"] = gettext("请填写迁移日期（工作调动、迁居或入学的日期）。")
    elif moved_on > latest:
        errors["moved_on"] = gettext(
            "迁移日期不能晚于%(latest)s：介绍信有效期为三个月，请临近迁移时再申请。"
        ) % {"latest": f"{latest:%Y-%m-%d}"}
    elif moved_on < member.joined_on:
        errors["moved_on"] = gettext("迁移日期不能早于您的入党日期（%(joined)s），请核对。") % {
            "joined": f"{member.joined_on:%Y-%m-%d}"
        }
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交申请。"), fields=errors)
    assert target is not None
    chain = transfer_chain(source, target)
    return _create(
        actor=actor,
        member=member,
        source=source,
        target=target,
        chain=chain,
        reason=reason,
        reason_kind=reason_kind,
        moved_on=moved_on,
        own=True,
    )


def _create(
    *,
    actor: User | None,
    member: Member,
    source: Organization,
    target: Organization,
    chain: list[ChainLink],
    reason: str,
    submit: bool = False,
    reason_kind: str = "",
    moved_on: dt.date | None = None,
    own: bool = False,
) -> Transfer:
    _expire_lapsed_of(member)
    try:
        with transaction.atomic():
            open_transfer = (
                member.transfers.filter(status__in=OPEN_TRANSFER_STATUSES)
                .select_related("target")
                .first()
            )
            if open_transfer is not None:
                raise _busy_own(open_transfer) if own else _busy(member)
            t = Transfer.objects.create(
                member=member,
                member_name=member.name,
                source=source,
                target=target,
                source_path=source.path,
                target_path=target.path,
                reason=reason.strip(),
                requested_by=actor,
                origin=TransferOrigin.MEMBER if own else TransferOrigin.BRANCH,
                reason_kind=reason_kind,
                moved_on=moved_on,
                # 党员申请: submitted, waiting for the member's own branch (step 0).
                status=TransferStatus.SUBMITTED if own else TransferStatus.DRAFT,
            )
            TransferStep.objects.bulk_create(
                TransferStep(
                    transfer=t,
                    position=i,
                    org=link.org,
                    org_path=link.org.path,
                    org_name=link.org.name,
                    role=link.role,
                )
                for i, link in enumerate(chain)
            )
            if own:
                _event(t, actor, "requested", source.name, reason.strip())
                _audit(
                    actor,
                    "request",
                    t,
                    member=member.pk,
                    target=target.pk,
                    chain=[link.org.pk for link in chain],
                    reason_kind=reason_kind,
                    moved_on=f"{moved_on}",
                    self_filed=True,
                )
                return t
            _event(t, actor, "created", source.name, reason.strip())
            _audit(
                actor,
                "create",
                t,
                member=member.pk,
                target=target.pk,
                chain=[link.org.pk for link in chain],
            )
            if submit:
                _submit(actor, t)
            return t
    except IntegrityError:  # another open transfer was made a moment ago
        raise (_busy_own(None) if own else _busy(member)) from None


def _expire_lapsed_of(member: Member) -> None:
    """A lapsed letter no longer blocks a new transfer: close it first (audited)."""
    for t in member.transfers.filter(status=TransferStatus.APPROVED_OUT, valid_until__lt=today()):
        transfer_expire(actor=None, transfer=t)


def _refuse_unless(cond: bool, msg: str) -> None:
    if not cond:
        raise ConflictError(msg)


def _lock(t: Transfer) -> Transfer:
    """Re-read the row inside the transaction (FOR UPDATE on PostgreSQL) so two decisions on
    one step cannot both pass."""
    return (
        Transfer.objects.select_for_update(of=("self",))
        .select_related("source__area", "target__area")
        .get(pk=t.pk)
    )


def _refuse_if_lapsed(t: Transfer) -> None:
    if is_lapsed(t):
        raise ConflictError(
            gettext("介绍信已超过三个月有效期，转接已失效；如仍需转接，请重新发起。"),
            code="expired",
        )


@transaction.atomic
def transfer_submit(*, actor: User | None, scope: Scope, transfer: Transfer) -> Transfer:
    _refuse_stranger(scope, transfer)
    t = _lock(transfer)
    _refuse_unless(t.status == TransferStatus.DRAFT, gettext("只有草稿可以提交审批。"))
    _refuse_unless(
        may_act(scope, t.source), gettext("只有党员所在组织的管理人员可以提交转接申请。")
    )
    _submit(actor, t)
    return t


def _submit(actor: User | None, t: Transfer) -> None:
    now = timezone.now()
    t.steps.filter(position=0).update(
        decision=StepDecision.APPROVED,
        decided_by=actor,
        decided_at=now,
    )
    t.status = TransferStatus.SUBMITTED
    t.current_step = 1
    t.save(update_fields=["status", "current_step", "updated_at"])
    _event(t, actor, "submitted", t.source.name)
    _audit(actor, "submit", t)
    notify.turn(t)


def _turn_refusal(scope: Scope, t: Transfer, step: TransferStep, position: int | None) -> str:
    if position is not None and position != step.position:
        return gettext("这一步已经有人处理过了，请刷新页面查看最新进度。")
    if not may_act(scope, step.org):
        return gettext("当前应由“%(org)s”审批，还没有轮到您所在的组织，请等待上一步完成。") % {
            "org": step.org_name
        }
    return ""


@transaction.atomic
def transfer_approve(
    *,
    actor: User | None,
    scope: Scope,
    transfer: Transfer,
    position: int | None = None,
    note: str = "",
) -> Transfer:
    """Approve the step whose turn it is. `position` (from the page the user saw) guards against
    a double submission approving the next step too."""
    _refuse_stranger(scope, transfer)
    t = _lock(transfer)
    _refuse_unless(
        t.status in (TransferStatus.SUBMITTED, TransferStatus.APPROVED_OUT),
        gettext("该转接当前不在审批环节（%(status)s），不能审批。")
        % {"status": t.get_status_display()},
    )
    _refuse_if_lapsed(t)
    step = t.steps.select_related("org__area").get(position=t.current_step)
    refusal = _turn_refusal(scope, t, step, position)
    _refuse_unless(not refusal, refusal)
    step.decision = StepDecision.APPROVED
    step.decided_by = actor
    step.decided_at = timezone.now()
    step.note = note.strip()[:200]
    step.save(update_fields=["decision", "decided_by", "decided_at", "note"])
    fields = ["current_step", "updated_at"]
    if step.role == StepRole.TOP:
        t.status = TransferStatus.APPROVED_OUT
        t.issued_on = today()
        t.valid_until = add_months(t.issued_on, VALIDITY_MONTHS)
        t.letter_no = f"{t.issued_on.year}{t.pk:07d}"
        fields += ["status", "issued_on", "valid_until", "letter_no"]
    elif step.role == StepRole.RECEIVE:
        t.status = TransferStatus.RECEIVED
        fields.append("status")
    t.current_step = step.position + 1
    t.save(update_fields=fields)
    action = {StepRole.TOP: "approved_out", StepRole.RECEIVE: "received"}.get(
        step.role,
        "approved",  # type: ignore[call-overload]
    )
    _event(t, actor, action, step.org_name, step.note)
    _audit(actor, "approve", t, step=step.position, org=step.org_id)
    notify.turn(t)
    return t


@transaction.atomic
def transfer_reject(
    *,
    actor: User | None,
    scope: Scope,
    transfer: Transfer,
    note: str,
    position: int | None = None,
) -> Transfer:
    _refuse_stranger(scope, transfer)
    t = _lock(transfer)
    _refuse_unless(
        t.status in (TransferStatus.SUBMITTED, TransferStatus.APPROVED_OUT),
        gettext("该转接当前不在审批环节（%(status)s），不能退回。")
        % {"status": t.get_status_display()},
    )
    if not note.strip():
        msg = gettext("请填写退回原因，申请方需要据此修改。")
        raise ServiceError(msg, fields={"note": msg})
    step = t.steps.select_related("org__area").get(position=t.current_step)
    refusal = _turn_refusal(scope, t, step, position)
    _refuse_unless(not refusal, refusal)
    now = timezone.now()
    TransferStep.objects.filter(pk=step.pk).update(
        decision=StepDecision.REJECTED,
        decided_by=actor,
        decided_at=now,
        note=note.strip()[:200],
    )
    t.status = TransferStatus.REJECTED
    t.closing_note = note.strip()[:200]
    t.save(update_fields=["status", "closing_note", "updated_at"])
    _event(t, actor, "rejected", step.org_name, t.closing_note)
    _audit(actor, "reject", t, step=step.position, note=t.closing_note)
    return t


@transaction.atomic
def transfer_withdraw(
    *, actor: User | None, scope: Scope, transfer: Transfer, note: str = ""
) -> Transfer:
    _refuse_stranger(scope, transfer)
    t = _lock(transfer)
    _refuse_unless(
        t.status in (TransferStatus.DRAFT, TransferStatus.SUBMITTED, TransferStatus.APPROVED_OUT),
        gettext("转入方已接收或转接已结束，不能撤回。"),
    )
    _refuse_unless(
        may_act(scope, t.source), gettext("只有党员所在组织的管理人员可以撤回转接申请。")
    )
    t.status = TransferStatus.WITHDRAWN
    t.closing_note = note.strip()[:200]
    t.save(update_fields=["status", "closing_note", "updated_at"])
    _event(t, actor, "withdrawn", t.source.name, t.closing_note)
    _audit(actor, "withdraw", t, note=t.closing_note)
    return t


@transaction.atomic
def transfer_withdraw_own(*, actor: User, transfer: Transfer, note: str = "") -> Transfer:
    """The member withdraws their own request while no organization has approved it yet
    (afterwards only the branch may withdraw it, see transfer_withdraw)."""
    member = own_member(actor)
    if member is None or transfer.member_id != member.pk:
        raise ForbiddenError(gettext("转接记录不存在。"))
    t = _lock(transfer)
    _refuse_unless(
        t.origin == TransferOrigin.MEMBER,
        gettext("这条转接由党组织发起，不能自行撤回；如需撤回，请联系所在党支部。"),
    )
    _refuse_unless(
        t.is_open, gettext("该转接已经结束（%(status)s），无需撤回。") % {"status": shown_status(t)}
    )
    _refuse_unless(
        may_withdraw_own(t),
        gettext("“%(org)s”已审批同意，不能再自行撤回；如需撤回，请联系所在党支部。")
        % {"org": t.source.name},
    )
    if len(note) > 200:
        msg = gettext("撤回原因请控制在200字以内。")
        raise ServiceError(msg, fields={"note": msg})
    t.status = TransferStatus.WITHDRAWN
    t.closing_note = note.strip()
    t.save(update_fields=["status", "closing_note", "updated_at"])
    _event(t, actor, "withdrawn_by_member", t.source.name, t.closing_note)
    _audit(actor, "withdraw", t, note=t.closing_note, self_filed=True)
    return t


@transaction.atomic
def transfer_complete(*, actor: User | None, scope: Scope, transfer: Transfer) -> Transfer:
    """The receiving organization takes the member in: the member's organization changes,
    the relationship history records it."""
    _refuse_stranger(scope, transfer)
    t = _lock(transfer)
    _refuse_unless(t.status == TransferStatus.RECEIVED, gettext("转入组织接收后才能办结转接。"))
    _refuse_unless(may_act(scope, t.target), gettext("只有转入组织的管理人员可以办结转接。"))
    member = Member.objects.select_for_update().get(pk=t.member_id)
    old_org = Organization.objects.get(pk=member.org_id)
    target = t.target
    member.org = target
    member.org_path = target.path
    member.save(update_fields=["org", "org_path", "updated_at"])
    OrgRelationChange.objects.create(
        member=member,
        kind=RelationChangeKind.TRANSFERRED,
        from_org=old_org,
        from_org_name=old_org.name,
        to_org=target,
        to_org_name=target.name,
        on=today(),
        note=(gettext("介绍信%(no)s") % {"no": t.letter_no})[:200],
    )
    t.status = TransferStatus.COMPLETED
    t.completed_on = today()
    t.save(update_fields=["status", "completed_on", "updated_at"])
    _event(t, actor, "completed", target.name)
    _audit(actor, "complete", t)
    audit(
        actor=actor,
        action="members.transfer_in",
        obj=member,
        diff={"org": [old_org.pk, target.pk], "transfer": t.pk},
    )
    return t


@transaction.atomic
def transfer_expire(*, actor: User | None, transfer: Transfer, on: dt.date | None = None) -> bool:
    """Close a transfer whose letter has run out (idempotent: False when nothing to do)."""
    t = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if not is_lapsed(t, on):
        return False
    t.status = TransferStatus.EXPIRED
    t.save(update_fields=["status", "updated_at"])
    _event(t, actor, "expired", "", gettext("介绍信超过三个月有效期"))
    _audit(actor, "expire", t)
    return True


def transfer_expire_due(*, actor: User | None = None, on: dt.date | None = None) -> int:
    due = Transfer.objects.filter(
        status=TransferStatus.APPROVED_OUT, valid_until__lt=on or today()
    ).only("pk")
    return sum(transfer_expire(actor=actor, transfer=t, on=on) for t in due)
