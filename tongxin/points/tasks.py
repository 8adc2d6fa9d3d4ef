from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from tongxin.core.scope import Scope
from tongxin.points.services import points_collect


@task()
def collect_points() -> dict[str, int]:
    """Periodic (registered in points.apps): the last 70 days of every activity source into
    the ledger; idempotent (the source keys make a second run write nothing)."""
    today = timezone.localdate()
    return points_collect(
        actor=None,
        scope=Scope.everything(),
        start=today - dt.timedelta(days=70),
        end=today + dt.timedelta(days=1),
    )
