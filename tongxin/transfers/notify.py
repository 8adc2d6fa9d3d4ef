"""The 消息中心 side of 转接: the organization whose turn it is to approve hears of it."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext

from tongxin.inbox.selectors import recipients_at
from tongxin.inbox.services import deliver
from tongxin.transfers.models import Transfer


def turn(t: Transfer) -> int:
    """Deliver 'a transfer waits for you' to the people of the step whose turn it is (once
    per transfer and step)."""
    step = t.steps.filter(position=t.current_step).values("org_id", "org_path").first()
    if step is None:
        return 0
    return deliver(
        recipients=recipients_at([step["org_id"]]),
        kind="transfer",
        key=f"transfers.step:{t.pk}:{t.current_step}",
        title=gettext("组织关系转接待审批：%(name)s") % {"name": t.member.name},
        link=reverse("transfers:detail", args=[t.pk]),
        org_path=step["org_path"],
    )
