"""消息中心's stranger cases (see tests/stranger.py): charlie acts on bob's inbox."""

from __future__ import annotations

from typing import Any

from tests.stranger import case, not_acting
from tongxin.core.scope import scope_for_user
from tongxin.inbox import services
from tongxin.inbox.models import Message

for _name, _why in {
    "deliver": "called by the owning app's service after its own checks; no user acts on it",
    "dispatch_pending": "the task queue's sender of email and SMS copies",
    "send_digests": "the daily digest task",
    "badge_key": "a pure helper naming a cache key",
    "quiet_until": "a pure helper computing when quiet hours end",
}.items():
    not_acting(f"tongxin.inbox.services.{_name}", _why)


def _bobs_message(world: dict[str, Any]) -> Message:
    services.deliver(recipients=[world["bob"]], kind="notice", key="t:1", title="通知")
    return Message.objects.get(recipient=world["bob"], key="t:1")


@case("tongxin.inbox.services.message_mark_read")
def _mark_read(world: dict[str, Any]) -> Any:
    msg = _bobs_message(world)
    yield
    charlie = world["charlie"]
    services.message_mark_read(actor=charlie, scope=scope_for_user(charlie), message=msg)


@case("tongxin.inbox.services.messages_mark_all_read")
def _mark_all(world: dict[str, Any]) -> Any:
    _bobs_message(world)
    yield
    charlie = world["charlie"]
    services.messages_mark_all_read(actor=charlie, scope=scope_for_user(charlie), user=world["bob"])


@case("tongxin.inbox.services.preferences_set")
def _prefs(world: dict[str, Any]) -> Any:
    charlie = world["charlie"]
    services.preferences_set(
        actor=charlie, scope=scope_for_user(charlie), user=world["bob"], enabled={("case", "sms")}
    )
