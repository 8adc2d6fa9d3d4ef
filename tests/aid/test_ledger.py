"""The fund's ledger: pairs summing to zero, balances from the lines, the fund never below
zero (the shortfall named), corrections by reversal, nothing updated or deleted."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Sum

from tests.aid.helpers import refused
from tests.aid.world import S, aid_world, end_publicity, fill, to_publicity
from tests.helpers import today
from tongxin.aid import ledger, selectors
from tongxin.aid.models import (
    AccountCode,
    Donation,
    LedgerAccount,
    LedgerEntry,
    LedgerMovement,
    LedgerPeriod,
    MovementKind,
)
from tongxin.aid.services import applications as svc
from tongxin.aid.services import funds
from tongxin.core.scope import Scope

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return aid_world()


def test_a_new_fund_has_its_accounts_and_the_default_kinds(w):
    codes = set(LedgerAccount.objects.filter(fund=w["fund"]).values_list("code", flat=True))
    assert codes == set(AccountCode.values)
    assert [k.name for k in w["fund"].kinds.all()] == [
        "重大病补助",
        "生活困难补助",
        "去世党员家庭慰问",
    ]


def test_every_movement_is_a_pair_of_lines_summing_to_zero(w):
    fill(w)
    funds.income_record(
        actor=w["alice"],
        scope=S(w["alice"]),
        fund=w["fund"],
        source="upper",
        amount_fen=50_000,
        on=today(),
    )
    funds.donation_record(
        actor=w["alice"],
        scope=S(w["alice"]),
        fund=w["fund"],
        member=w["m_a2"],
        amount_fen=20_000,
        donated_on=today(),
    )
    a = end_publicity(to_publicity(w, 300_000))
    svc.application_pay(actor=w["qian"], scope=S(w["qian"]), application=a)
    assert LedgerMovement.objects.count() == 5
    for m in LedgerMovement.objects.all():
        amounts = list(m.lines.values_list("amount_fen", flat=True))
        assert len(amounts) == 2 and sum(amounts) == 0 and 0 not in amounts
    assert LedgerEntry.objects.aggregate(t=Sum("amount_fen"))["t"] == 0


def test_the_post_helper_refuses_lines_that_do_not_balance(w):
    for lines in (
        [(AccountCode.CASH, 100), (AccountCode.FINANCE, -99)],
        [(AccountCode.CASH, 100)],
        [(AccountCode.CASH, 100), (AccountCode.CASH, -100)],
        [(AccountCode.CASH, 0), (AccountCode.FINANCE, 0)],
    ):
        with pytest.raises(ledger.UnbalancedMovement):
            ledger.post(fund=w["fund"], kind="income", on=today(), lines=lines, actor=None)
    assert LedgerMovement.objects.count() == 0


def test_the_balance_is_the_sum_of_the_lines(w):
    fill(w, 1_000_000)
    a = to_publicity(w, 300_000)
    b = selectors.fund_balance(w["fund"])
    assert (b.cash, b.held, b.paid, b.income, b.total) == (
        700_000,
        300_000,
        0,
        1_000_000,
        1_000_000,
    )
    svc.application_pay(actor=w["qian"], scope=S(w["qian"]), application=end_publicity(a))
    b = selectors.fund_balance(w["fund"])
    assert (b.cash, b.held, b.paid, b.total) == (700_000, 0, 300_000, 700_000)
    by_sql = LedgerEntry.objects.filter(
        fund=w["fund"], account__code__in=[AccountCode.CASH, AccountCode.HELD]
    ).aggregate(t=Sum("amount_fen"))["t"]
    assert b.total == by_sql


def test_the_monthly_totals_kept_in_step_equal_the_sums_of_the_lines(w):
    fill(w, 1_000_000)
    funds.donation_record(
        actor=w["alice"],
        scope=S(w["alice"]),
        fund=w["fund"],
        member=w["m_a2"],
        amount_fen=20_000,
        donated_on=today() - dt.timedelta(days=40),
    )
    a = end_publicity(to_publicity(w, 300_000))
    svc.application_pay(actor=w["qian"], scope=S(w["qian"]), application=a)
    m = Donation.objects.get().movement
    funds.movement_reverse(actor=w["alice"], scope=S(w["alice"]), movement=m, reason="错账")
    kept = ledger.balances(w["fund"].pk)
    assert kept == ledger.balances_from_lines(w["fund"].pk)
    before = sorted(LedgerPeriod.objects.values_list("code", "month", "kind_id", "total_fen"))
    ledger.rebuild_periods(w["fund"].pk)
    after = sorted(LedgerPeriod.objects.values_list("code", "month", "kind_id", "total_fen"))
    assert before == after


def test_a_disbursement_over_the_balance_is_refused_naming_the_shortfall(w):
    fill(w, 200_000)  # 2,000.00 元 in the fund; the application asks 3,000.00
    a = svc.application_submit(
        actor=w["hong"],
        scope=S(w["hong"]),
        fund=w["fund"],
        member=w["m_a1"],
        kind=w["illness"],
        amount_fen=300_000,
        reason="住院手术，家中困难。",
    )
    svc.application_review(actor=w["bob"], scope=S(w["bob"]), application=a, approve=True)
    a = svc.application_decide(actor=w["wei"], scope=S(w["wei"]), application=a, approve=True)
    with refused("还差1,000.00元") as exc:
        svc.application_decide(actor=w["xu"], scope=S(w["xu"]), application=a, approve=True)
    assert exc.value.code == "shortfall"
    assert selectors.fund_balance(w["fund"]).cash == 200_000


def test_a_reversal_negates_an_income_and_happens_once(w):
    fill(w, 500_000)
    m = LedgerMovement.objects.get(kind=MovementKind.INCOME)
    r = funds.movement_reverse(actor=w["alice"], scope=S(w["alice"]), movement=m, reason="重复登记")
    assert r.reverses == m
    assert selectors.fund_balance(w["fund"]).total == 0
    with refused("已经冲正过"):
        funds.movement_reverse(actor=w["alice"], scope=S(w["alice"]), movement=m, reason="再冲")


def test_a_reversal_that_would_take_the_fund_below_zero_is_refused(w):
    fill(w, 500_000)
    to_publicity(w, 300_000)
    m = LedgerMovement.objects.get(kind=MovementKind.INCOME)
    with refused("还差"):
        funds.movement_reverse(actor=w["alice"], scope=S(w["alice"]), movement=m, reason="错账")


def test_ledger_rows_are_never_updated_or_deleted(w):
    fill(w)
    line = LedgerEntry.objects.first()
    assert line is not None
    line.amount_fen = 1
    with pytest.raises(TypeError):
        line.save()
    with pytest.raises(TypeError):
        line.delete()
    with pytest.raises(TypeError):
        LedgerEntry.objects.all().update(amount_fen=5)
    with pytest.raises(TypeError):
        LedgerMovement.objects.all().delete()
    assert LedgerEntry.objects.aggregate(t=Sum("amount_fen"))["t"] == 0


@pytest.mark.parametrize(
    ("fen", "contains"),
    [(-100, "应大于0元"), (0, "应大于0元"), (10_000_001, "多输了位数"), (1.5, "请填写捐助金额")],
)
def test_a_negative_or_absurd_donation_is_refused(w, fen, contains):
    with refused(contains, field="amount"):
        funds.donation_record(
            actor=w["alice"],
            scope=S(w["alice"]),
            fund=w["fund"],
            member=w["m_a1"],
            amount_fen=fen,
            donated_on=today(),
        )


def test_a_donation_in_the_future_or_of_a_member_elsewhere_is_refused(w):
    with refused("不能晚于今天", field="donated_on"):
        funds.donation_record(
            actor=w["alice"],
            scope=S(w["alice"]),
            fund=w["fund"],
            member=w["m_a1"],
            amount_fen=100,
            donated_on=today() + dt.timedelta(days=1),
        )
    with refused("不属于"):
        funds.donation_record(
            actor=None,
            scope=Scope.everything(),
            fund=w["fund"],
            member=w["m_b1"],
            amount_fen=100,
            donated_on=today(),
        )


def test_a_donation_gets_a_certificate_number_per_fund_and_year(w):
    d1 = funds.donation_record(
        actor=w["alice"],
        scope=S(w["alice"]),
        fund=w["fund"],
        member=w["m_a1"],
        amount_fen=10_000,
        donated_on=today(),
    )
    d2 = funds.donation_record(
        actor=w["alice"],
        scope=S(w["alice"]),
        fund=w["fund"],
        member=w["m_a2"],
        amount_fen=20_000,
        donated_on=today(),
    )
    assert d1.certificate_no.endswith("000001") and d2.certificate_no.endswith("000002")
    assert Donation.objects.count() == 2
    assert selectors.fund_balance(w["fund"]).income == 30_000


@pytest.mark.parametrize(("source", "fen"), [("lottery", 100), ("finance", -5), ("upper", 10**10)])
def test_bad_income_is_refused(w, source, fen):
    with refused():
        funds.income_record(
            actor=w["alice"],
            scope=S(w["alice"]),
            fund=w["fund"],
            source=source,
            amount_fen=fen,
            on=today(),
        )


def test_the_year_report_sums_income_by_source_aid_by_kind_and_people(w):
    fill(w, 1_000_000)
    funds.donation_record(
        actor=w["alice"],
        scope=S(w["alice"]),
        fund=w["fund"],
        member=w["m_a2"],
        amount_fen=20_000,
        donated_on=today(),
    )
    a = end_publicity(to_publicity(w, 300_000))
    svc.application_pay(actor=w["qian"], scope=S(w["qian"]), application=a)
    r = selectors.year_report(w["fund"], today().year)
    assert dict(r.income) == {"财政拨款": 1_000_000, "上级党组织支持": 0, "党员捐助": 20_000}
    assert r.aid == [("重大病补助", 1, 300_000)]
    assert (r.opening, r.closing, r.people) == (0, 720_000, 1)
