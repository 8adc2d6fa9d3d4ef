"""The 消息中心 side of 事件: a department hears of a case handed to it, a resident of the
reply to their report."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from tongxin.cases.models import AgencyMember, Case
from tongxin.inbox.services import deliver


def handed(case: Case) -> int:
    """派遣: every handler of the agency the case was dispatched to (once per dispatch)."""
    if case.agency_id is None:
        return 0
    users = AgencyMember.objects.filter(agency_id=case.agency_id).values_list("user_id", flat=True)
    stamp = case.dispatched_at.isoformat() if case.dispatched_at else ""
    return deliver(
        recipients=list(users),
        kind="case",
        key=f"cases.dispatch:{case.pk}:{case.agency_id}:{stamp}",
        title=gettext("事件交办：%(title)s") % {"title": case.title},
        link=reverse("cases:detail", args=[case.pk]),
    )


def replied(case: Case, reply: str, event_id: int) -> int:
    """答复居民: the resident who reported the case reads the public reply (nothing else)."""
    resident_user = case.resident.user_id if case.resident_id and case.resident else None
    if resident_user is None:
        return 0
    return deliver(
        recipients=[resident_user],
        kind="reply",
        key=f"cases.reply:{event_id}",
        title=gettext("您反映的问题有了答复：%(title)s") % {"title": case.title},
        body=reply,
        link=reverse("cases:mine_detail", args=[case.pk]),
    )
