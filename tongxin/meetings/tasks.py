from __future__ import annotations

from django_tasks import task

from tongxin.meetings.reminders import remind_upcoming


@task()
def remind_meetings() -> int:
    """Periodic (registered in meetings.apps): reminders 24 h before; idempotent."""
    return remind_upcoming()
