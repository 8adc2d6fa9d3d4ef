from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import ApiToken, User
from tongxin.core.audit import audit
from tongxin.core.errors import ServiceError


@transaction.atomic
def api_token_create(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its clear key, which is shown once and never stored."""
    if not name.strip():
        message = gettext("请填写令牌用途。")
        raise ServiceError(message, fields={"name": message})
    raw, prefix, key_hash = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=prefix, key_hash=key_hash)
    audit(actor=actor, action="accounts.token_create", obj=token)
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> None:
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit(actor=actor, action="accounts.token_revoke", obj=token)


def api_token_list(*, user: User):  # type: ignore[no-untyped-def]
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def get_api_token_for(*, user: User, pk: int) -> ApiToken:
    """A user manages only their own tokens; anything else is 404."""
    from django.http import Http404

    try:
        return ApiToken.objects.get(pk=pk, user=user, revoked_at__isnull=True)
    except ApiToken.DoesNotExist:
        raise Http404(gettext("令牌不存在。")) from None


def api_token_user(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user
