"""党费: the 2008 brackets at their exact boundaries, bases, payments, statement, arrears,
history, pages, API, strangers."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.helpers import is_chinese, refused, texts
from tongxin.core.models import AuditLog
from tongxin.core.scope import Scope
from tongxin.dues import rules, selectors, services
from tongxin.dues.models import DuesBase, DuesPayment

E, R = "employed", "retired"
EVERYTHING = Scope.everything()  # a system task's scope: these tests are not about reach


@pytest.mark.parametrize(
    "category, yuan, fen",
    [
        (E, "0.01", 0),  # 0.00005 元 rounds to nothing
        (E, "1000", 500),
        (E, "3000.00", 1500),  # 0.5%: the bound belongs to the lower bracket
        (E, "3000.01", 3000),  # 1%: 30.0001 元 → 30.00
        (E, "4999.99", 5000),  # 49.9999 → 50.00 (half up)
        (E, "5000", 5000),  # 1%
        (E, "5000.01", 7500),  # 1.5%: 75.00015 → 75.00
        (E, "10000", 15000),  # 1.5%
        (E, "10000.01", 20000),  # 2%: 200.0002 → 200.00
        (E, "25000", 50000),
        (R, "3000", 1500),
        (R, "5000", 2500),  # retirees: 0.5% up to 5000 inclusive
        (R, "5000.01", 5000),  # 1%
        (R, "12000", 12000),
        ("student", "8000", 20),  # 0.2 元 whatever the base
        ("unemployed", "0", 20),
        ("subsistence", "0", 20),
    ],
)
def test_brackets_at_their_boundaries(category, yuan, fen):
    assert rules.dues_amount_fen(category, rules.parse_yuan(yuan, "base")) == fen


def test_rounding_is_half_up_to_the_fen():
    # 1% of 1234.50 元 = 12.345 元 → 12.35; of 1234.49 = 12.3449 → 12.34 (rate 0.5% below 3000)
    assert rules.dues_amount_fen(E, 123_450) == 617  # 0.5% × 1234.50 = 6.1725 → 6.17
    assert rules.dues_amount_fen(E, 323_450) == 3235  # 1% × 3234.50 = 32.345 → 32.35
    assert rules.dues_amount_fen(E, 323_449) == 3234


def set_base(member, yuan="4000", category=E, month: dt.date | None = None):
    return services.dues_base_set(
        actor=None,
        scope=EVERYTHING,
        member=member,
        effective_from=month or rules.this_month(),
        category=category,
        base_fen=rules.parse_yuan(yuan, "base"),
    )


@contextmanager
def unchanged():
    before = (
        list(DuesBase.objects.values_list("id", "base_fen", "category")),
        DuesPayment.objects.count(),
        AuditLog.objects.count(),
    )
    yield
    assert before == (
        list(DuesBase.objects.values_list("id", "base_fen", "category")),
        DuesPayment.objects.count(),
        AuditLog.objects.count(),
    )


def test_negative_or_absurd_bases_are_field_errors(world):
    m = world["m_a1"]
    set_base(m, "4000")
    for base_fen, text in [
        (-1, "负数"),
        (-500_000, "负数"),
        (100_000_001, "100万元"),
        (10**15, "100万元"),
        (0, "应大于0"),
        (None, "请填写"),
    ]:
        with unchanged(), refused(field="base", contains=text):
            services.dues_base_set(
                actor=None,
                scope=EVERYTHING,
                member=m,
                effective_from=rules.this_month(),
                category=E,
                base_fen=base_fen,
            )
    for text in ("abc", "12.345", "1e400", ""):
        with refused(field="base", contains="金额"):
            rules.parse_yuan(text, "base")
    # exactly 1,000,000 元 is accepted
    assert set_base(m, "1000000").base_fen == 100_000_000


def test_fixed_categories_need_no_base(world):
    b = services.dues_base_set(
        actor=None,
        scope=EVERYTHING,
        member=world["m_a1"],
        effective_from=rules.this_month(),
        category="student",
        base_fen=None,
    )
    assert b.base_fen == 0 and rules.dues_amount_fen(b.category, b.base_fen) == 20


def test_payment_bad_input(world):
    month = rules.this_month()
    m = world["m_a1"]
    today = timezone.localdate()
    for amount, field, text in [
        (0, "amount", "大于0"),
        (-100, "amount", "大于0"),
        (100_000_001, "amount", "100万元"),
    ]:
        with unchanged(), refused(field=field, contains=text):
            services.dues_payment_record(
                actor=None,
                scope=EVERYTHING,
                member=m,
                month=month,
                amount_fen=amount,
                paid_on=today,
            )
    with unchanged(), refused(field="paid_on", contains="晚于今天"):
        services.dues_payment_record(
            actor=None,
            scope=EVERYTHING,
            member=m,
            month=month,
            amount_fen=100,
            paid_on=today + dt.timedelta(days=1),
        )
    with unchanged(), refused(field="month", contains="12个月"):
        services.dues_payment_record(
            actor=None,
            scope=EVERYTHING,
            member=m,
            month=rules.add_months(month, 13),
            amount_fen=100,
            paid_on=today,
        )


def test_statement_arrears_and_history(world):
    month = rules.this_month()
    a1, b = world["m_a1"], world["m_a1b"]
    last = rules.add_months(month, -1)
    set_base(a1, "3000.01", month=last)  # 30.00 a month
    set_base(b, "6000", R, month=last)  # retired, 1%: 60.00
    # c has no base: nothing due
    services.dues_payment_record(
        actor=None,
        scope=EVERYTHING,
        member=a1,
        month=month,
        amount_fen=3000,
        paid_on=timezone.localdate(),
    )
    from tongxin.core.scope import scope_for_user

    st = selectors.dues_statement(scope_for_user(world["alice"]), world["comm_a_org"], month)
    rows = {r.name: r for r in st.rows}
    assert (rows["张红"].due_fen, rows["张红"].paid_fen, rows["张红"].owed_fen) == (3000, 3000, 0)
    assert (rows["李明"].due_fen, rows["李明"].owed_fen) == (6000, 6000)
    assert rows["王芳"].due_fen == 0 and not rows["王芳"].has_base
    assert (st.due_fen, st.paid_fen, st.owed_fen, st.unpaid_count, st.no_base_count) == (
        9000,
        3000,
        6000,
        1,
        1,
    )
    arrears = selectors.dues_arrears(scope_for_user(world["alice"]), world["comm_a_org"], month)
    assert [(r.name, r.owed_fen, len(r.months)) for r in arrears] == [
        ("李明", 12000, 2),
        ("张红", 3000, 1),
    ]
    history = selectors.dues_member_history(a1, month)
    assert [(h.month, h.due_fen, h.paid_fen) for h in history[:2]] == [
        (month, 3000, 3000),
        (last, 3000, 0),
    ]
    assert history[2].due_fen is None  # before the first base


def test_a_later_base_applies_from_its_month(world):
    month = rules.this_month()
    m = world["m_a1"]
    prev = rules.add_months(month, -1)
    set_base(m, "2000", month=prev)
    set_base(m, "12000", month=month)
    h = selectors.dues_member_history(m, month)
    assert (h[0].due_fen, h[1].due_fen) == (24000, 1000)


# --- pages ---------------------------------------------------------------------------------------


def test_pages_statement_member_and_payment(world, client_for):
    month = rules.this_month()
    bob = client_for(world["bob"])
    m = world["m_a1"]
    r = bob.post(
        f"/dues/members/{m.pk}/",
        {"which": "base", "effective_from": f"{month:%Y-%m}", "category": E, "base": "-100"},
    )
    assert "不能为负数" in texts(r) and DuesBase.objects.count() == 0
    r = bob.post(
        f"/dues/members/{m.pk}/",
        {"which": "base", "effective_from": f"{month:%Y-%m}", "category": E, "base": "2000000"},
    )
    assert "100万元" in texts(r) and DuesBase.objects.count() == 0
    r = bob.post(
        f"/dues/members/{m.pk}/",
        {"which": "base", "effective_from": f"{month:%Y-%m}", "category": E, "base": "8000"},
    )
    assert r.status_code == 302
    body = texts(bob.get(f"/dues/members/{m.pk}/"))
    assert 'data-testid="monthly-due">120.00<' in body and "1.5%" in body
    r = bob.post(
        f"/dues/members/{m.pk}/",
        {
            "which": "payment",
            "month": f"{month:%Y-%m}",
            "amount": "120",
            "paid_on": timezone.localdate().isoformat(),
        },
    )
    assert r.status_code == 302 and DuesPayment.objects.get().amount_fen == 12000
    body = texts(bob.get(f"/dues/?org={world['branch_a1'].pk}&month={month:%Y-%m}"))
    assert 'data-testid="due-total">120.00<' in body and 'data-testid="paid-total">120.00<' in body
    body = texts(bob.get(f"/dues/arrears/?org={world['branch_a1'].pk}"))
    assert "没有欠缴党费的党员" in body
    assert AuditLog.objects.filter(action="members.dues_payment").count() == 1


def test_stranger_sees_nothing(world, client_for):
    month = rules.this_month()
    set_base(world["m_a1"])
    c = client_for(world["charlie"])
    m, a1 = world["m_a1"], world["branch_a1"]
    for url in (
        f"/dues/?org={a1.pk}",
        f"/dues/arrears/?org={a1.pk}",
        f"/dues/members/{m.pk}/",
        f"/api/v1/dues/members/{m.pk}",
        f"/api/v1/dues/statement?org_id={a1.pk}",
        f"/api/v1/dues/arrears?org_id={a1.pk}",
    ):
        assert c.get(url).status_code == 404, url
    assert "张红" not in texts(c.get("/dues/"))  # his own branch by default
    r = c.post(
        f"/dues/members/{m.pk}/",
        {
            "which": "payment",
            "month": f"{month:%Y-%m}",
            "amount": "10",
            "paid_on": timezone.localdate().isoformat(),
        },
    )
    assert r.status_code == 404
    for url, data in [
        (
            "/api/v1/dues/payments",
            {
                "member_id": m.pk,
                "month": f"{month:%Y-%m}",
                "amount_fen": 100,
                "paid_on": "2026-01-01",
            },
        ),
        (
            "/api/v1/dues/bases",
            {
                "member_id": m.pk,
                "effective_from": f"{month:%Y-%m}",
                "category": "employed",
                "base_fen": 100,
            },
        ),
    ]:
        assert c.post(url, data, content_type="application/json").status_code == 404
    assert DuesPayment.objects.count() == 0 and DuesBase.objects.count() == 1


def test_auditor_reads_but_does_not_record(world, client_for):
    c = client_for(world["auditor"])
    m = world["m_a1"]
    assert c.get(f"/dues/members/{m.pk}/").status_code == 200
    r = c.post(
        f"/dues/members/{m.pk}/",
        {
            "which": "payment",
            "month": f"{rules.this_month():%Y-%m}",
            "amount": "10",
            "paid_on": timezone.localdate().isoformat(),
        },
    )
    assert r.status_code == 404 and DuesPayment.objects.count() == 0


def test_api_statement_payment_and_bad_bases(world, client_for):
    month = rules.this_month()
    bob = client_for(world["bob"])
    m = world["m_a1"]
    r = bob.post(
        "/api/v1/dues/bases",
        {
            "member_id": m.pk,
            "effective_from": f"{month:%Y-%m}",
            "category": "employed",
            "base_fen": -1,
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and "负数" in r.json()["fields"]["base_fen"]
    r = bob.post(
        "/api/v1/dues/bases",
        {
            "member_id": m.pk,
            "effective_from": f"{month:%Y-%m}",
            "category": "employed",
            "base_fen": 10**12,
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and is_chinese(r.json()["fields"]["base_fen"])
    r = bob.post(
        "/api/v1/dues/bases",
        {
            "member_id": m.pk,
            "effective_from": f"{month:%Y-%m}",
            "category": "employed",
            "base_fen": 300_001,
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["monthly_due_fen"] == 3000
    r = bob.post(
        "/api/v1/dues/payments",
        {
            "member_id": m.pk,
            "month": f"{month:%Y-%m}",
            "amount_fen": 1000,
            "paid_on": timezone.localdate().isoformat(),
        },
        content_type="application/json",
    )
    assert r.status_code == 201
    r = bob.post(
        "/api/v1/dues/payments",
        {
            "member_id": m.pk,
            "month": "2026-13",
            "amount_fen": 1000,
            "paid_on": timezone.localdate().isoformat(),
        },
        content_type="application/json",
    )
    assert r.status_code == 400 and "month" in r.json()["fields"]
    st = bob.get(f"/api/v1/dues/statement?org_id={world['branch_a1'].pk}").json()
    assert (st["due_fen"], st["paid_fen"], st["owed_fen"]) == (3000, 1000, 2000)
    arrears = bob.get(f"/api/v1/dues/arrears?org_id={world['branch_a1'].pk}").json()
    assert arrears[0]["owed_fen"] == 2000


@pytest.fixture(params=[3, 30], ids=["3 members", "30 members"])
def branch_members(request, world):
    for i in range(request.param - 2):
        mm = factories.member(world["branch_a1"])
        set_base(mm, str(2000 + i * 500))
        services.dues_payment_record(
            actor=None,
            scope=EVERYTHING,
            member=mm,
            month=rules.this_month(),
            amount_fen=100,
            paid_on=timezone.localdate(),
        )
    return request.param


def test_statement_query_count_is_constant(
    world, branch_members, client_for, django_assert_num_queries
):
    c = client_for(world["bob"])
    url = f"/dues/?org={world['branch_a1'].pk}"
    # 1 session, 2 user, 3 role assignments, 4 the organization (in scope), 5 the members
    # with their base for the month, 6 the month's payments summed per member, 7-9 session save
    with django_assert_num_queries(9):
        r = c.get(url)
    assert r.status_code == 200


def test_member_page_query_count_is_constant(world, client_for, django_assert_num_queries):
    m = world["m_a1"]
    for i in range(12):
        services.dues_payment_record(
            actor=None,
            scope=EVERYTHING,
            member=m,
            month=rules.add_months(rules.this_month(), -i),
            amount_fen=100,
            paid_on=timezone.localdate(),
        )
    c = client_for(world["bob"])
    # 1 session, 2 user, 3 role assignments, 4 the member, 5 current base, 6-7 history (bases,
    # payments), 8 bases list, 9-10 payments COUNT and page, 11-13 session save
    with django_assert_num_queries(13):
        r = c.get(f"/dues/members/{m.pk}/")
    assert r.status_code == 200


def test_arrears_query_count_is_constant(
    world, branch_members, client_for, django_assert_num_queries
):
    c = client_for(world["bob"])
    url = f"/dues/arrears/?org={world['branch_a1'].pk}"
    # 1 session, 2 user, 3 role assignments, 4 the organization, 5 the members, 6 their bases,
    # 7 their payments in the 12 months summed per month, 8-10 session save
    with django_assert_num_queries(10):
        r = c.get(url)
    assert r.status_code == 200 and "欠缴" in texts(r)


from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@given(st.sampled_from([E, R]), st.integers(min_value=0, max_value=rules.MAX_BASE_FEN))
def test_amount_is_the_decimal_rate_rounded_half_up_to_the_fen(category, base_fen):
    from decimal import ROUND_HALF_UP, Decimal

    rate = rules.dues_rate_permille(category, base_fen)
    assert rate is not None
    exact = Decimal(base_fen) * rate / 1000
    assert rules.dues_amount_fen(category, base_fen) == int(
        exact.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    )
    # a higher base never pays less
    assert rules.dues_amount_fen(category, base_fen + 1) >= rules.dues_amount_fen(
        category, base_fen
    )


def test_dashboard_card_counts_this_months_payments_in_the_scope(
    world, client_for, django_assert_num_queries
):
    from tongxin.core.scope import scope_for_user
    from tongxin.dues import panel

    set_base(world["m_a1"])
    set_base(world["m_b1"])
    for m in (world["m_a1"], world["m_b1"]):
        services.dues_payment_record(
            actor=None,
            scope=EVERYTHING,
            member=m,
            month=rules.this_month(),
            amount_fen=2000,
            paid_on=timezone.localdate(),
        )
    scope = scope_for_user(world["alice"])
    with django_assert_num_queries(1):
        data = panel.compute(None, scope)
    assert data is not None and (data["paid_count"], data["paid_text"]) == (1, "20.00")
    body = texts(client_for(world["alice"]).get("/"))
    assert 'data-testid="dues-panel"' in body and "已缴党费（元，1笔" in body
    assert reverse("dues:statement") in body
