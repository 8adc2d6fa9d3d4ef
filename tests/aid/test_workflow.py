"""An application from the member's phone to the cashier: every refusal the issue lists, each
with nothing written."""

from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tests.aid.helpers import refused
from tests.aid.world import S, aid_world, apply, end_publicity, fill, grant, to_publicity
from tests.helpers import today
from tongxin.aid import selectors
from tongxin.aid.models import AidApplication, Eligibility, Status
from tongxin.aid.services import applications as svc
from tongxin.aid.services import funds

pytestmark = pytest.mark.django_db
ROLE_OF = {"wei": "aid_committee", "qian": "aid_cashier", "bob": "branch_secretary"}


@pytest.fixture
def w():
    w = aid_world()
    fill(w)
    return w


def test_the_whole_way_from_application_to_payment(w):
    a = apply(w, 300_000)
    assert a.status == Status.SUBMITTED and not a.by_branch
    a = svc.application_review(actor=w["bob"], scope=S(w["bob"]), application=a, approve=True)
    assert a.status == Status.REVIEWED and a.reviewed_by == w["bob"]
    a = svc.application_decide(actor=w["wei"], scope=S(w["wei"]), application=a, approve=True)
    assert a.status == Status.REVIEWED
    a = svc.application_decide(actor=w["xu"], scope=S(w["xu"]), application=a, approve=True)
    assert a.status == Status.PUBLICITY
    assert a.publicity_until == today() + dt.timedelta(days=6)
    assert list(selectors.publicity(w["fund"])) == [a]
    a = end_publicity(a)
    svc.application_pay(actor=w["qian"], scope=S(w["qian"]), application=a)
    a.refresh_from_db()
    assert a.status == Status.PAID and a.paid_by == w["qian"]
    assert selectors.fund_balance(w["fund"]).total == 700_000


def test_the_branch_applies_for_a_member(w):
    a = svc.application_submit(
        actor=w["bob"],
        scope=S(w["bob"]),
        fund=w["fund"],
        member=w["m_a1b"],
        kind=w["hardship"],
        amount_fen=100_000,
        reason="家庭生活困难，子女上学。",
    )
    assert a.by_branch and a.applied_by == w["bob"]


def test_a_branch_secretary_elsewhere_cannot_apply_for_a_member(w):
    with refused("本支部"):
        svc.application_submit(
            actor=w["charlie"],
            scope=S(w["charlie"]),
            fund=w["fund"],
            member=w["m_a1"],
            kind=w["illness"],
            amount_fen=200_000,
            reason="住院手术，家中困难。",
        )


@pytest.mark.parametrize("fen", [50_000, 1_100_000])
def test_an_amount_outside_the_kinds_range_is_refused(w, fen):
    with refused("1,000.00–10,000.00", field="amount"):
        apply(w, fen)


def test_an_amount_over_the_persons_yearly_cap_is_refused(w):
    apply(w, 1_000_000)
    apply(w, 900_000)
    with refused("本次最多还能申请1,000.00元", field="amount"):
        apply(w, 200_000)


def test_the_yearly_cap_is_checked_again_at_the_decision(w):
    a = apply(w, 1_000_000)
    svc.application_review(actor=w["bob"], scope=S(w["bob"]), application=a, approve=True)
    a = svc.application_decide(actor=w["wei"], scope=S(w["wei"]), application=a, approve=True)
    # the kind's cap lowered in the meantime (data): the second approval is refused
    w["illness"].yearly_cap_fen = 500_000
    w["illness"].save()
    with refused("每人每年最多5,000.00元"):
        svc.application_decide(actor=w["xu"], scope=S(w["xu"]), application=a, approve=True)


def test_eligibility_is_data(w):
    fund = w["fund"]
    fund.eligibility = [Eligibility.DONOR, Eligibility.HARDSHIP]
    fund.save()
    with refused("捐助过互助金"):
        apply(w)
    funds.donation_record(
        actor=w["alice"],
        scope=S(w["alice"]),
        fund=fund,
        member=w["m_a1"],
        amount_fen=5_000,
        donated_on=today(),
    )
    assert apply(w).pk
    funds.hardship_add(
        actor=w["alice"], scope=S(w["alice"]), fund=fund, member=w["m_a2"], since=today()
    )
    assert svc.application_submit(
        actor=w["bob"],
        scope=S(w["alice"]),
        fund=fund,
        member=w["m_a2"],
        kind=w["hardship"],
        amount_fen=100_000,
        reason="家庭生活困难，列入名册。",
    ).pk


def test_a_member_outside_the_funds_organization_cannot_apply(w):
    u = factories.user("gang", "member", org=w["branch_b1"], member=w["m_b1"])
    with refused("不属于"):
        svc.application_submit(
            actor=u,
            scope=S(u),
            fund=w["fund"],
            member=w["m_b1"],
            kind=w["illness"],
            amount_fen=200_000,
            reason="住院手术，家中困难。",
        )


