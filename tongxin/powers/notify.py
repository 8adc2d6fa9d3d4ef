"""The 消息中心 side of 小微权力清单: an objection filed during a 公示 reaches the handlers of
the instance's organization (powers.manage, nearest level), who must answer it before the
instance goes on. A periodic task (registered in powers.apps) delivers each objection once."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from django_tasks import task

from tongxin.inbox.selectors import delivered_keys, nearest_holders
from tongxin.inbox.services import deliver
from tongxin.powers.models import Objection
from tongxin.powers.selectors import MANAGE


def _key(pk: int) -> str:
    return f"powers.objection:{pk}"


def open_objections() -> int:
    """Set-based: the unanswered objections, the keys already delivered, the holders at their
    organizations; then one delivery per new objection. The objector's name is not sent."""
    rows = list(
        Objection.objects.filter(answered_at__isnull=True).values_list(
            "pk", "instance_id", "instance__title", "instance__org_path"
        )
    )
    done = delivered_keys(_key(r[0]) for r in rows)
    rows = [r for r in rows if _key(r[0]) not in done]
    holders = nearest_holders(MANAGE, {r[3] for r in rows})
    sent = 0
    for pk, instance_id, title, path in rows:
        sent += deliver(
            recipients=holders.get(path, []),
            kind="objection",
            key=_key(pk),
            title=gettext("公示期收到异议，请答复：%(title)s") % {"title": title},
            link=reverse("powers:instance", args=[instance_id]),
            org_path=path,
        )
    return sent


@task()
def deliver_open_objections() -> int:
    """Periodic (registered in powers.apps); idempotent per objection."""
    return open_objections()
