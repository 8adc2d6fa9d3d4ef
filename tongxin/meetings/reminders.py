"""Meeting reminders in the 消息中心: 24 hours before a planned meeting, every member of the
organization (its subtree: a branch's groups) who has an account hears of it, once."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core.scope import subtree_q
from tongxin.inbox.services import deliver
from tongxin.meetings.checks import starts_at
from tongxin.meetings.models import Meeting, MeetingStatus

AHEAD = dt.timedelta(hours=24)


def remind_upcoming(*, now: dt.datetime | None = None) -> int:
    """Idempotent (one message per meeting and person); run every 15 minutes."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    meetings = Meeting.objects.filter(
        status=MeetingStatus.PLANNED, date__range=(today, today + dt.timedelta(days=1))
    ).only("pk", "org_path", "title", "date", "start_time", "location")
    for m in meetings:
        start = starts_at(m.date, m.start_time)
        if not now < start <= now + AHEAD:
            continue
        users = User.objects.filter(is_active=True).filter(
            subtree_q("member__org_path", m.org_path)
        )
        when = timezone.localtime(start).strftime("%m-%d %H:%M")
        sent += deliver(
            recipients=list(users.values_list("pk", flat=True)),
            kind="meeting",
            key=f"meetings.reminder:{m.pk}",
            title=gettext("会议提醒：%(when)s %(title)s") % {"when": when, "title": m.title},
            body=m.location,
            link=reverse("meetings:detail", args=[m.pk]),
            org_path=m.org_path,
        )
    return sent
