"""组织关系转接 (DESIGN §4.2): services (every write) and selectors (every read).

The chain. From the source organization up to the common ancestor of source and target, then
down to the target: ``[source, parent, …, ancestor, …, target's parent, target]``. Position 0
is the source (its submission is its approval); each later position is decided, in order, by a
user holding ``members.manage`` over that organization. The ancestor's approval is the
approval to transfer out (status ``approved_out``): the introduction letter (介绍信) is issued
then, valid for three months. The target's approval receives the member (``received``); the
target then completes the transfer, which moves the member.

Targets. Any 党支部 or 党总支 of the installation may be a target (a transfer to another street
is normal; the requester sees only its name). Refused: an organization that does not exist, a
党委/党工委/党小组, a 临时党组织 (it cannot hold organizational relationships), the source
itself or an organization above or below it, and an organization with no common ancestor
(another installation's tree: out of reach, paper letter).

党员申请 (a member files their own request, ``transfer_request_own``). The member chooses the
target among branch names (``target_search`` with ``source``: the same rules as above, applied
in the query; the id they post is resolved among the same targets, ``target_get`` with
``source``, so that anything else is refused like an unknown id and tells nothing of the
organization), a reason and the date they moved. The request is submitted at once with the
chain's step 0 (the member's own branch) still pending: the branch secretary approves or
rejects it in the inbox like any other step, and the chain goes on as above. The member sees
only their own transfers (``own_transfers``), never decides a step, and may withdraw their
own request while no step is approved yet (``transfer_withdraw_own``).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.scope import Scope
from tongxin.members.models import (
    OPEN_TRANSFER_STATUSES,
    Member,
    OrgRelationChange,
    RelationChangeKind,
    StepDecision,
    StepRole,
    Transfer,
    TransferEvent,
    TransferOrigin,
    TransferReason,
    TransferStatus,
    TransferStep,
)
from tongxin.members.selectors import own_member
from tongxin.orgs.models import Organization, OrgKind

TARGET_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)
VALIDITY_MONTHS = 3
LETTER_SALT = "tongxin.members.transfer-letter"


def add_months(d: dt.date, months: int) -> dt.date:
    month0 = d.month - 1 + months
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


def today() -> dt.date:
    return timezone.localdate()


def is_lapsed(t: Transfer, on: dt.date | None = None) -> bool:
    """The letter ran out before the receiving side took the member in (the lazy check on
    read: pages show it expired before the periodic task has closed it)."""
    return (
        t.status == TransferStatus.APPROVED_OUT
        and t.valid_until is not None
        and (on or today()) > t.valid_until
    )


def shown_status(t: Transfer) -> str:
    return str(TransferStatus.EXPIRED.label) if is_lapsed(t) else t.get_status_display()


# --- the chain ---------------------------------------------------------------------------------


@dataclass
class ChainLink:
    org: Organization
    role: str


def _common_prefix(a: str, b: str, step: int) -> str:
    n = 0
    while n + step <= min(len(a), len(b)) and a[n : n + step] == b[n : n + step]:
        n += step
    return a[:n]


def transfer_chain(source: Organization, target: Organization) -> list[ChainLink]:
    """The organizations that decide, in order (one query). Refuses a target out of reach."""
    refuse = _target_refusal(source, target)
    if refuse:
        raise ServiceError(refuse, fields={"target": refuse})
    step = Organization.steplen
    common = _common_prefix(source.path, target.path, step)
    up = [source.path[:i] for i in range(len(source.path), len(common) - 1, -step)]
    down = [target.path[:i] for i in range(len(common) + step, len(target.path) + 1, step)]
    by_path = Organization.objects.select_related("area").in_bulk(up + down, field_name="path")
    links = []
    for i, p in enumerate(up + down):
        if p == source.path:
            role = StepRole.OUT
        elif p == common:
            role = StepRole.TOP
        elif p == target.path:
            role = StepRole.RECEIVE
        else:
            role = StepRole.OUT if i < len(up) else StepRole.IN
        links.append(ChainLink(by_path[p], role))
    return links


def _target_refusal(source: Organization, target: Organization) -> str:
    if target.kind not in TARGET_KINDS:
        return gettext("组织关系只能转入党支部或党总支，请重新选择转入组织。")
    if target.is_temporary:
        return gettext("临时党组织不接收组织关系，请选择党员正式所在的党支部。")
    if target.pk == source.pk:
        return gettext("转入组织与党员现所在组织相同，无需转接。")
    if target.path.startswith(source.path) or source.path.startswith(target.path):
        return gettext("转入组织是现所在组织的上级或下级组织，请由上级组织直接调整，不走转接。")
    if not _common_prefix(source.path, target.path, Organization.steplen):
        return gettext(
            "转入组织与现所在组织没有共同的上级党组织，超出本系统范围，请开具纸质介绍信办理。"
        )
    return ""


# --- selectors ---------------------------------------------------------------------------------


def _on_chain_q(scope: Scope, perm: str) -> Q:
    return Q(
        Exists(
            TransferStep.objects.filter(transfer=OuterRef("pk")).filter(scope.orgs_q(perm, "org__"))
        )
    )


def transfer_queryset(scope: Scope) -> QuerySet[Transfer]:
    """Transfers the user sees: of members of organizations they view (source or target), or
    with an organization on the chain that they manage."""
    qs = Transfer.objects.all()
    if scope.is_superuser:
        return qs
    return qs.filter(
        scope.orgs_q("members.view", "source__")
        | scope.orgs_q("members.view", "target__")
        | _on_chain_q(scope, "members.manage")
    )


def get_transfer_for(scope: Scope, pk: object) -> Transfer:
    try:
        return (
            transfer_queryset(scope)
            .select_related("source", "target", "member", "requested_by")
            .get(pk=int(str(pk)))
        )
    except (Transfer.DoesNotExist, ValueError):
        raise Http404(gettext("转接记录不存在或不在您的管辖范围内。")) from None


TABS = ("todo", "outgoing", "incoming", "all")


def transfer_list(scope: Scope, tab: str = "todo") -> QuerySet[Transfer]:
    """todo: waiting for a decision at an organization I manage (or, received, for me to
    complete); outgoing / incoming: from / to organizations I manage; all: everything I see."""
    qs = transfer_queryset(scope)
    if tab == "todo":
        my_step = TransferStep.objects.filter(
            transfer=OuterRef("pk"), position=OuterRef("current_step")
        )
        if not scope.is_superuser:
            my_step = my_step.filter(scope.orgs_q("members.manage", "org__"))
        waiting = Q(status=TransferStatus.SUBMITTED) | Q(
            status=TransferStatus.APPROVED_OUT, valid_until__gte=today()
        )
        qs = qs.filter(
            (waiting & Q(Exists(my_step)))
            | (Q(status=TransferStatus.RECEIVED) & scope.orgs_q("members.manage", "target__"))
        )
    elif tab == "outgoing":
        qs = qs.filter(scope.orgs_q("members.manage", "source__"))
    elif tab == "incoming":
        qs = qs.filter(scope.orgs_q("members.manage", "target__"))
    return qs.select_related("source", "target").order_by("-updated_at", "-id")


def transfer_steps(t: Transfer) -> list[TransferStep]:
    return list(t.steps.select_related("org__area", "decided_by").order_by("position"))


def transfer_events(t: Transfer) -> list[TransferEvent]:
    return list(t.events.select_related("actor"))


def open_transfer_of(member: Member) -> Transfer | None:
    return member.transfers.filter(status__in=OPEN_TRANSFER_STATUSES).first()


def member_transfers(member: Member) -> QuerySet[Transfer]:
    return member.transfers.select_related("source", "target").order_by("-id")[:20]


def _targets_from(source: Organization | None) -> QuerySet[Organization]:
    """Organizations that may be targets: branches and general branches, not temporary; given
    the `source`, only those the transfer rules accept from it (see _target_refusal): not the
    source, not above or below it, and in the same tree."""
    qs = Organization.objects.filter(kind__in=TARGET_KINDS, is_temporary=False)
    if source is not None:
        step = Organization.steplen
        above = [source.path[:i] for i in range(step, len(source.path) + 1, step)]
        qs = qs.filter(path__startswith=source.path[:step]).exclude(path__in=above)
        qs = qs.exclude(path__startswith=source.path)
    return qs


def target_search(
    text: str, limit: int = 20, source: Organization | None = None
) -> list[Organization]:
    """Candidate targets by name across the installation: names only (a deliberate read
    without a scope, like a phone book of branches; nothing else of them is shown). Each gets
    `parent_name`, to tell apart the many “第一党支部” (two queries). Given the `source`, only
    organizations the transfer rules accept from it (_targets_from)."""
    text = text.strip()
    if not text:
        return []
    qs = _targets_from(source).filter(name__contains=text)
    found = list(qs.only("id", "name", "path").order_by("name", "id")[:limit])
    step = Organization.steplen
    parents = dict(
        Organization.objects.filter(path__in={o.path[:-step] for o in found}).values_list(
            "path", "name"
        )
    )
    for o in found:
        o.parent_name = parents.get(o.path[:-step], "")
    return found


def target_get(pk: object, source: Organization | None = None) -> Organization | None:
    """A chosen target by id; the service checks it. Without `source` (staff filing for a
    member they manage) installation-wide; with it (a member's own request) only among the
    targets target_search offers from that source, so that an id posted by hand reveals
    nothing: a committee, a temporary branch or another tree is as unknown as a missing id."""
    try:
        pk = int(str(pk))
    except (TypeError, ValueError):
        return None
    qs = Organization.objects.all() if source is None else _targets_from(source)
    return qs.select_related("area").filter(pk=pk).first()


def own_transfers(user: Any) -> QuerySet[Transfer]:
    """The transfers of the member behind an account (我的组织关系), newest first; none for an
    account without a member. Whatever the account's roles: only the member's own."""
    member_id = getattr(user, "member_id", None)
    if not member_id or not getattr(user, "is_authenticated", False):
        return Transfer.objects.none()
    return (
        Transfer.objects.filter(member_id=member_id)
        .select_related("source", "target")
        .order_by("-created_at", "-id")
    )


def own_transfers_with_steps(user: Any, limit: int = 20) -> list[Transfer]:
    """The latest of them with their chains (two queries: transfers, steps with approvers)."""
    steps = TransferStep.objects.select_related("decided_by").order_by("position")
    return list(own_transfers(user).prefetch_related(Prefetch("steps", queryset=steps))[:limit])


def get_own_transfer(user: Any, pk: object) -> Transfer:
    try:
        return own_transfers(user).get(pk=int(str(pk)))
    except (Transfer.DoesNotExist, TypeError, ValueError):
        raise Http404(gettext("转接记录不存在。")) from None


@dataclass
class OwnStep:
    """One step of the chain as the member sees it: organizations and approvers' display names,
    nothing else of anybody."""

    position: int
    org_name: str
    role: str
    role_label: str
    decision: str
    decision_label: str
    decided_at: dt.datetime | None
    decided_by: str
    note: str
    waiting: bool  # the step whose turn it is


def own_progress(t: Transfer) -> list[OwnStep]:
    """The chain of one of the member's transfers (one query)."""
    waiting_on = (
        t.current_step
        if t.status in (TransferStatus.SUBMITTED, TransferStatus.APPROVED_OUT) and not is_lapsed(t)
        else None
    )
    prefetched = "steps" in getattr(t, "_prefetched_objects_cache", {})
    steps = (
        t.steps.all() if prefetched else t.steps.select_related("decided_by").order_by("position")
    )
    return [_own_step(s, s.position == waiting_on) for s in steps]


def _own_step(s: TransferStep, waiting: bool) -> OwnStep:
    return OwnStep(
        position=s.position,
        org_name=s.org_name,
        role=s.role,
        role_label=str(s.get_role_display()),
        decision=s.decision,
        decision_label=str(s.get_decision_display()) if s.decision else "",
        decided_at=s.decided_at,
        decided_by=str(s.decided_by) if s.decided_by else "",
        note=s.note,
        waiting=waiting,
    )


def may_withdraw_own(t: Transfer) -> bool:
    """The member's own request, not yet approved by anybody (step 0 is still pending)."""
    return (
        t.origin == TransferOrigin.MEMBER
        and t.status == TransferStatus.SUBMITTED
        and t.current_step == 0
    )


def may_act(scope: Scope, org: Organization) -> bool:
    return scope.reaches_org("members.manage", org.path, org.area.path if org.area else None)


@dataclass
class Actions:
    submit: bool = False
    approve: bool = False
    reject: bool = False
    withdraw: bool = False
    complete: bool = False
    waiting_for: str = ""  # the organization whose turn it is


def transfer_actions(scope: Scope, t: Transfer, steps: list[TransferStep]) -> Actions:
    a = Actions()
    if not t.is_open or is_lapsed(t):
        return a
    source_side = may_act(scope, t.source)
    if t.status == TransferStatus.DRAFT:
        a.submit = a.withdraw = source_side
        return a
    if t.status in (TransferStatus.SUBMITTED, TransferStatus.APPROVED_OUT):
        step = steps[t.current_step]
        a.waiting_for = step.org_name
        a.approve = a.reject = may_act(scope, step.org)
        a.withdraw = source_side
    if t.status == TransferStatus.RECEIVED:
        a.complete = may_act(scope, t.target)
    return a


# --- the letter --------------------------------------------------------------------------------


def letter_token(t: Transfer) -> str:
    return signing.dumps({"t": t.pk, "n": t.letter_no}, salt=LETTER_SALT, compress=True)


def masked_name(name: str) -> str:
    return name[:1] + "*" * max(len(name) - 1, 1)


@dataclass
class LetterCheck:
    state: str  # valid | expired | void | completed
    letter_no: str
    name: str
    from_org: str
    to_org: str
    issued_on: dt.date | None
    valid_until: dt.date | None


def letter_verify(token: str) -> LetterCheck:
    """What the public verification page shows for a signed token: no personal data beyond a
    masked name. A token that is not ours → Http404."""
    try:
        data = signing.loads(token, salt=LETTER_SALT)
        t = Transfer.objects.select_related("source", "target").get(
            pk=int(data["t"]), letter_no=str(data["n"])
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError, Transfer.DoesNotExist):
        raise Http404(gettext("介绍信无效：未找到对应的转接记录。")) from None
    if t.status == TransferStatus.COMPLETED or t.status == TransferStatus.RECEIVED:
        state = "completed"
    elif t.status in (TransferStatus.WITHDRAWN, TransferStatus.REJECTED):
        state = "void"
    elif t.status == TransferStatus.EXPIRED or is_lapsed(t):
        state = "expired"
    else:
        state = "valid"
    return LetterCheck(
        state,
        t.letter_no,
        masked_name(t.member_name),
        t.source.name,
        t.target.name,
        t.issued_on,
        t.valid_until,
    )


# --- services ----------------------------------------------------------------------------------


def _event(t: Transfer, actor: Any, action: str, org_name: str = "", note: str = "") -> None:
    TransferEvent.objects.create(
        transfer=t,
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        org_name=org_name,
        note=note,
    )


def _audit(actor: Any, action: str, t: Transfer, **diff: Any) -> None:
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


def transfer_create(
    *,
    actor: Any,
    member: Member,
    target: Organization | None,
    reason: str = "",
    submit: bool = False,
) -> Transfer:
    """Start a transfer (a draft, or submitted at once). The caller has checked that the actor
    manages the member."""
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
    actor: Any,
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
    if target is None:
        errors["target"] = gettext("请从查找结果中选择转入的党支部。")
    else:
        refusal = _target_refusal(source, target)
        if refusal:
            errors["target"] = refusal
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
    actor: Any,
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
                requested_by=actor if getattr(actor, "pk", None) else None,
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
def transfer_submit(*, actor: Any, scope: Scope, transfer: Transfer) -> Transfer:
    t = _lock(transfer)
    _refuse_unless(t.status == TransferStatus.DRAFT, gettext("只有草稿可以提交审批。"))
    _refuse_unless(
        may_act(scope, t.source), gettext("只有党员所在组织的管理人员可以提交转接申请。")
    )
    _submit(actor, t)
    return t


def _submit(actor: Any, t: Transfer) -> None:
    now = timezone.now()
    t.steps.filter(position=0).update(
        decision=StepDecision.APPROVED,
        decided_by=actor if getattr(actor, "pk", None) else None,
        decided_at=now,
    )
    t.status = TransferStatus.SUBMITTED
    t.current_step = 1
    t.save(update_fields=["status", "current_step", "updated_at"])
    _event(t, actor, "submitted", t.source.name)
    _audit(actor, "submit", t)


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
    *, actor: Any, scope: Scope, transfer: Transfer, position: int | None = None, note: str = ""
) -> Transfer:
    """Approve the step whose turn it is. `position` (from the page the user saw) guards against
    a double submission approving the next step too."""
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
    step.decided_by = actor if getattr(actor, "pk", None) else None
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
    return t


