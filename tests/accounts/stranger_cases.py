"""Stranger cases of tongxin.accounts.services (see tests/stranger.py)."""

from __future__ import annotations

from typing import Any

from tests.stranger import case, not_acting
from tongxin.accounts import services


@case("tongxin.accounts.services.api_token_create")
def _(world: dict[str, Any]) -> Any:
    services.api_token_create(actor=world["charlie"], user=world["alice"], name="代取")


@case("tongxin.accounts.services.api_token_revoke")
def _(world: dict[str, Any]) -> Any:
    token, _key = services.api_token_create(actor=world["alice"], user=world["alice"], name="x")
    yield
    services.api_token_revoke(actor=world["charlie"], token=token)


not_acting(
    "tongxin.accounts.services.api_token_user",
    "the API's token authentication: the raw key is the credential, there is no acting user yet",
)
not_acting(
    "tongxin.accounts.services.resident_register",
    "a visitor's self-registration: it creates a new account and touches no one else's data",
)
