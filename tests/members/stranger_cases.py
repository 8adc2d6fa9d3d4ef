"""Stranger cases of tongxin.members.services (see tests/stranger.py)."""

from __future__ import annotations

from typing import Any

from tests import factories
from tests.stranger import case, not_acting
from tongxin.members import services

not_acting(
    "tongxin.members.services.validate_member",
    "a pure check of the values of a member record: it writes nothing",
)
not_acting(
    "tongxin.members.services.member_paths_follow_org",
    "the receiver of orgs.hooks.org_moved, run inside org_move (which checks the scope)",
)


@case("tongxin.members.services.member_create")
def _(w: dict[str, Any]) -> Any:
    services.member_create(actor=w["charlie"], data=factories.member_input(w["branch_a1"]))


@case("tongxin.members.services.member_update")
def _(w: dict[str, Any]) -> Any:
    data = factories.member_input(w["branch_a1"], name="改名")
    services.member_update(actor=w["charlie"], member=w["m_a1"], data=data)


@case("tongxin.members.services.member_reveal_pii")
def _(w: dict[str, Any]) -> Any:
    services.member_reveal_pii(actor=w["charlie"], member=w["m_a1"], field_name="id_number")


@case("tongxin.members.services.member_pii_rekey")
def _(w: dict[str, Any]) -> Any:
    services.member_pii_rekey(actor=w["charlie"])


@case("tongxin.members.services.member_pii_search_logged")
def _(w: dict[str, Any]) -> Any:
    services.member_pii_search_logged(actor=w["charlie"], kind="phone", found=[w["m_a1"]])
