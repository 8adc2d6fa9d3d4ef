"""The 消息中心 side of 党群服务中心: the people running a centre hear of a new booking."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.centers.models import Booking
from tongxin.inbox.selectors import recipients_at
from tongxin.inbox.services import deliver


def booked(booking: Booking) -> int:
    center = booking.center
    what = booking.room.name if booking.room else booking.item.name if booking.item else ""
    when = timezone.localtime(booking.start).strftime("%m-%d %H:%M")
    return deliver(
        recipients=recipients_at([center.org_id]),
        kind="booking",
        key=f"centers.booking:{booking.pk}",
        title=gettext("新的预约：%(what)s %(when)s") % {"what": what, "when": when},
        body=booking.purpose,
        link=reverse("centers:detail", args=[center.pk]),
        org_path=center.org_path,
    )
