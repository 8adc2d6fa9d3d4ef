"""党费's stranger cases (see tests/stranger.py): charlie, secretary of branch B1 in street B,
acts on 张红 (m_a1, branch A1 in street A) through every public function of
tongxin.dues.services; each must be refused with nothing written."""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.utils import timezone

from tests.stranger import case
from tongxin.core.months import this_month
from tongxin.core.scope import scope_for_user
from tongxin.dues import imports, services
from tongxin.dues.models import DuesPayment


@case("tongxin.dues.services.dues_base_set")
def _base_set(world: dict[str, Any]) -> Any:
    charlie = world["charlie"]
    return services.dues_base_set(
        actor=charlie,
        scope=scope_for_user(charlie),
        member=world["m_a1"],
        effective_from=this_month(),
        category="employed",
        base_fen=450_000,
    )


@case("tongxin.dues.services.dues_payment_record")
def _payment_record(world: dict[str, Any]) -> Any:
    charlie = world["charlie"]
    return services.dues_payment_record(
        actor=charlie,
        scope=scope_for_user(charlie),
        member=world["m_a1"],
        month=this_month(),
        amount_fen=4000,
        paid_on=timezone.localdate(),
    )


@case("tongxin.dues.services.dues_payment_reverse")
def _payment_reverse(world: dict[str, Any]) -> Any:
    # 张红's payment as the ledger would hold it, not saved here: a row made by the case would
    # count as written. The service refuses on the payment's member before it reads the row.
    charlie, m = world["charlie"], world["m_a1"]
    payment = DuesPayment(
        member=m,
        month=this_month(),
        amount_fen=4000,
        paid_on=timezone.localdate(),
        org_path=m.org_path,
    )
    return services.dues_payment_reverse(
        actor=charlie, scope=scope_for_user(charlie), payment=payment, reason="重复登记"
    )


@case("tongxin.dues.services.dues_import_commit")
def _import_commit(world: dict[str, Any]) -> Any:
    # A check never passes 张红 to charlie (she is not in his reach), so the token is made here,
    # signed as the check would sign it for him: the commit looks at the members again.
    charlie, m = world["charlie"], world["m_a1"]
    token = signing.dumps(
        {
            "u": charlie.pk,
            "f": "党费基数.xlsx",
            "h": "",
            "r": [[2, m.pk, f"{this_month():%Y-%m}", "employed", 450_000]],
        },
        salt=imports.TOKEN_SALT,
        compress=True,
    )
    return services.dues_import_commit(actor=charlie, scope=scope_for_user(charlie), token=token)
