"""The 消息中心 side of 考评: an appeal against a 千分制 score reaches the assessor (the people
who manage the organization that set the indicators, orgs.manage, nearest level); a 整改 item
three days before its deadline, and again when it is overdue, reaches its owner (the reporting
organization's people, or the members of the reporting department). A periodic task
(registered in appraisal.apps) delivers each event once."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from tongxin.appraisal.models import Appeal, AppealStatus, ItemStatus, RectificationItem
from tongxin.appraisal.selectors import MANAGE
from tongxin.cases.models import AgencyMember
from tongxin.inbox.selectors import delivered_keys, nearest_holders
from tongxin.inbox.services import deliver

DUE_SOON_DAYS = 3


def open_appeals() -> int:
    """Set-based: the open appeals, the keys already delivered, the assessors; then one
    delivery per new appeal."""
    rows = list(
        Appeal.objects.filter(status=AppealStatus.OPEN).values_list(
            "pk", "assessment_id", "assessment__org__name", "assessment__indicator_set__org__path"
        )
    )
    done = delivered_keys(f"appraisal.appeal:{r[0]}" for r in rows)
    rows = [r for r in rows if f"appraisal.appeal:{r[0]}" not in done]
    holders = nearest_holders(MANAGE, {r[3] for r in rows})
    sent = 0
    for pk, assessment_id, org_name, path in rows:
        sent += deliver(
            recipients=holders.get(path, []),
            kind="appeal",
            key=f"appraisal.appeal:{pk}",
            title=gettext("千分制考评申诉待处理：%(org)s") % {"org": org_name},
            link=reverse("appraisal:assessment", args=[assessment_id]),
            org_path=path,
        )
    return sent


def rectification_due(today: dt.date | None = None) -> int:
    """整改 items due within DUE_SOON_DAYS ("due") or past their deadline ("overdue"): each
    stage delivered once per item."""
    today = today or timezone.localdate()
    rows = list(
        RectificationItem.objects.filter(
            status=ItemStatus.OPEN, deadline__lte=today + dt.timedelta(days=DUE_SOON_DAYS)
        ).values_list(
            "pk", "title", "deadline", "reporter_id", "reporter__org__path", "reporter__agency_id"
        )
    )

    def key(r: tuple) -> str:
        return f"appraisal.rectify:{r[0]}:{'overdue' if r[2] < today else 'due'}"

    done = delivered_keys(key(r) for r in rows)
    rows = [r for r in rows if key(r) not in done]
    holders = nearest_holders(MANAGE, {r[4] for r in rows if r[4]})
    agencies: dict[int, list[int]] = {}
    for agency_id, user_id in AgencyMember.objects.filter(
        agency_id__in={r[5] for r in rows if r[5]}
    ).values_list("agency_id", "user_id"):
        agencies.setdefault(agency_id, []).append(user_id)
    sent = 0
    for r in rows:
        _pk, title, deadline, reporter_id, path, agency_id = r
        who = holders.get(path, []) if path else agencies.get(agency_id, [])
        text = (
            gettext("整改事项已逾期：%(title)s")
            if deadline < today
            else gettext("整改事项即将到期：%(title)s")
        )
        sent += deliver(
            recipients=who,
            kind="overdue",
            key=key(r),
            title=text % {"title": title},
            body=gettext("完成时限：%(d)s。") % {"d": deadline},
            link=reverse("appraisal:reporter", args=[reporter_id]),
            org_path=path or "",
        )
    return sent


@task()
def deliver_appraisal_reminders() -> dict[str, int]:
    """Periodic (registered in appraisal.apps); idempotent per appeal and per item's stage."""
    return {"appeals": open_appeals(), "rectification": rectification_due()}