@transaction.atomic
def transfer_reject(
    *, actor: Any, scope: Scope, transfer: Transfer, note: str, position: int | None = None
) -> Transfer:
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
        decided_by=actor if getattr(actor, "pk", None) else None,
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
def transfer_withdraw(*, actor: Any, scope: Scope, transfer: Transfer, note: str = "") -> Transfer:
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
def transfer_withdraw_own(*, actor: Any, transfer: Transfer, note: str = "") -> Transfer:
    """The member withdraws their own request while no organization has approved it yet
    (afterwards only the branch may withdraw it, see transfer_withdraw)."""
    member = own_member(actor)
    if member is None or transfer.member_id != member.pk:
        raise Http404(gettext("转接记录不存在。"))
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
def transfer_complete(*, actor: Any, scope: Scope, transfer: Transfer) -> Transfer:
    """The receiving organization takes the member in: the member's organization changes,
    the relationship history records it."""
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
def transfer_expire(*, actor: Any, transfer: Transfer, on: dt.date | None = None) -> bool:
    """Close a transfer whose letter has run out (idempotent: False when nothing to do)."""
    t = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if not is_lapsed(t, on):
        return False
    t.status = TransferStatus.EXPIRED
    t.save(update_fields=["status", "updated_at"])
    _event(t, actor, "expired", "", gettext("介绍信超过三个月有效期"))
    _audit(actor, "expire", t)
    return True


def transfer_expire_due(*, actor: Any = None, on: dt.date | None = None) -> int:
    due = Transfer.objects.filter(
        status=TransferStatus.APPROVED_OUT, valid_until__lt=on or today()
    ).only("pk")
    return sum(transfer_expire(actor=actor, transfer=t, on=on) for t in due)


@task()
def expire_transfers() -> int:
    """Periodic (registered in members.apps): close every transfer whose letter expired."""
    return transfer_expire_due()
