"""Reads of the accounts app: a user's own API tokens, the homes a resident may register at, the
resident profile of a signed-in user that the apps above share, and who the residents of a
place are."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext

from tongxin.accounts.models import ApiToken, Resident, User
from tongxin.core.errors import ServiceError
from tongxin.core.scope import subtree_q
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


def residents_of(area_path: str) -> QuerySet[Resident]:
    """The residents of a place (a village, community, compound or building, by its area path):
    those whose home lies in it. The one rule of "residents of the place" for every module (a
    deliberation vote's electorate, who may object to a power's 公示)."""
    return Resident.objects.filter(subtree_q("home__path", area_path))


def lives_in(resident: Resident, area_path: str) -> bool:
    """Whether a resident (with ``home`` loaded) is one of ``residents_of(area_path)``."""
    return resident.home.path.startswith(area_path)


def resident_of(
    user: AbstractBaseUser | AnonymousUser, related: tuple[str, ...] = ()
) -> Resident | None:
    """The signed-in user's resident profile (居民档案) with its home, or None (one query).
    ``related`` names further one-to-one relations of the profile that a page reads at once
    (an app above names its own, e.g. the deliberation household), read in the same query."""
    if not user.is_authenticated:
        return None
    resident = Resident.objects.select_related("home", *related).filter(user_id=user.pk).first()
    if resident is not None and isinstance(user, User):
        user.resident = resident  # later reads of user.resident on this request: no query
    return resident


def page_resident(
    request: HttpRequest, missing: str = "", related: tuple[str, ...] = ()
) -> Resident:
    """The resident profile of a resident page's user; without one the page answers 404 with
    ``missing`` (by default: 您还没有居民档案。). ``related``: as for ``resident_of``."""
    resident = resident_of(request.user, related)
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
