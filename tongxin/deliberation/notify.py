"""The 消息中心 side of 协商议事: an action item (办) past its deadline and not done reaches the
people who follow the topic up, the handlers of the forum's host organization. A periodic task
(registered in deliberation.apps) delivers each overdue action once."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from tongxin.deliberation.models import ActionItem
from tongxin.deliberation.selectors import MANAGE
from tongxin.inbox.selectors import delivered_keys, nearest_holders
from tongxin.inbox.services import deliver


def overdue_actions(today: dt.date | None = None) -> int:
    """Deliver every overdue action not delivered before (set-based: the open overdue actions,
    the keys already delivered, the holders of their organizations — three reads whatever the
    number; then one delivery per new action). Returns how many messages were new."""
    today = today or timezone.localdate()
    rows = list(
        ActionItem.objects.filter(done_at__isnull=True, deadline__lt=today).values_list(
            "pk", "title", "deadline", "owner_name", "topic_id", "topic__host_org_path"
        )
    )
    done = delivered_keys(f"deliberation.action_overdue:{r[0]}" for r in rows)
    rows = [r for r in rows if f"deliberation.action_overdue:{r[0]}" not in done]
    holders = nearest_holders(MANAGE, {r[5] for r in rows})
    sent = 0
    for pk, title, deadline, owner, topic_id, path in rows:
        sent += deliver(
            recipients=holders.get(path, []),
            kind="overdue",
            key=f"deliberation.action_overdue:{pk}",
            title=gettext("议事办理事项逾期：%(title)s") % {"title": title},
            body=gettext("责任方：%(owner)s；完成期限：%(d)s。") % {"owner": owner, "d": deadline},
            link=reverse("deliberation:topic", args=[topic_id]),
            org_path=path,
        )
    return sent


@task()
def deliver_overdue_actions() -> int:
    """Periodic (registered in deliberation.apps); idempotent per action."""
    return overdue_actions()
