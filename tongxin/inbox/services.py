"""Every write of the message centre.

``deliver`` is how any app puts a message in people's inboxes (called by the owning app's own
service after its own checks: the app decides who must act, the inbox only stores and sends).
It is idempotent per recipient and event key: a second delivery of the same event is a no-op.
The copies by email or SMS go through the task queue (``tasks.dispatch``): each is sent once,
retried with a growing pause when the channel fails, and marked failed after MAX_ATTEMPTS; the
in-app message is there from the start whatever happens to the copies.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.core.audit import audit
from tongxin.core.errors import ServiceError
from tongxin.core.scope import Scope, require
from tongxin.inbox import channels
from tongxin.inbox.models import (
    EXTERNAL,
    Channel,
    Delivery,
    DeliveryState,
    DigestSent,
    InboxSettings,
    Message,
    MessageKind,
    Preference,
)

log = logging.getLogger("tongxin.inbox")

MAX_ATTEMPTS = 3
BATCH = 2000
LEASE = dt.timedelta(minutes=10)  # a claimed delivery is not claimed again before this


def badge_key(user_id: int) -> str:
    return f"inbox:unread:{user_id}"


def _forget_badges(user_ids: Iterable[int]) -> None:
    keys = [badge_key(uid) for uid in user_ids]
    for start in range(0, len(keys), BATCH):
        cache.delete_many(keys[start : start + BATCH])


def _ids(recipients: Iterable[Any]) -> list[int]:
    return sorted({r if isinstance(r, int) else r.pk for r in recipients if r is not None})


def quiet_until(settings_row: InboxSettings | None, now: dt.datetime) -> dt.datetime:
    """When an outside-channel message may leave: now, or the end of the user's quiet hours."""
    if settings_row is None or settings_row.quiet_start is None or settings_row.quiet_end is None:
        return now
    local = timezone.localtime(now)
    start, end, t = settings_row.quiet_start, settings_row.quiet_end, local.time()
    quiet = start <= t < end if start < end else (t >= start or t < end)
    if not quiet:
        return now
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if until <= local:
        until += dt.timedelta(days=1)
    return until


def deliver(
    *,
    recipients: Iterable[Any],
    kind: str,
    key: str,
    title: str,
    body: str = "",
    link: str = "",
    org_path: str = "",
    now: dt.datetime | None = None,
) -> int:
    """Put one message about one event in each recipient's inbox (users or user ids); returns
    how many were new. Outside-channel copies follow each recipient's preferences."""
    if kind not in MessageKind.values:
        raise ValueError(f"unknown message kind {kind!r}")
    now = now or timezone.now()
    ids = _ids(recipients)
    new: list[int] = []
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            chunk = ids[start : start + BATCH]
            have = set(
                Message.objects.filter(key=key, recipient_id__in=chunk).values_list(
                    "recipient_id", flat=True
                )
            )
            fresh = [uid for uid in chunk if uid not in have]
            Message.objects.bulk_create(
                [
                    Message(
                        recipient_id=uid,
                        kind=kind,
                        key=key,
                        title=title[:200],
                        body=body,
                        link=link[:300],
                        org_path=org_path,
                        created_at=now,
                    )
                    for uid in fresh
                ],
                ignore_conflicts=True,  # a delivery racing this one: the constraint keeps one
            )
            new.extend(fresh)
        queued = _queue_outside_copies(new, kind, key, now) if new else 0
    _forget_badges(new)
    if queued:
        transaction.on_commit(_enqueue_dispatch)
    return len(new)


def _enqueue_dispatch() -> None:
    # The task module imports this one: imported here to keep the module graph one-way.
    from tongxin.inbox.tasks import dispatch

    dispatch.enqueue()


def _queue_outside_copies(user_ids: list[int], kind: str, key: str, now: dt.datetime) -> int:
    wanted: dict[int, list[str]] = {}
    for uid, channel in Preference.objects.filter(
        user_id__in=user_ids, kind=kind, channel__in=EXTERNAL, enabled=True
    ).values_list("user_id", "channel"):
        wanted.setdefault(uid, []).append(channel)
    if not wanted:
        return 0
    rows = {s.user_id: s for s in InboxSettings.objects.filter(user_id__in=list(wanted))}
    messages = dict(
        Message.objects.filter(key=key, recipient_id__in=list(wanted)).values_list(
            "recipient_id", "pk"
        )
    )
    deliveries = []
    for uid, chosen in wanted.items():
        row = rows.get(uid)
        for channel in chosen:
            if channel == Channel.EMAIL and row is not None and row.digest:
                continue  # this user reads email once a day: the digest carries it
            deliveries.append(
                Delivery(
                    message_id=messages[uid], channel=channel, not_before=quiet_until(row, now)
                )
            )
    Delivery.objects.bulk_create(deliveries, ignore_conflicts=True)
    return len(deliveries)


