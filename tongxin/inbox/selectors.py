"""Reads of the message centre. A user's inbox is theirs alone: every read filters by the
recipient, so another person's message is a 404 whatever grants the reader holds."""

from __future__ import annotations

from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from tongxin.accounts.models import RoleAssignment
from tongxin.inbox.models import InboxSettings, Message, MessageKind, Preference
from tongxin.inbox.services import badge_key

BADGE_SECONDS = 300


def unread_count(user_id: int | None) -> int:
    """The badge: one indexed count, kept in the cache until a delivery or a read changes it."""
    if not user_id:
        return 0
    n = cache.get(badge_key(user_id))
    if n is None:
        n = Message.objects.filter(recipient_id=user_id, read_at__isnull=True).count()
        cache.set(badge_key(user_id), n, BADGE_SECONDS)
    return int(n)


def message_list(user_id: int | None, *, kind: str = "", unread: bool = False) -> QuerySet[Message]:
    qs = Message.objects.filter(recipient_id=user_id or 0)
    if kind in MessageKind.values:
        qs = qs.filter(kind=kind)
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return qs.order_by("-created_at", "-pk")


def get_message_for(user_id: int | None, pk: Any) -> Message:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404 from None
    msg = Message.objects.filter(recipient_id=user_id or 0, pk=pk).first()
    if msg is None:
        raise Http404
    return msg


def preferences_of(user_id: int) -> tuple[set[tuple[str, str]], InboxSettings | None]:
    enabled = set(
        Preference.objects.filter(user_id=user_id, enabled=True).values_list("kind", "channel")
    )
    return enabled, InboxSettings.objects.filter(user_id=user_id).first()


def recipients_at(org_ids: list[int] | set[int]) -> list[int]:
    """The people who act for these organizations: every user holding an active role
    assignment anchored at one of them (its secretary, its staff)."""
    return sorted(
        set(
            RoleAssignment.objects.filter(
                org_id__in=list(org_ids), active=True, user__is_active=True
            ).values_list("user_id", flat=True)
        )
    )
