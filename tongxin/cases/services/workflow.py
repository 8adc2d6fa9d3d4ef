"""A case's steps after its report: the state machine (``common.TRANSITIONS``), merging a
duplicate, the resident's rating and the staff's internal notes.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.accounts.models import User
from tongxin.cases import notify
from tongxin.cases.models import (
    Agency,
    Case,
    CaseEvent,
    EventKind,
    State,
)
from tongxin.cases.selectors import (
    can,
    case_queryset,
    resident_cases,
)
from tongxin.cases.services.common import (
    ACTION_LABELS,
    MERGEABLE_STATES,
    NOTE_REQUIRED,
    REJECT_ON_SPOT,
    TRANSITIONS,
    _event,
    deadline_for,
    validate_reply,
)
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.scope import Scope, acting_scope, in_scope, require


def _refuse(case: Case, action: str) -> ConflictError:
    allowed = [a for a, (froms, _to, _p) in TRANSITIONS.items() if case.state in froms]
    msg = _("事件当前状态为“%(state)s”，不能%(action)s。") % {
        "state": State(case.state).label,
        "action": str(ACTION_LABELS.get(action, action)),
    }
    if allowed:
        msg += _("可以进行的操作：%(allowed)s。") % {
            "allowed": _("、").join(str(ACTION_LABELS[a]) for a in allowed)
        }
    else:
        msg += _("该事件已办理完毕，不能再变更。")
    return ConflictError(msg)


@transaction.atomic
def case_transition(
    *,
    actor: User | None,
    case: Case,
    action: str,
    note: str = "",
    reply: str = "",
    agency: Agency | None = None,
    now: dt.datetime | None = None,
    scope: Scope | None = None,
) -> Case:
    """Move a case one step. The caller has checked the actor's permission on this case
    (selectors.can); the state machine is checked here, on the locked row. ``note`` is
    internal (staff and departments); ``reply`` (答复居民), when given, is what the resident
    and Open311 see of this step, and becomes the case's status note. The actor holds the
    step's permission on this case (selectors.can)."""
    now = now or timezone.now()
    if action not in TRANSITIONS:
        raise ConflictError(_("未知的操作，请刷新页面后重试。"))
    reply = validate_reply(reply)
    case = (
        Case.objects.select_for_update(of=("self",))
        .select_related("category", "agency")
        .get(pk=case.pk)
    )
    froms, to, _perm = TRANSITIONS[action]
    if case.state not in froms:
        raise _refuse(case, action)
    note = (note or "").strip()
    if action in NOTE_REQUIRED and not note:
        msg = _("请填写%(action)s的说明。") % {"action": str(ACTION_LABELS[action])}
        raise ServiceError(msg, fields={"note": msg})
    require(
        can(acting_scope(actor, scope), case, TRANSITIONS[action][2]),
        _("您没有对该事件进行此操作的权限。"),
    )
    if action == "dispatch":
        agency = agency or case.agency
        if agency is None or not agency.active:
            msg = _("请选择处置部门。")
            raise ServiceError(msg, fields={"agency": msg})
        if case.dispatched_at is None or case.agency_id != agency.pk:
            # The department sees the case from its own dispatch on; dispatched again to
            # the same agency (after a return), it keeps the history it already had.
            case.dispatched_at = now
        case.agency = agency
        if note == "":
            note = _("派遣至%(agency)s") % {"agency": agency.name}
    if action == "reject" and _resolved_on_spot(case):
        to = REJECT_ON_SPOT
    before = case.state
    case.state = to
    case.updated_at = now
    if action == "escalate":
        case.escalations = F("escalations") + 1
    if action == "close":
        case.closed_at = now
    if reply:
        case.status_note = reply
    case.save()
    case.refresh_from_db(fields=["escalations"])
    event = _event(case, action, actor, now, note, from_state=before, reply=reply)
    audit(
        actor=actor,
        action=f"case.{action}",
        obj=case,
        diff={"state": [before, to], "note": note[:200]},
    )
    if action == "dispatch":
        notify.handed(case)
    if reply:
        notify.replied(case, reply, event.pk)
    return case


def _resolved_on_spot(case: Case) -> bool:
    """Whether the case's latest resolution was the grid worker's 就地解决."""
    kind = (
        CaseEvent.objects.filter(case=case, to_state=State.RESOLVED)
        .order_by("-at", "-id")
        .values_list("kind", flat=True)
        .first()
    )
    return kind == EventKind.GRID_RESOLVE


