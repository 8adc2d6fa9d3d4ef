"""The unread badge in the top bar and on the phone tab bar: computed only when a template
shows it (a callable), one cached count."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from tongxin.inbox.selectors import unread_count


def badge(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"inbox_unread": lambda: unread_count(user.pk)}
