"""组织关系转接 (DESIGN §4.2): the reads (selectors), the chain and the letter; the writes are in
``tongxin.transfers.services``.

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

党员申请 (a member files their own request, ``services.transfer_request_own``). The member
chooses the target among branch names (``target_search`` with ``source``: the same rules as
above, applied in the query; the id they post is resolved among the same targets, ``target_get``
with ``source``, and the service accepts nothing else, so that anything else is refused like an
unknown id and tells nothing of the organization), a reason and the date they moved. The
request is submitted at once with the chain's step 0 (the member's own branch) still pending:
the branch secretary approves or rejects it in the inbox like any other step, and the chain goes
on as above. The member sees only their own transfers (``own_transfers``), never decides a
step, and may withdraw their own request while no step is approved yet
(``services.transfer_withdraw_own``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core import signing
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, OrgKind
from tongxin.transfers.models import (
    OPEN_TRANSFER_STATUSES,
    StepRole,
    Transfer,
    TransferEvent,
    TransferOrigin,
    TransferStatus,
    TransferStep,
)

TARGET_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)
VALIDITY_MONTHS = 3
# Unchanged since the transfers lived in the members app: letters printed then still verify.
LETTER_SALT = "tongxin.members.transfer-letter"

# The account asking for its own transfers (request.user: anonymous before login).
Viewer = User | AnonymousUser


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
    refuse = target_refusal(source, target)
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


def target_refusal(source: Organization, target: Organization) -> str:
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


def targets_from(source: Organization | None) -> QuerySet[Organization]:
    """Organizations that may be targets: branches and general branches, not temporary; given
    the `source`, only those the transfer rules accept from it (see target_refusal): not the
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
    organizations the transfer rules accept from it (targets_from)."""
    text = text.strip()
    if not text:
        return []
    qs = targets_from(source).filter(name__contains=text)
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
    qs = Organization.objects.all() if source is None else targets_from(source)
    return qs.select_related("area").filter(pk=pk).first()


def own_transfers(user: Viewer) -> QuerySet[Transfer]:
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


def own_transfers_with_steps(user: Viewer, limit: int = 20) -> list[Transfer]:
    """The latest of them with their chains (two queries: transfers, steps with approvers)."""
    steps = TransferStep.objects.select_related("decided_by").order_by("position")
    return list(own_transfers(user).prefetch_related(Prefetch("steps", queryset=steps))[:limit])


def get_own_transfer(user: Viewer, pk: object) -> Transfer:
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


def todo_figure(request: HttpRequest, scope: Scope) -> dict[str, int]:
    """The 工作台's figure for the 转接 · 双报到 · 党费 card (members' panel): transfers waiting
    for the user (one query; none for a user who sees no members, whose card is not shown)."""
    if not scope.has("members.view"):
        return {}
    return {"transfers_todo": transfer_list(scope, "todo").count()}
