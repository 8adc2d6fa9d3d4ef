"""Reads of the accounts app that the apps above it share."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext

from tongxin.accounts.models import Resident, User
from tongxin.core.errors import ServiceError


def resident_of(user: AbstractBaseUser | AnonymousUser) -> Resident | None:
    """The signed-in user's resident profile (居民档案) with its home, or None (one query)."""
    if not user.is_authenticated:
        return None
    resident = Resident.objects.select_related("home").filter(user_id=user.pk).first()
    if resident is not None and isinstance(user, User):
        user.resident = resident  # later reads of user.resident on this request: no query
    return resident


def page_resident(request: HttpRequest, missing: str = "") -> Resident:
    """The resident profile of a resident page's user; without one the page answers 404 with
    ``missing`` (by default: 您还没有居民档案。)."""
    resident = resident_of(request.user)
    if resident is None:
        raise Http404(missing or gettext("您还没有居民档案。"))
    return resident


def api_resident(request: HttpRequest, missing: str | Promise) -> Resident:
    """The resident profile of an API caller; without one a refusal (code ``no_resident``)
    whose message ``missing`` says what the profile is needed for."""
    resident = resident_of(request.user)
    if resident is None:
        raise ServiceError(str(missing), code="no_resident")
    return resident
