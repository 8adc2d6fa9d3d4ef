"""The 消息中心 side of 锋领指数: a manual award or a member's own claim waiting for approval
reaches the people who manage the member's organization (members.manage, the nearest level
with someone other than the proposer). A periodic task (registered in points.apps) delivers
each once."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from django_tasks import task

from tongxin.inbox.selectors import delivered_keys, holders_by_level
from tongxin.inbox.services import deliver
from tongxin.points.models import AwardState, ManualAward

APPROVE = "members.manage"


def _key(pk: int) -> str:
    return f"points.award:{pk}"


def waiting_awards() -> int:
    """Set-based: the pending awards, the keys already delivered, the holders at their
    organizations; then one delivery per new award."""
    rows = list(
        ManualAward.objects.filter(state=AwardState.PENDING).values_list(
            "pk", "member_org_path", "proposed_by_id", "rule__label", "is_claim"
        )
    )
    done = delivered_keys(_key(r[0]) for r in rows)
    rows = [r for r in rows if _key(r[0]) not in done]
    levels = holders_by_level(APPROVE, {r[1] for r in rows})
    sent = 0
    for pk, path, proposer, label, is_claim in rows:
        title = (
            gettext("党员积分申报待审批：%(rule)s")
            if is_claim
            else gettext("积分奖励待审批：%(rule)s")
        )
        # The nearest level with someone other than the proposer: a secretary's own proposal
        # goes to the level above.
        who = next(
            (
                rest
                for users in levels.get(path, [])
                if (rest := [u for u in users if u != proposer])
            ),
            [],
        )
        sent += deliver(
            recipients=who,
            kind="approval",
            key=_key(pk),
            title=title % {"rule": label},
            link=reverse("points:awards"),
            org_path=path,
        )
    return sent


@task()
def deliver_waiting_awards() -> int:
    """Periodic (registered in points.apps); idempotent per award."""
    return waiting_awards()
