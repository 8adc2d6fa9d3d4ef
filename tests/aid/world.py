"""The 互助金 test world on top of make_world(): a fund at street A (alice manages it), two
committee members (wei, xu), a cashier (qian), the member 张红 with her own account (hong),
and bob, secretary of her branch."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from tests import factories
from tongxin.accounts.models import Role, RoleAssignment
from tongxin.aid.models import AidApplication, AidFund, AidKind
from tongxin.aid.services import applications as apps_svc
from tongxin.aid.services import funds
from tongxin.core.scope import scope_for_user


def S(user: Any) -> Any:
    return scope_for_user(user)


def aid_world(world: dict[str, Any] | None = None) -> dict[str, Any]:
    w = world or factories.make_world()
    street = w["street_a"]
    w["wei"] = factories.user("wei", "aid_committee", org=street)
    w["xu"] = factories.user("xu", "aid_committee", org=street)
    w["qian"] = factories.user("qian", "aid_cashier", org=street)
    w["hong"] = factories.user("hong", "member", org=w["branch_a1"], member=w["m_a1"])
    w["fund"] = funds.fund_create(actor=w["alice"], scope=S(w["alice"]), org=street)
    w["illness"] = AidKind.objects.get(fund=w["fund"], code="illness")
    w["hardship"] = AidKind.objects.get(fund=w["fund"], code="hardship")
    return w


def fill(w: dict[str, Any], fen: int = 1_000_000) -> None:
    funds.income_record(
        actor=w["alice"],
        scope=S(w["alice"]),
        fund=w["fund"],
        source="finance",
        amount_fen=fen,
        on=timezone.localdate(),
    )


def apply(w: dict[str, Any], fen: int = 300_000, kind: str = "illness") -> AidApplication:
    return apps_svc.application_submit(
        actor=w["hong"],
        scope=S(w["hong"]),
        fund=w["fund"],
        member=w["m_a1"],
        kind=w[kind],
        amount_fen=fen,
        reason="住院手术，家中困难，申请补助。",
    )


def to_publicity(w: dict[str, Any], fen: int = 300_000) -> AidApplication:
    a = apply(w, fen)
    apps_svc.application_review(actor=w["bob"], scope=S(w["bob"]), application=a, approve=True)
    for u in (w["wei"], w["xu"]):
        a = apps_svc.application_decide(actor=u, scope=S(u), application=a, approve=True)
    return a


def end_publicity(a: AidApplication) -> AidApplication:
    """Back-date the 公示 so that it ended yesterday (no sleeping)."""
    a.refresh_from_db()
    assert a.publicity_until is not None and a.publicity_from is not None
    days = (a.publicity_until - a.publicity_from).days + 1
    until = timezone.localdate() - dt.timedelta(days=1)
    AidApplication.objects.filter(pk=a.pk).update(
        publicity_from=until - dt.timedelta(days=days - 1), publicity_until=until
    )
    a.refresh_from_db()
    return a


def grant(user: Any, role: str, org: Any) -> None:
    RoleAssignment.objects.create(user=user, role=Role.objects.get(code=role), org=org)


def fund_of(w: dict[str, Any]) -> AidFund:
    return AidFund.objects.get(pk=w["fund"].pk)
