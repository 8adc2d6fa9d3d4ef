"""Who is signed in, read once a minute rather than on every request.

With ``TONGXIN_SESSIONS=cache`` (a cluster with Redis: README, docs/operations.md) the session
lives in the shared cache and ``AccountBackend.get_user`` keeps the signed-in user there for
``TONGXIN_USER_CACHE_SECONDS``: a page then asks the primary nothing about who is signed in, and
its data reads can all go to a replica. A saved or deleted user is dropped from the cache at once
(``forget_user``, connected in ``AccountsConfig.ready``), so a deactivation or a new password takes
effect on the next request on every app server; a change that bypasses ``save()`` (a bulk
``update``) is seen within the cache time. Without the setting every request reads the user from
the primary, as Django does.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from tongxin.accounts.models import User

KEY = "tongxin:user:{}"


def user_cache_seconds() -> int:
    return int(getattr(settings, "TONGXIN_USER_CACHE_SECONDS", 0))


class AccountBackend(ModelBackend):
    """Django's model backend; the signed-in user comes from the shared cache when enabled."""

    def get_user(self, user_id: Any) -> Any:
        seconds = user_cache_seconds()
        if seconds <= 0:
            return super().get_user(user_id)
        key = KEY.format(user_id)
        user = cache.get(key)
        if user is None:
            user = super().get_user(user_id)
            if user is not None:
                cache.set(key, user, seconds)
        return user if user is not None and self.user_can_authenticate(user) else None


def forget_user(sender: Any, instance: User, **kwargs: Any) -> None:
    """A user was saved or deleted: the next request reads them again."""
    if user_cache_seconds() > 0:
        cache.delete(KEY.format(instance.pk))
