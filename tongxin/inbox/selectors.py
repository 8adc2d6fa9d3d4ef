"""Reads of the message centre. A user's inbox is theirs alone: every read filters by the
recipient, so another person's message is a 404 whatever grants the reader holds."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from tongxin.accounts.models import Reach, Role, RoleAssignment
from tongxin.inbox.models import InboxSettings, Message, MessageKind, Preference
from tongxin.inbox.services import badge_key

BADGE_SECONDS = 300
PATH_STEP = 4  # one level of an organization path


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


def holders_by_level(perm: str, paths: Iterable[str]) -> dict[str, list[list[int]]]:
    """For each organization path, the people who act on ``perm`` there, level by level from
    the organization itself up to the root (levels where nobody holds it left out): those
    holding an active organization-anchored role with the permission over that level's subtree
    (or over that very organization). Two queries for any number of paths."""
    paths = {p for p in paths if p}
    role_ids = [pk for pk, perms in Role.objects.values_list("pk", "permissions") if perm in perms]
    if not paths or not role_ids:
        return {}
    prefixes = {p[:end] for p in paths for end in range(PATH_STEP, len(p) + 1, PATH_STEP)}
    at: dict[str, tuple[set[int], set[int]]] = {}  # anchor path → (node holders, subtree)
    for anchor, reach, user_id in (
        RoleAssignment.objects.filter(
            role_id__in=role_ids, active=True, user__is_active=True, org__path__in=prefixes
        )
        .values_list("org__path", "reach", "user_id")
        .distinct()
    ):
        node, subtree = at.setdefault(anchor, (set(), set()))
        (subtree if reach == Reach.SUBTREE else node).add(user_id)
    out: dict[str, list[list[int]]] = {}
    for p in paths:
        levels = []
        for end in range(len(p), 0, -PATH_STEP):
            node, subtree = at.get(p[:end], (set(), set()))
            users = subtree | (node if end == len(p) else set())
            if users:
                levels.append(sorted(users))
        out[p] = levels
    return out


def nearest_holders(perm: str, paths: Iterable[str]) -> dict[str, list[int]]:
    """For each organization path, the people who act on ``perm`` at the nearest level that
    has any (the organization itself, else its parent, and so on up): a branch's approval goes
    to its own secretary, not to every holder up to the city."""
    return {p: levels[0] for p, levels in holders_by_level(perm, paths).items() if levels}


def delivered_keys(keys: Iterable[str]) -> set[str]:
    """Which of these event keys have reached anyone already: a periodic delivery skips them
    without building their messages (deliver itself stays idempotent per recipient)."""
    keys = list(keys)
    out: set[str] = set()
    for start in range(0, len(keys), 2000):
        out.update(
            Message.objects.filter(key__in=keys[start : start + 2000])
            .values_list("key", flat=True)
            .distinct()
        )
    return out