def _reviewed(w, fen=300_000) -> AidApplication:
    a = apply(w, fen)
    return svc.application_review(actor=w["bob"], scope=S(w["bob"]), application=a, approve=True)


def test_the_applicant_cannot_approve(w):
    # 张红 herself sits on the committee
    grant(w["hong"], ROLE_OF["wei"], w["street_a"])
    a = _reviewed(w)
    with refused("申请人本人不能审批"):
        svc.application_decide(actor=w["hong"], scope=S(w["hong"]), application=a, approve=True)


def test_who_applied_for_the_member_cannot_approve(w):
    a = svc.application_submit(
        actor=w["wei"],
        scope=S(w["alice"]),
        fund=w["fund"],
        member=w["m_a1"],
        kind=w["illness"],
        amount_fen=200_000,
        reason="住院手术，家中困难。",
    )
    svc.application_review(actor=w["bob"], scope=S(w["bob"]), application=a, approve=True)
    with refused("申请人（代为申请）"):
        svc.application_decide(actor=w["wei"], scope=S(w["wei"]), application=a, approve=True)


def test_the_proposer_cannot_approve(w):
    a = apply(w)
    svc.application_review(actor=w["wei"], scope=S(w["bob"]), application=a, approve=True)
    with refused("提议人"):
        svc.application_decide(actor=w["wei"], scope=S(w["wei"]), application=a, approve=True)


def test_the_same_approver_cannot_approve_twice(w):
    a = _reviewed(w)
    svc.application_decide(actor=w["wei"], scope=S(w["wei"]), application=a, approve=True)
    with refused("另一位委员"):
        svc.application_decide(actor=w["wei"], scope=S(w["wei"]), application=a, approve=True)
    assert AidApplication.objects.get(pk=a.pk).status == Status.REVIEWED


def test_one_refusal_closes_the_application(w):
    a = _reviewed(w)
    a = svc.application_decide(
        actor=w["wei"], scope=S(w["wei"]), application=a, approve=False, note="材料不全"
    )
    assert a.status == Status.REJECTED
    with refused("不能办理这一步"):
        svc.application_decide(actor=w["xu"], scope=S(w["xu"]), application=a, approve=True)


def test_an_approver_cannot_pay(w):
    grant(w["wei"], ROLE_OF["qian"], w["street_a"])
    a = end_publicity(to_publicity(w))
    with refused("审批人不能兼任出纳"):
        svc.application_pay(actor=w["wei"], scope=S(w["wei"]), application=a)


def test_payment_before_the_publicity_ends_is_refused(w):
    a = to_publicity(w)
    with refused("公示期满后"):
        svc.application_pay(actor=w["qian"], scope=S(w["qian"]), application=a)


def test_payment_with_an_unanswered_objection_is_refused_until_answered(w):
    a = to_publicity(w)
    o = svc.objection_file(actor=None, application=a, text="该党员家庭条件较好，请核实。")
    a = end_publicity(a)
    with refused("1条异议尚未答复"):
        svc.application_pay(actor=w["qian"], scope=S(w["qian"]), application=a)
    svc.objection_answer(
        actor=w["alice"], scope=S(w["alice"]), objection=o, answer="经核实，该党员确因重病致困。"
    )
    svc.application_pay(actor=w["qian"], scope=S(w["qian"]), application=a)
    assert AidApplication.objects.get(pk=a.pk).status == Status.PAID


def test_an_upheld_objection_refuses_the_aid_and_releases_the_money(w):
    a = to_publicity(w, 300_000)
    o = svc.objection_file(actor=None, application=a, text="该党员已领取同类补助，请核实。")
    svc.objection_answer(
        actor=w["alice"],
        scope=S(w["alice"]),
        objection=o,
        answer="经核实属实，撤销补助。",
        upheld=True,
    )
    assert AidApplication.objects.get(pk=a.pk).status == Status.REJECTED
    b = selectors.fund_balance(w["fund"])
    assert (b.cash, b.held) == (1_000_000, 0)


def test_an_objection_after_the_publicity_is_refused(w):
    a = end_publicity(to_publicity(w))
    with refused("已结束"):
        svc.objection_file(actor=None, application=a, text="该党员家庭条件较好。")


def test_a_short_reason_is_refused(w):
    with refused("申请理由", field="reason"):
        svc.application_submit(
            actor=w["hong"],
            scope=S(w["hong"]),
            fund=w["fund"],
            member=w["m_a1"],
            kind=w["illness"],
            amount_fen=200_000,
            reason="钱",
        )


def test_a_member_cannot_review_their_own_application(w):
    grant(w["hong"], ROLE_OF["bob"], w["branch_a1"])
    a = apply(w)
    with refused("不能审核自己"):
        svc.application_review(actor=w["hong"], scope=S(w["hong"]), application=a, approve=True)
