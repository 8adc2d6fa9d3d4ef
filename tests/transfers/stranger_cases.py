"""The stranger table's cases of tongxin.transfers.services: charlie (secretary of branch B1 in
street B) acts on street A's member 张红 (m_a1, branch A1) and on her transfers."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from tests import factories
from tests.stranger import case, not_acting
from tongxin.core.scope import scope_for_user
from tongxin.transfers import services
from tongxin.transfers.models import Transfer

World = dict[str, Any]
P = "tongxin.transfers.services."


def _started(w: World, *, submit: bool = True) -> Transfer:
    """bob (secretary of branch A1) starts 张红's transfer to branch A2."""
    return services.transfer_create(
        actor=w["bob"],
        scope=scope_for_user(w["bob"]),
        member=w["m_a1"],
        target=w["branch_a2"],
        reason="工作调动",
        submit=submit,
    )


def _charlie(w: World) -> dict[str, Any]:
    return {"actor": w["charlie"], "scope": scope_for_user(w["charlie"])}


@case(P + "transfer_create")
def _create(w: World) -> None:
    # A street-A member to charlie's own branch: the member is not his to move.
    services.transfer_create(
        **_charlie(w), member=w["m_a1"], target=w["branch_b1"], reason="工作调动", submit=True
    )


@case(P + "transfer_request_own")
def _request_own(w: World) -> None:
    # Only the member behind the account files for herself; charlie's account is no member's.
    services.transfer_request_own(
        actor=w["charlie"],
        target=w["branch_a2"],
        reason_kind="job",
        reason="调往新单位",
        moved_on=timezone.localdate(),
    )


@case(P + "transfer_submit")
def _submit(w: World) -> Iterator[None]:
    t = _started(w, submit=False)
    yield
    services.transfer_submit(**_charlie(w), transfer=t)


@case(P + "transfer_approve")
def _approve(w: World) -> Iterator[None]:
    t = _started(w)
    yield
    services.transfer_approve(**_charlie(w), transfer=t, position=1, note="同意")


@case(P + "transfer_reject")
def _reject(w: World) -> Iterator[None]:
    t = _started(w)
    yield
    services.transfer_reject(**_charlie(w), transfer=t, position=1, note="材料不全")


@case(P + "transfer_withdraw")
def _withdraw(w: World) -> Iterator[None]:
    t = _started(w)
    yield
    services.transfer_withdraw(**_charlie(w), transfer=t, note="撤回")


@case(P + "transfer_withdraw_own")
def _withdraw_own(w: World) -> Iterator[None]:
    hong = factories.user("hong", "member", org=w["branch_a1"], member=w["m_a1"])
    t = services.transfer_request_own(
        actor=hong,
        target=w["branch_a2"],
        reason_kind="job",
        reason="调往新单位",
        moved_on=timezone.localdate(),
    )
    yield
    services.transfer_withdraw_own(actor=w["charlie"], transfer=t, note="撤回")


@case(P + "transfer_complete")
def _complete(w: World) -> Iterator[None]:
    t = _started(w)
    alice = {"actor": w["alice"], "scope": scope_for_user(w["alice"])}
    t = services.transfer_approve(**alice, transfer=t, position=1)  # the common ancestor
    t = services.transfer_approve(**alice, transfer=t, position=2)  # branch A2 receives
    yield
    services.transfer_complete(**_charlie(w), transfer=t)


not_acting(
    P + "transfer_expire",
    "closes a transfer whose letter ran out (the hourly task, and before a new transfer of the "
    "same member); no user chooses to call it",
)
not_acting(P + "transfer_expire_due", "the hourly task's sweep over every lapsed letter")
