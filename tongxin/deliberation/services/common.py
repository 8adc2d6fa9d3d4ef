"""Helpers shared by the deliberation services (no public service here)."""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.utils.html import strip_tags
from django.utils.translation import gettext

from tongxin.accounts.models import Resident, User
from tongxin.accounts.selectors import lives_in
from tongxin.core.audit import audit
from tongxin.core.errors import ForbiddenError, ServiceError
from tongxin.core.scope import Scope, in_scope, require
from tongxin.deliberation import selectors
from tongxin.deliberation.models import Forum, Topic
from tongxin.sharing.text import mask_contacts


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)


def _public_text(text: str) -> tuple[str, bool]:
    """Public text as on the 共享小区 board: markup dropped, phone numbers and WeChat/QQ ids
    replaced; (text, whether anything was masked)."""
    plain = strip_tags(text).strip()
    masked, found = mask_contacts(plain)
    return masked, found or plain != text.strip()


def _as_self(actor: User | None, resident: Resident) -> None:
    if actor is None or resident.user_id != actor.pk:
        raise ForbiddenError(gettext("只能以本人的居民身份参与议事。"))


def _lives_in(resident: Resident, area_path: str) -> bool:
    return lives_in(resident, area_path)


def _require_forum(scope: Scope, forum: Forum) -> None:
    require(
        in_scope(Forum.objects.filter(selectors.reach_q(scope, selectors.MANAGE)), forum),
        gettext("该议事平台不在您的管辖范围内。"),
    )


def _require_topic(scope: Scope, topic: Topic) -> None:
    require(
        in_scope(Topic.objects.filter(selectors.reach_q(scope, selectors.MANAGE)), topic),
        gettext("该议题不在您的管辖范围内。"),
    )


def _audit(
    actor: User | None,
    action: str,
    obj: Model,
    forum_or_topic: Forum | Topic,
    diff: dict[str, Any] | None = None,
) -> None:
    audit(
        actor=actor,
        action=f"deliberation.{action}",
        obj=obj,
        diff=diff,
        org_path=forum_or_topic.host_org_path,
        area_path=forum_or_topic.area_path,
    )
