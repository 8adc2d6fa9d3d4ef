"""The rules every write to cases shares: the state machine, the limits of a report, the
checks of its texts, its deadline, and the one writer of a case's timeline events.

The state machine lives in ``TRANSITIONS``: action -> (states it may start from, state it
leads to, the permission it needs). ``case_transition`` (services.workflow) refuses any other
move with a ConflictError naming the case's state and what may be done instead.
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from tongxin.accounts.models import User
from tongxin.cases.models import (
    Case,
    CaseEvent,
    Category,
)
from tongxin.cases.selectors import (
    GRID_STEP,
)
from tongxin.core.audit import saved_user
from tongxin.core.errors import ServiceError

MAX_DESCRIPTION = 4000
MAX_REPLY = 300  # CaseEvent.reply and Case.status_note
MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTOS = 6
REPORT_LEVELS = ("community", "compound", "building")
HTML_TAG = re.compile(r"<\s*/?\s*[a-zA-Z!][^>]*>")
# C0 control characters and DEL, except tab and line breaks.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

# action -> (from states, to state, permission)
TRANSITIONS: dict[str, tuple[tuple[str, ...], str, str]] = {
    # 网格呼叫: the grid worker confirms a report and calls the street in (镇街响应 follows).
    "grid_call": (("reported",), "called", GRID_STEP),
    # 就地解决: a trivial matter settled on the spot; the street still verifies it.
    "grid_resolve": (("reported",), "resolved", GRID_STEP),
    "accept": (("reported", "called", "escalated"), "accepted", "cases.manage"),
    "dispatch": (("accepted", "returned", "escalated"), "dispatched", "cases.manage"),
    "claim": (("dispatched",), "claimed", "cases.handle"),
    "return": (("dispatched", "claimed"), "returned", "cases.handle"),
    "resolve": (("claimed",), "resolved", "cases.handle"),
    "verify": (("resolved",), "verified", "cases.manage"),
    # 核查不通过: back to the department (or, after 就地解决, to the street: REJECT_ON_SPOT).
    "reject": (("resolved",), "claimed", "cases.manage"),
    "close": (("verified",), "closed", "cases.manage"),
    # 吹哨: the street calls the level above in; that level accepts or dispatches it again.
    "escalate": (
        ("reported", "called", "accepted", "returned", "dispatched", "claimed"),
        "escalated",
        "cases.manage",
    ),
    "cancel": (("reported", "called", "accepted", "returned"), "cancelled", "cases.manage"),
}
# An on-the-spot resolution no department ever claimed: a failed check sends the case to the
# street's 待派遣 inbox rather than to a department.
REJECT_ON_SPOT = "accepted"

# Lazy: shown in the user's language when a page or a refusal is built.
ACTION_LABELS = {
    "grid_call": _lazy("网格呼叫"),
    "grid_resolve": _lazy("就地解决"),
    "accept": _lazy("受理"),
    "dispatch": _lazy("派遣"),
    "claim": _lazy("部门报到"),
    "return": _lazy("退回"),
    "resolve": _lazy("办结"),
    "verify": _lazy("核查通过"),
    "reject": _lazy("核查不通过"),
    "close": _lazy("结案"),
    "escalate": _lazy("吹哨上报"),
    "cancel": _lazy("撤销"),
}
MERGEABLE_STATES = ("reported", "called", "accepted")
# Moves whose note must say why.
NOTE_REQUIRED = {"return", "reject", "escalate", "cancel", "resolve", "grid_call", "grid_resolve"}


def deadline_for(category: Category, priority: str, start: dt.datetime) -> dt.datetime:
    return start + dt.timedelta(hours=category.hours_for(priority))


def _event(
    case: Case,
    kind: str,
    actor: User | None,
    at: dt.datetime,
    note: str = "",
    from_state: str = "",
    public: bool = True,
    reply: str = "",
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        actor=saved_user(actor),
        at=at,
        from_state=from_state,
        to_state=case.state,
        note=note[:500],
        public=public,
        reply=reply[:MAX_REPLY],
    )


def validate_reply(reply: str) -> str:
    """答复居民: the public reply of a step, shown to the resident and through Open311."""
    reply = (reply or "").strip()
    if len(reply) > MAX_REPLY:
        msg = _("答复居民最多%(n)s字，请精简后再提交。") % {"n": MAX_REPLY}
        raise ServiceError(msg, fields={"reply": msg})
    if HTML_TAG.search(reply):
        msg = _("答复居民不能包含 HTML 标签，请只填写文字。")
        raise ServiceError(msg, fields={"reply": msg})
    if CONTROL_CHARS.search(reply):
        msg = _("答复居民不能包含控制字符（如 NUL），请只填写文字。")
        raise ServiceError(msg, fields={"reply": msg})
    return reply


def validate_description(description: str) -> str:
    description = (description or "").strip()
    if not description:
        raise ServiceError(_("请描述遇到的问题。"), fields={"description": _("请描述遇到的问题。")})
    if len(description) > MAX_DESCRIPTION:
        msg = _("问题描述最多4000字，请精简后再提交。")
        raise ServiceError(msg, fields={"description": msg})
    if HTML_TAG.search(description):
        msg = _("问题描述不能包含 HTML 标签，请只填写文字。")
        raise ServiceError(msg, fields={"description": msg})
    return description
