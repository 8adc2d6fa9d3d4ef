"""The 消息中心 side of 互助金: an application waiting for the branch reaches the branch's
reviewers (aid.review), one waiting for the committee reaches the committee (aid.decide) at the
fund's organization. A periodic task (registered in aid.apps) delivers each step once."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext
from django_tasks import task

from tongxin.aid.models import AidApplication, Status
from tongxin.aid.roles import DECIDE, REVIEW
from tongxin.inbox.selectors import delivered_keys, nearest_holders
from tongxin.inbox.services import deliver


def _key(pk: int, status: str) -> str:
    return f"aid.application:{pk}:{status}"


def waiting_applications() -> int:
    """Set-based: the waiting applications, the keys already delivered, the holders at their
    organizations; then one delivery per new (application, step). Only the kind of aid is in
    the title: the approver opens the application for the rest."""
    rows = list(
        AidApplication.objects.filter(status__in=(Status.SUBMITTED, Status.REVIEWED)).values_list(
            "pk", "status", "org_path", "fund__org_path", "kind__name"
        )
    )
    done = delivered_keys(_key(r[0], r[1]) for r in rows)
    rows = [r for r in rows if _key(r[0], r[1]) not in done]
    review = nearest_holders(REVIEW, {r[2] for r in rows if r[1] == Status.SUBMITTED})
    decide = nearest_holders(DECIDE, {r[3] for r in rows if r[1] == Status.REVIEWED})
    sent = 0
    for pk, status, path, fund_path, kind in rows:
        if status == Status.SUBMITTED:
            who, at = review.get(path, []), path
            title = gettext("互助金申请待支部审核：%(kind)s") % {"kind": kind}
        else:
            who, at = decide.get(fund_path, []), fund_path
            title = gettext("互助金申请待管委会审批：%(kind)s") % {"kind": kind}
        sent += deliver(
            recipients=who,
            kind="approval",
            key=_key(pk, status),
            title=title,
            link=reverse("aid:application", args=[pk]),
            org_path=at,
        )
    return sent


@task()
def deliver_waiting_applications() -> int:
    """Periodic (registered in aid.apps); idempotent per application and step."""
    return waiting_applications()
