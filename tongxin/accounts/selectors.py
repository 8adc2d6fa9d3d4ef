"""Reads of accounts: a user's own API tokens, the homes a resident may register at."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext

from tongxin.accounts.models import ApiToken, User
from tongxin.geo.models import Area
from tongxin.geo.selectors import RESIDENCE_LEVELS


def api_token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def get_api_token_for(*, user: User, pk: int) -> ApiToken:
    """A user manages only their own tokens; anything else is 404."""
    try:
        return ApiToken.objects.get(pk=pk, user=user, revoked_at__isnull=True)
    except ApiToken.DoesNotExist:
        raise Http404(gettext("令牌不存在。")) from None


def home_choices(text: str = "") -> QuerySet[Area]:
    """Compounds and buildings a resident may call home; narrowed by a name search."""
    qs = Area.objects.filter(level__in=RESIDENCE_LEVELS)
    if text.strip():
        qs = qs.filter(name__contains=text.strip())
    return qs.order_by("path")
