"""冲正 (reversing a recorded dues payment) and 我的党费 (a member's own dues page): the ledger
keeps every row, the month is owed again, who/when/why is shown and audited; strangers get 404;
a member sees their own dues and nobody else's."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.urls import reverse
from django.utils import timezone

from tests import factories
from tests.helpers import is_chinese, texts
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.models import AuditLog
from tongxin.core.scope import Scope, scope_for_user
from tongxin.dues import rules, selectors, services
from tongxin.dues.models import DuesPayment, DuesReversal

EVERYTHING = Scope.everything()  # a system task's scope: these tests are not about reach


def base(member, yuan: str = "4000", month: dt.date | None = None):
    return services.dues_base_set(
        actor=None,
        scope=EVERYTHING,
        member=member,
        effective_from=month or rules.this_month(),
        category="employed",
        base_fen=rules.parse_yuan(yuan, "base"),
    )


def pay(member, amount_fen: int = 4000, month: dt.date | None = None, actor=None):
    return services.dues_payment_record(
        actor=actor,
        scope=scope_for_user(actor) if actor else EVERYTHING,
        member=member,
        month=month or rules.this_month(),
        amount_fen=amount_fen,
        paid_on=timezone.localdate(),
    )


@contextmanager
def nothing_written():
    before = (DuesPayment.objects.count(), DuesReversal.objects.count(), AuditLog.objects.count())
    yield
    after = (DuesPayment.objects.count(), DuesReversal.objects.count(), AuditLog.objects.count())
    assert before == after, "a refused reversal must write nothing"


# ---- the service ------------------------------------------------------------------------------


def test_a_reversed_payment_stays_in_the_ledger_and_the_month_is_owed_again(world):
    month = rules.this_month()
    bob, m = world["bob"], world["m_a1"]
    base(m)  # 40.00 a month
    p = pay(m, 4000, actor=bob)
    scope = scope_for_user(bob)
    assert selectors.dues_statement(scope, world["branch_a1"], month).owed_fen == 0
    assert selectors.dues_arrears(scope, world["branch_a1"], month) == []

    r = services.dues_payment_reverse(
        actor=bob, scope=scope_for_user(bob), payment=p, reason="  重复 登记 "
    )
    assert (r.reason, r.reversed_by, r.org_path) == ("重复 登记", bob, m.org_path)
    assert DuesPayment.objects.filter(pk=p.pk, amount_fen=4000).exists()  # never deleted
    st = selectors.dues_statement(scope, world["branch_a1"], month)
    row = next(x for x in st.rows if x.member_id == m.pk)
    assert (row.paid_fen, row.owed_fen, row.reversed_count, st.reversed_count) == (0, 4000, 1, 1)
    arrears = selectors.dues_arrears(scope, world["branch_a1"], month)
    assert [(a.name, a.owed_fen) for a in arrears] == [("张红", 4000)]
    line = selectors.dues_member_history(m, month)[0]
    assert (line.paid_fen, line.owed_fen, line.reversed_count) == (0, 4000, 1)
    assert selectors.dues_paid_in_month(scope, month) == (0, 0)
    logged = AuditLog.objects.get(action="members.dues_reversal")
    assert logged.actor == bob and logged.object_id == str(p.pk)
    assert logged.diff == {
        "member": m.pk,
        "payment": p.pk,
        "month": month.isoformat(),
        "amount_fen": 4000,
        "reason": "重复 登记",
    }
    # paying again settles the month; the reversed row still shows in the list
    pay(m, 4000)
    assert selectors.dues_member_history(m, month)[0].owed_fen == 0
    listed = list(selectors.dues_member_payments(m))
    assert len(listed) == 2 and sum(1 for x in listed if hasattr(x, "reversal")) == 1


@pytest.mark.parametrize(
    "reason, text", [("", "请填写冲正原因"), ("   ", "请填写冲正原因"), ("长" * 201, "200字以内")]
)
def test_a_reason_is_required(world, reason, text):
    p = pay(world["m_a1"])
    with nothing_written(), pytest.raises(ServiceError) as exc:
        services.dues_payment_reverse(
            actor=world["bob"], scope=scope_for_user(world["bob"]), payment=p, reason=reason
        )
    assert text in exc.value.fields["reason"] and is_chinese(exc.value.message)


def test_reversing_twice_is_refused(world):
    p = pay(world["m_a1"])
    services.dues_payment_reverse(
        actor=world["bob"], scope=scope_for_user(world["bob"]), payment=p, reason="月份错了"
    )
    with nothing_written(), pytest.raises(ConflictError) as exc:
        services.dues_payment_reverse(
            actor=world["alice"], scope=scope_for_user(world["alice"]), payment=p, reason="再来一次"
        )
    assert "已经冲正过，不能重复冲正" in exc.value.message


# ---- pages ------------------------------------------------------------------------------------


def test_pages_reverse_with_a_reason_and_see_it_everywhere(world, client_for):
    bob, m = world["bob"], world["m_a1"]
    base(m)
    p = pay(m, 4000, actor=bob)
    c = client_for(bob)
    page = texts(c.get(reverse("dues:member", args=[m.pk])))
    url = reverse("dues:reverse", args=[p.pk])
    assert url in page
    page = texts(c.get(url))
    assert 'data-testid="reverse-amount">40.00<' in page and "确认冲正" in page
    with nothing_written():
        r = c.post(url, {"reason": " "})
    assert r.status_code == 200 and "请填写冲正原因" in texts(r)
    r = c.post(url, {"reason": "重复登记"})
    assert r.status_code == 302 and r["Location"] == reverse("dues:member", args=[m.pk])
    page = texts(c.get(r["Location"]))
    assert "已冲正" in page and "由 bob 冲正：重复登记" in page and "<del>40.00</del>" in page
    assert url not in page  # no second reversal offered
    statement = texts(c.get(f"{reverse('dues:statement')}?org={world['branch_a1'].pk}"))
    assert "有冲正" in statement and 'data-testid="paid-total">0.00<' in statement
    assert 'data-testid="reversed-note"' in statement
    arrears = texts(c.get(f"{reverse('dues:arrears')}?org={world['branch_a1'].pk}"))
    assert "张红" in arrears and "40.00" in arrears
    # the reversal page now says it is done; posting again is refused, nothing written
    assert "不能重复冲正" in texts(c.get(url))
    with nothing_written():
        r = c.post(url, {"reason": "再冲一次"}, follow=True)
    assert r.status_code == 200 and "已经冲正过" in texts(r)


def test_strangers_cannot_reverse(world, client_for):
    p = pay(world["m_a1"])
    url = reverse("dues:reverse", args=[p.pk])
    member_user = factories.user("dy", "member", org=world["branch_a1"], member=world["m_a1"])
    # charlie manages another branch; the auditor and the member himself only read
    for user in (world["charlie"], world["auditor"], member_user):
        c = client_for(user)
        with nothing_written():
            assert c.get(url).status_code == 404
            assert c.post(url, {"reason": "x"}).status_code == 404
            r = c.post(
                f"/api/v1/dues/payments/{p.pk}/reverse",
                {"reason": "x"},
                content_type="application/json",
            )
            assert r.status_code == 404 and "张红" not in texts(r)
    c = client_for(world["charlie"])
    assert c.get(f"/api/v1/dues/members/{world['m_a1'].pk}/payments").status_code == 404
    assert c.get(reverse("dues:reverse", args=[999_999])).status_code == 404


def test_api_reverse(world, client_for):
    m = world["m_a1"]
    p = pay(m)
    c = client_for(world["bob"])
    url = f"/api/v1/dues/payments/{p.pk}/reverse"
    with nothing_written():
        r = c.post(url, {"reason": ""}, content_type="application/json")
    assert r.status_code == 400 and "请填写冲正原因" in r.json()["fields"]["reason"]
    r = c.post(url, {"reason": "登记到了别人名下"}, content_type="application/json")
    body = r.json()
    assert r.status_code == 200 and body["reversed"] is True
    assert (
        body["reversal"]["reason"] == "登记到了别人名下"
        and body["reversal"]["reversed_by"] == "bob"
    )
    with nothing_written():
        r = c.post(url, {"reason": "again"}, content_type="application/json")
    assert r.status_code == 409 and "不能重复冲正" in r.json()["message"]
    listed = c.get(f"/api/v1/dues/members/{m.pk}/payments").json()
    assert listed["count"] == 1 and listed["results"][0]["reversed"] is True
    history = c.get(f"/api/v1/dues/members/{m.pk}").json()
    assert history[0]["paid_fen"] == 0


# ---- 我的党费 -----------------------------------------------------------------------------------------


@pytest.fixture
def zhang(world):
    """张红 has a user account (the demo's dangyuan): the member role at her branch."""
    return factories.user("zhanghong", "member", org=world["branch_a1"], member=world["m_a1"])


def test_my_dues_shows_my_own_dues_and_nobody_elses(world, zhang, client_for):
    month = rules.this_month()
    m, other = world["m_a1"], world["m_a1b"]
    base(m, "4000", rules.add_months(month, -1))  # 40.00 a month, since last month
    base(other, "9000", rules.add_months(month, -1))  # 李明: 135.00
    pay(m, 4000, rules.add_months(month, -1))
    p = pay(m, 4000)
    services.dues_payment_reverse(
        actor=world["bob"], scope=scope_for_user(world["bob"]), payment=p, reason="重复登记"
    )
    c = client_for(zhang)
    page = texts(c.get(reverse("dues:mine")))
    assert 'data-testid="my-name">张红<' in page and 'data-testid="my-monthly-due">40.00<' in page
    assert 'data-testid="my-owed">40.00<' in page  # this month, after the reversal
    assert "重复登记" in page and "已冲正" in page
    assert "李明" not in page and "135.00" not in page
    assert reverse("dues:reverse", args=[p.pk]) not in page  # a member cannot reverse
    # the member's own page links here; the staff pages about other members stay closed
    assert reverse("dues:mine") in texts(c.get(reverse("core:me")))
    assert c.get(reverse("dues:member", args=[other.pk])).status_code == 404
    assert c.get(reverse("dues:member", args=[m.pk])).status_code == 404
    # query parameters name nobody else
    assert "李明" not in texts(c.get(reverse("dues:mine") + f"?member={other.pk}"))
    api = c.get("/api/v1/dues/mine").json()
    assert (api["name"], api["monthly_due_fen"], api["owed_fen"]) == ("张红", 4000, 4000)
    assert [x["reversed"] for x in api["payments"]] == [True, False]


def test_my_dues_without_a_member_record(world, client_for):
    c = client_for(world["bob"])  # a secretary's account linked to no member
    r = c.get(reverse("dues:mine"))
    assert r.status_code == 200 and "尚未关联党员信息" in texts(r)
    assert c.get("/api/v1/dues/mine").status_code == 404
    assert reverse("dues:mine") not in texts(c.get(reverse("core:me")))


def test_my_dues_needs_a_login(client):
    r = client.get(reverse("dues:mine"))
    assert r.status_code == 302 and "login" in r["Location"]
    assert client.get("/api/v1/dues/mine").status_code == 401


def test_my_dues_query_count_is_constant(world, zhang, client_for, django_assert_num_queries):
    m = world["m_a1"]
    base(m)
    for i in range(12):
        pay(m, 100, rules.add_months(rules.this_month(), -i))
    c = client_for(zhang)
    # 1 session, 2 user, 3 role assignments, 4 the member with the organization, 5 current
    # base, 6-7 history (bases, payments), 8-9 payments COUNT and page (with reversals),
    # 10 the resident profile (the tab bar offers 报事 to a member only if they are one),
    # 11-13 session save
    with django_assert_num_queries(13):
        r = c.get(reverse("dues:mine"))
    assert r.status_code == 200
