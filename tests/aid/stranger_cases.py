"""互助金's stranger cases (see tests/stranger.py): charlie, secretary of branch B1 in street B,
also holds every 互助金 role in street B (committee member, accountant, cashier) and acts on
street A's fund and on 张红's application; each call must be refused with nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.aid.world import S, aid_world, apply, end_publicity, fill, grant, to_publicity
from tests.helpers import today
from tests.stranger import case
from tongxin.aid.models import AidApplication, LedgerMovement
from tongxin.aid.services import applications, funds, imports


def _world(world: dict[str, Any]) -> dict[str, Any]:
    w = aid_world(world)
    for role in ("aid_committee", "aid_accountant", "aid_cashier"):
        grant(w["charlie"], role, w["street_b"])
    return w


@case("tongxin.aid.services.funds.fund_create")
def _fund_create(world: dict[str, Any]) -> Iterator[None]:
    w = _world(world)
    yield
    c = w["charlie"]
    funds.fund_create(actor=c, scope=S(c), org=w["comm_a_org"])


@case("tongxin.aid.services.funds.income_record")
def _income(world: dict[str, Any]) -> Iterator[None]:
    w = _world(world)
    yield
    c = w["charlie"]
    funds.income_record(
        actor=c, scope=S(c), fund=w["fund"], source="finance", amount_fen=100, on=today()
    )


@case("tongxin.aid.services.funds.donation_record")
def _donation(world: dict[str, Any]) -> Iterator[None]:
    w = _world(world)
    yield
    c = w["charlie"]
    funds.donation_record(
        actor=c, scope=S(c), fund=w["fund"], member=w["m_a1"], amount_fen=100, donated_on=today()
    )


@case("tongxin.aid.services.funds.movement_reverse")
def _reverse(world: dict[str, Any]) -> Iterator[None]:
    w = _world(world)
    fill(w)
    m = LedgerMovement.objects.get(fund=w["fund"])
    yield
    c = w["charlie"]
    funds.movement_reverse(actor=c, scope=S(c), movement=m, reason="重复登记")


@case("tongxin.aid.services.funds.hardship_add")
def _hardship(world: dict[str, Any]) -> Iterator[None]:
    w = _world(world)
    yield
    c = w["charlie"]
    funds.hardship_add(actor=c, scope=S(c), fund=w["fund"], member=w["m_a1"], since=today())


@case("tongxin.aid.services.imports.donation_import_commit")
def _import(world: dict[str, Any]) -> Iterator[None]:
    w = _world(world)
    yield
    c = w["charlie"]
    imports.donation_import_commit(actor=c, scope=S(c), fund=w["fund"], token="x")


@case("tongxin.aid.services.applications.application_submit")
def _submit(world: dict[str, Any]) -> Iterator[None]:
    w = _world(world)
    yield
    c = w["charlie"]
    applications.application_submit(
        actor=c,
        scope=S(c),
        fund=w["fund"],
        member=w["m_a1"],
        kind=w["illness"],
        amount_fen=200_000,
        reason="住院手术，家中困难。",
    )


@case("tongxin.aid.services.applications.application_review")
def _review(world: dict[str, Any]) -> Iterator[None]:
    w = _world(world)
    fill(w)
    a = apply(w)
    yield
    c = w["charlie"]
    applications.application_review(actor=c, scope=S(c), application=a, approve=True)


@case("tongxin.aid.services.applications.application_decide")
def _decide(world: dict[str, Any]) -> Iterator[None]:
    w = _world(world)
    fill(w)
    a = apply(w)
    applications.application_review(actor=w["bob"], scope=S(w["bob"]), application=a, approve=True)
    yield
    c = w["charlie"]
    applications.application_decide(actor=c, scope=S(c), application=a, approve=True)


@case("tongxin.aid.services.applications.application_pay")
def _pay(world: dict[str, Any]) -> Iterator[None]:
    w = _world(world)
    fill(w)
    a = end_publicity(to_publicity(w))
    yield
    c = w["charlie"]
    applications.application_pay(actor=c, scope=S(c), application=a)


@case("tongxin.aid.services.applications.objection_answer")
def _answer(world: dict[str, Any]) -> Iterator[None]:
    w = _world(world)
    fill(w)
    a = to_publicity(w)
    o = applications.objection_file(actor=None, application=a, text="请核实该党员的家庭情况。")
    yield
    c = w["charlie"]
    applications.objection_answer(actor=c, scope=S(c), objection=o, answer="已核实。")


@case("tongxin.aid.services.applications.objection_file")
def _object(world: dict[str, Any]) -> Iterator[None]:
    # Anyone may object to a 公示; an application not in 公示 is not public: charlie's
    # objection to 张红's application still at the branch is answered as not found.
    w = _world(world)
    fill(w)
    a = apply(w)
    yield
    applications.objection_file(
        actor=w["charlie"],
        application=AidApplication.objects.get(pk=a.pk),
        text="请核实该党员的家庭情况。",
    )