def dispatch_pending(*, now: dt.datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Send the outside-channel copies that are due (the task queue runs this): each is
    claimed before it is sent, so two workers never send the same copy."""
    now = now or timezone.now()
    out = {"sent": 0, "retry": 0, "failed": 0}
    due = list(
        Delivery.objects.filter(state=DeliveryState.PENDING, not_before__lte=now)
        .order_by("not_before", "pk")
        .values_list("pk", "attempts")[:limit]
    )
    for pk, attempts in due:
        claimed = Delivery.objects.filter(
            pk=pk, state=DeliveryState.PENDING, attempts=attempts
        ).update(attempts=F("attempts") + 1, not_before=now + LEASE)
        if not claimed:
            continue  # another worker has it
        d = Delivery.objects.select_related("message__recipient").get(pk=pk)
        msg = d.message
        try:
            channels.send(d.channel, msg.recipient, msg.title, msg.link)
        except channels.NoAddress as exc:
            d.state, d.last_error = DeliveryState.FAILED, str(exc)[:300]
            out["failed"] += 1
        except Exception as exc:  # any gateway error: try again later, up to MAX_ATTEMPTS
            log.warning("inbox delivery %s via %s failed: %s", pk, d.channel, exc)
            d.last_error = str(exc)[:300] or type(exc).__name__
            if d.attempts >= MAX_ATTEMPTS:
                d.state = DeliveryState.FAILED
                out["failed"] += 1
            else:
                d.not_before = now + dt.timedelta(minutes=5 * 2 ** (d.attempts - 1))
                out["retry"] += 1
        else:
            d.state, d.sent_at, d.last_error = DeliveryState.SENT, now, ""
            out["sent"] += 1
        d.save(update_fields=["state", "sent_at", "last_error", "not_before"])
    return out


def send_digests(*, now: dt.datetime | None = None) -> int:
    """Once a day: one email per user who chose the digest, listing their unread messages of
    the last day. Idempotent per user and day."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    since = now - dt.timedelta(days=1)
    sent = 0
    for row in InboxSettings.objects.filter(digest=True).select_related("user"):
        user = row.user
        if not user.email or DigestSent.objects.filter(user=user, day=day).exists():
            continue
        titles = list(
            Message.objects.filter(recipient=user, read_at__isnull=True, created_at__gte=since)
            .order_by("-created_at")
            .values_list("title", flat=True)[:50]
        )
        if not titles:
            continue
        _, created = DigestSent.objects.get_or_create(
            user=user, day=day, defaults={"count": len(titles)}
        )
        if not created:
            continue
        subject = gettext("同心每日消息摘要：%(n)d 条未读") % {"n": len(titles)}
        try:
            channels.send_mail_text(subject, "\n".join(f"· {t}" for t in titles), user.email)
        except Exception as exc:  # the inbox still holds every message
            log.warning("digest to user %s failed: %s", user.pk, exc)
            continue
        sent += 1
    return sent


def _own(actor: AbstractBaseUser | None, user_id: int) -> None:
    require(actor is not None and actor.pk == user_id, gettext("只能处理自己的消息。"))


@transaction.atomic
def message_mark_read(
    *, actor: AbstractBaseUser | None, scope: Scope | None, message: Message
) -> Message:
    _own(actor, message.recipient_id)
    if message.read_at is None:
        message.read_at = timezone.now()
        message.save(update_fields=["read_at"])
        audit(actor=actor, action="inbox.read", obj=message, org_path=message.org_path)
    _forget_badges([message.recipient_id])
    return message


@transaction.atomic
def messages_mark_all_read(
    *, actor: AbstractBaseUser | None, scope: Scope | None, user: Any, kind: str = ""
) -> int:
    _own(actor, user.pk)
    if kind and kind not in MessageKind.values:
        raise ServiceError(
            gettext("消息类型无效，请从列表中选择。"),
            fields={"kind": gettext("没有这个消息类型。")},
        )
    qs = Message.objects.filter(recipient_id=user.pk, read_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    n = qs.update(read_at=timezone.now())
    if n:
        audit(actor=actor, action="inbox.read_all", obj=user, diff={"count": n, "kind": kind})
    _forget_badges([user.pk])
    return n


@transaction.atomic
def preferences_set(
    *,
    actor: AbstractBaseUser | None,
    scope: Scope | None,
    user: Any,
    enabled: set[tuple[str, str]],
    quiet_start: dt.time | None = None,
    quiet_end: dt.time | None = None,
    digest: bool = False,
) -> InboxSettings:
    """A user's own choice: which kinds reach them by email or SMS, quiet hours, the digest."""
    require(actor is not None and actor.pk == user.pk, gettext("只能修改自己的消息设置。"))
    for kind, channel in enabled:
        if kind not in MessageKind.values or channel not in EXTERNAL:
            raise ServiceError(gettext("消息类型或渠道无效，请从列表中选择。"))
    if (quiet_start is None) != (quiet_end is None):
        raise ServiceError(
            gettext("免打扰时段要同时填写开始和结束时间。"),
            fields={
                "quiet_end" if quiet_end is None else "quiet_start": gettext("请填写这个时间。")
            },
        )
    if quiet_start is not None and quiet_start == quiet_end:
        raise ServiceError(
            gettext("免打扰的开始和结束时间不能相同。"),
            fields={"quiet_end": gettext("请填写与开始不同的时间。")},
        )
    Preference.objects.filter(user_id=user.pk).delete()
    Preference.objects.bulk_create(
        [Preference(user_id=user.pk, kind=k, channel=c, enabled=True) for k, c in sorted(enabled)]
    )
    row, _ = InboxSettings.objects.update_or_create(
        user_id=user.pk,
        defaults={"quiet_start": quiet_start, "quiet_end": quiet_end, "digest": digest},
    )
    audit(
        actor=actor,
        action="inbox.preferences",
        obj=user,
        diff={"enabled": sorted(f"{k}:{c}" for k, c in enabled), "digest": digest},
    )
    return row
