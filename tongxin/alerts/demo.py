"""The warnings' demo: one sweep over the loaded town (after every module's demo but the
cockpit's), so that the demo opens with warnings in the list, on the 工作台 and in the inboxes.
The clock is the demo's day at 09:00, so the same seed opens the same warnings."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tongxin.alerts.models import Alert
from tongxin.alerts.services import sweep
from tongxin.core.demodata import DemoContext


def load(ctx: DemoContext) -> None:
    now = timezone.make_aware(dt.datetime.combine(ctx.today, dt.time(9)))
    stats = sweep(now=now)
    ctx.say(f"预警：{stats.get('opened', 0)} 条预警，{stats.get('delivered', 0)} 条消息送达")


def wipe() -> None:
    # Warnings point at organizations (which the reset removes); the rules stay.
    Alert.objects.all().delete()