@transaction.atomic
def case_merge(
    *,
    actor: User | None,
    case: Case,
    into: Case,
    now: dt.datetime | None = None,
    scope: Scope | None = None,
) -> Case:
    """Merge a duplicate into an earlier case: the duplicate ends in ``merged``. The actor
    manages the duplicate and sees the case it goes into."""
    scope = acting_scope(actor, scope)
    require(
        can(scope, case, "cases.manage") and in_scope(case_queryset(scope), into),
        _("您没有合并这两个事件的权限。"),
    )
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.pk == into.pk:
        raise ConflictError(_("不能把事件合并到它自己。"))
    if case.state not in MERGEABLE_STATES:
        raise ConflictError(
            _("事件当前状态为“%(state)s”，只有待受理、网格已呼叫或已受理的事件可以合并。")
            % {"state": State(case.state).label}
        )
    if into.state in ("merged", "cancelled"):
        raise ConflictError(_("目标事件已合并或已撤销，请选择其他事件。"))
    before = case.state
    case.state = State.MERGED
    case.merged_into = into
    case.updated_at = now
    # Told to the resident too: their report goes on under the other case's code.
    merged = _("与事件 %(code)s 重复，已合并。") % {"code": into.tracking_code}
    case.status_note = merged
    case.save()
    _event(case, EventKind.MERGE, actor, now, merged, before, reply=merged)
    _event(
        into,
        EventKind.NOTE,
        actor,
        now,
        _("事件 %(code)s 与本事件重复，已合并至此。") % {"code": case.tracking_code},
        public=False,
    )
    audit(actor=actor, action="case.merge", obj=case, diff={"into": into.tracking_code})
    return case


@transaction.atomic
def case_rate(
    *, actor: User | None, case: Case, rating: int, note: str = "", now: dt.datetime | None = None
) -> Case:
    """A resident rates a closed case 1-5; a poor rating (≤ 2) reopens it, once. Only the
    resident who reported it (selectors.resident_cases)."""
    require(actor is None or in_scope(resident_cases(actor), case), _("只能评价本人上报的事件。"))
    now = now or timezone.now()
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not isinstance(rating, int) or not 1 <= rating <= 5:
        msg = _("请选择1到5星的评价。")
        raise ServiceError(msg, fields={"rating": msg})
    if case.state != State.CLOSED:
        raise ConflictError(_("事件办结并结案后才能评价，请耐心等待。"))
    if case.rating is not None:
        raise ConflictError(_("您已评价过这个事件，不能重复评价。"))
    require(actor is None or in_scope(resident_cases(actor), case), _("只能评价本人上报的事件。"))
    case.rating = rating
    case.rating_note = (note or "").strip()[:300]
    case.updated_at = now
    _event(
        case,
        EventKind.RATE,
        actor,
        now,
        _("%(n)s星") % {"n": rating} + ("：" + case.rating_note if case.rating_note else ""),
    )
    if rating <= 2 and not case.reopened:
        before = case.state
        case.state = State.ACCEPTED
        case.reopened = True
        case.rating = None  # the next result gets its own rating
        case.closed_at = None
        case.deadline_at = deadline_for(case.category, case.priority, now)
        case.overdue_level = 0
        reopened = _("居民不满意，事件重新办理。")
        case.status_note = reopened
        case.save()
        _event(case, EventKind.REOPEN, actor, now, reopened, before, reply=reopened)
    else:
        case.save()
    audit(actor=actor, action="case.rate", obj=case, diff={"rating": rating})
    return case


@transaction.atomic
def case_note(
    *,
    actor: User | None,
    case: Case,
    note: str,
    now: dt.datetime | None = None,
    scope: Scope | None = None,
) -> CaseEvent:
    scope = acting_scope(actor, scope)
    require(
        can(scope, case, "cases.manage") or can(scope, case, "cases.handle"),
        _("您没有为该事件添加备注的权限。"),
    )
    note = (note or "").strip()
    if not note:
        raise ServiceError(_("请填写备注内容。"), fields={"note": _("请填写备注内容。")})
    now = now or timezone.now()
    ev = _event(case, EventKind.NOTE, actor, now, note, public=False)
    audit(actor=actor, action="case.note", obj=case)
    return ev
