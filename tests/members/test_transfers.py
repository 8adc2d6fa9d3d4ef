"""组织关系转接: the chain, the refusals, the letter and its expiry, pages and API, strangers."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest

from tests import factories
from tests.helpers import is_chinese, refused, texts
from tongxin.core.models import AuditLog
from tongxin.core.scope import scope_for_user
from tongxin.members import transfers
from tongxin.members.models import (
    Member,
    OrgRelationChange,
    RelationChangeKind,
    Transfer,
    TransferStatus,
    TransferStep,
)
from tongxin.orgs.models import OrgKind


def S(user):  # type: ignore[no-untyped-def]
    return scope_for_user(user)


def fresh(t: Transfer) -> Transfer:
    return Transfer.objects.select_related("source", "target", "member").get(pk=t.pk)


@pytest.fixture
def city_staff(world):  # type: ignore[no-untyped-def]
    """zoe works in the city organization department (everything); dora runs street B."""
    world["zoe"] = factories.user("zoe", "org_dept", org=world["city"])
    world["dora"] = factories.user("dora", "street_secretary", org=world["street_b"])
    return world


def start(world, member_key="m_a1", target_key="branch_a2", submit=True):  # type: ignore[no-untyped-def]
    return transfers.transfer_create(
        actor=world["bob"],
        member=world[member_key],
        target=world[target_key],
        reason="工作调动",
        submit=submit,
    )


@contextmanager
def nothing_changes():  # type: ignore[no-untyped-def]
    before = (
        Transfer.objects.count(),
        TransferStep.objects.filter(decision="").count(),
        list(Transfer.objects.values_list("status", "current_step")),
    )
    yield
    after = (
        Transfer.objects.count(),
        TransferStep.objects.filter(decision="").count(),
        list(Transfer.objects.values_list("status", "current_step")),
    )
    assert before == after


# --- the chain ---------------------------------------------------------------------------------


def test_chain_runs_up_to_the_common_ancestor_and_down_to_the_target(world):
    t = start(world)
    steps = list(t.steps.order_by("position").values_list("org_name", "role", "decision"))
    assert steps == [
        ("紫金社区第一党支部", "out", "approved"),  # the submission is the source's approval
        ("紫金社区党委", "top", ""),
        ("紫金社区第二党支部", "receive", ""),
    ]
    assert t.status == TransferStatus.SUBMITTED and t.current_step == 1
    far = start(world, "m_a1b", "branch_b1")
    assert [s.org_name for s in far.steps.order_by("position")] == [
        "紫金社区第一党支部",
        "紫金社区党委",
        "南门街道党工委",
        "中共宁波市委",
        "鼓楼街道党工委",
        "孝闻社区党支部",
    ]
    assert list(far.steps.order_by("position").values_list("role", flat=True)) == [
        "out",
        "out",
        "out",
        "top",
        "in",
        "receive",
    ]


def test_full_flow_moves_the_member_and_records_history(world):
    t = start(world)
    alice = world["alice"]
    t = transfers.transfer_approve(actor=alice, scope=S(alice), transfer=t, position=1)
    assert t.status == TransferStatus.APPROVED_OUT and t.letter_no
    assert t.valid_until == transfers.add_months(t.issued_on, 3)
    t = transfers.transfer_approve(actor=alice, scope=S(alice), transfer=t, position=2)
    assert t.status == TransferStatus.RECEIVED
    m = Member.objects.get(pk=world["m_a1"].pk)
    assert m.org_id == world["branch_a1"].pk  # not moved before completion
    t = transfers.transfer_complete(actor=alice, scope=S(alice), transfer=t)
    m = Member.objects.get(pk=world["m_a1"].pk)
    assert t.status == TransferStatus.COMPLETED
    assert m.org_id == world["branch_a2"].pk and m.org_path == world["branch_a2"].path
    h = OrgRelationChange.objects.filter(member=m).first()
    assert h.kind == RelationChangeKind.TRANSFERRED and h.from_org_name == "紫金社区第一党支部"
    actions = set(AuditLog.objects.values_list("action", flat=True))
    assert {
        "members.transfer_create",
        "members.transfer_submit",
        "members.transfer_approve",
        "members.transfer_complete",
        "members.transfer_in",
    } <= actions
    assert [e.action for e in t.events.all()] == [
        "created",
        "submitted",
        "approved_out",
        "received",
        "completed",
    ]


def test_approvals_along_a_long_chain_each_by_its_own_level(city_staff):
    w = city_staff
    t = start(w, "m_a1b", "branch_b1")
    charlie, zoe, alice, dora = w["charlie"], w["zoe"], w["alice"], w["dora"]
    # the receiving branch is last: approving now is out of turn
    with nothing_changes(), refused(contains="紫金社区党委") as exc:
        transfers.transfer_approve(actor=charlie, scope=S(charlie), transfer=t)
    assert "还没有轮到" in exc.value.message
    for actor in (alice, alice, zoe, dora, charlie):
        t = transfers.transfer_approve(actor=actor, scope=S(actor), transfer=t)
    assert t.status == TransferStatus.RECEIVED
    with refused(contains="转入组织"):
        transfers.transfer_complete(actor=w["bob"], scope=S(w["bob"]), transfer=t)
    transfers.transfer_complete(actor=charlie, scope=S(charlie), transfer=t)
    assert Member.objects.get(pk=w["m_a1b"].pk).org_id == w["branch_b1"].pk


# --- bad input -----------------------------------------------------------------------------------


def test_a_target_out_of_reach_is_refused(world):
    other_root = factories.org("中共杭州市委", OrgKind.COMMITTEE)
    other_branch = factories.org("杭州某党支部", OrgKind.BRANCH, other_root)
    temp = factories.org("临时党支部", OrgKind.BRANCH, world["comm_a_org"])
    temp.is_temporary = True
    temp.save()
    cases = [
        (None, "请选择转入的党支部"),
        (other_branch, "没有共同的上级党组织"),
        (world["group_a1"], "只能转入党支部或党总支"),
        (world["city"], "只能转入党支部或党总支"),
        (world["branch_a1"], "相同"),
        (temp, "临时党组织"),
    ]
    for target, text in cases:
        with nothing_changes(), refused(field="target", contains=text):
            transfers.transfer_create(actor=world["bob"], member=world["m_a1"], target=target)


def test_a_second_open_transfer_is_refused(world):
    start(world)
    with nothing_changes(), refused(contains="正在办理") as exc:
        start(world, target_key="branch_b1")
    assert exc.value.status == 409
    # also in the database: a partial unique index
    from django.db import IntegrityError, transaction

    first = Transfer.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(
            member=first.member,
            member_name="x",
            source=first.source,
            target=first.target,
            source_path="x",
            target_path="y",
        )


def test_approving_out_of_turn_and_twice_is_refused(world):
    t = start(world)
    bob, alice = world["bob"], world["alice"]
    with nothing_changes(), refused(contains="当前应由“紫金社区党委”审批"):
        transfers.transfer_approve(actor=bob, scope=S(bob), transfer=t)
    transfers.transfer_approve(actor=alice, scope=S(alice), transfer=t, position=1)
    # a second click on the page that showed step 1
    with nothing_changes(), refused(contains="已经有人处理过"):
        transfers.transfer_approve(actor=alice, scope=S(alice), transfer=t, position=1)


def test_reject_needs_a_reason_and_closes_the_transfer(world):
    t = start(world)
    alice = world["alice"]
    with nothing_changes(), refused(field="note", contains="退回原因"):
        transfers.transfer_reject(actor=alice, scope=S(alice), transfer=t, note=" ")
    t = transfers.transfer_reject(actor=alice, scope=S(alice), transfer=t, note="材料不全")
    assert t.status == TransferStatus.REJECTED and not t.is_open
    start(world)  # no longer blocks a new one


def test_withdraw_by_the_source_only_and_not_after_receiving(world):
    t = start(world)
    alice = world["alice"]
    transfers.transfer_approve(actor=alice, scope=S(alice), transfer=t)
    transfers.transfer_approve(actor=alice, scope=S(alice), transfer=t)
    with nothing_changes(), refused(contains="不能撤回"):
        transfers.transfer_withdraw(actor=world["bob"], scope=S(world["bob"]), transfer=t)
    t2 = start(world, "m_a1b")
    a2 = factories.user("amy", "branch_secretary", org=world["branch_a2"])
    with refused(contains="党员所在组织"):
        transfers.transfer_withdraw(actor=a2, scope=S(a2), transfer=t2)
    transfers.transfer_withdraw(actor=world["bob"], scope=S(world["bob"]), transfer=t2)
    assert fresh(t2).status == TransferStatus.WITHDRAWN


# --- the letter ----------------------------------------------------------------------------------


def _issued(world) -> Transfer:  # type: ignore[no-untyped-def]
    t = start(world)
    return transfers.transfer_approve(actor=world["alice"], scope=S(world["alice"]), transfer=t)


def test_letter_page_has_a_qr_code_and_verification_shows_only_masked_facts(
    world, client_for, client
):
    t = _issued(world)
    body = texts(client_for(world["bob"]).get(f"/members/transfers/{t.pk}/letter/"))
    assert "中国共产党党员组织关系介绍信" in body and t.letter_no in body
    assert 'src="data:image/svg+xml' in body
    client.logout()
    r = client.get(f"/members/transfers/verify/{transfers.letter_token(t)}/")
    page = texts(r)
    assert r.status_code == 200 and "有效" in page and t.letter_no in page
    assert "张*" in page and "张红" not in page
    assert world["m_a1"].id_number_masked not in page
    assert "紫金社区第一党支部" in page and "紫金社区第二党支部" in page
    token = transfers.letter_token(t)
    assert client.get(f"/members/transfers/verify/{token[:-2]}xx/").status_code == 404


def test_letter_expires_after_three_months_lazily_and_by_the_task(
    world, client_for, client, settings
):
    t = _issued(world)
    Transfer.objects.filter(pk=t.pk).update(valid_until=dt.date.today() - dt.timedelta(days=1))
    t = fresh(t)
    # lazy, on read: shown expired before the task runs; approving is refused
    assert "已过期" in texts(client_for(world["bob"]).get(f"/members/transfers/{t.pk}/"))
    assert "已过期" in texts(client.get(f"/members/transfers/verify/{transfers.letter_token(t)}/"))
    with refused(contains="有效期"):
        transfers.transfer_approve(actor=world["alice"], scope=S(world["alice"]), transfer=t)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    result = transfers.expire_transfers.enqueue()
    assert result.return_value == 1
    assert fresh(t).status == TransferStatus.EXPIRED
    assert transfers.transfer_expire_due() == 0  # idempotent
    start(world)  # the member may start again


def test_a_lapsed_letter_does_not_block_a_new_transfer(world):
    t = _issued(world)
    Transfer.objects.filter(pk=t.pk).update(valid_until=dt.date.today() - dt.timedelta(days=1))
    new = start(world, target_key="branch_b1")
    assert fresh(t).status == TransferStatus.EXPIRED and new.is_open


# --- pages ---------------------------------------------------------------------------------------


def test_pages_create_inbox_detail_and_act(world, client_for):
    bob = client_for(world["bob"])
    m = world["m_a1"]
    assert f"/members/{m.pk}/transfer/" in texts(bob.get(f"/members/{m.pk}/"))  # member page link
    found = texts(bob.get(f"/members/{m.pk}/transfer/", {"q": "孝闻"}))
    assert "孝闻社区党支部" in found  # targets in another street: the name only
    r = bob.post(
        f"/members/{m.pk}/transfer/",
        {"target": world["branch_a2"].pk, "reason": "迁居", "action": "submit"},
    )
    t = Transfer.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/members/transfers/{t.pk}/"
    body = texts(bob.get(f"/members/transfers/{t.pk}/"))
    assert "审批中" in body and "等待“紫金社区党委”审批" in body
    alice = client_for(world["alice"])
    assert "张红" in texts(alice.get("/members/transfers/?tab=todo"))
    alice.post(f"/members/transfers/{t.pk}/approve/", {"position": 1})
    alice.post(f"/members/transfers/{t.pk}/approve/", {"position": 2})
    alice.post(f"/members/transfers/{t.pk}/complete/")
    assert fresh(t).status == TransferStatus.COMPLETED
    assert Member.objects.get(pk=m.pk).org_id == world["branch_a2"].pk


def test_form_errors_are_shown_and_nothing_is_saved(world, client_for):
    bob = client_for(world["bob"])
    m = world["m_a1"]
    body = texts(
        bob.post(f"/members/{m.pk}/transfer/", {"target": world["group_a1"].pk, "action": "submit"})
    )
    assert "只能转入党支部或党总支" in body and Transfer.objects.count() == 0
    body = texts(bob.post(f"/members/{m.pk}/transfer/", {"target": "999999", "action": "submit"}))
    assert "请选择转入的党支部" in body and Transfer.objects.count() == 0


def test_out_of_turn_on_the_page_says_why(world, client_for):
    t = start(world)
    bob = client_for(world["bob"])
    r = bob.post(f"/members/transfers/{t.pk}/approve/", {"position": 1}, follow=True)
    assert "当前应由“紫金社区党委”审批" in texts(r)
    assert fresh(t).current_step == 1


def test_stranger_sees_nothing(world, client_for):
    t = _issued(world)
    c = client_for(world["charlie"])
    m = world["m_a1"]
    for url in (
        f"/members/transfers/{t.pk}/",
        f"/members/transfers/{t.pk}/letter/",
        f"/members/{m.pk}/transfer/",
    ):
        assert c.get(url).status_code == 404, url
    for action in ("approve", "reject", "withdraw", "complete", "submit"):
        assert c.post(f"/members/transfers/{t.pk}/{action}/", {"note": "x"}).status_code == 404
    assert (
        c.post(f"/members/{m.pk}/transfer/", {"target": world["branch_b1"].pk}).status_code == 404
    )
    for tab in transfers.TABS:
        assert "张红" not in texts(c.get(f"/members/transfers/?tab={tab}"))
    assert fresh(t).status == TransferStatus.APPROVED_OUT


def test_the_receiving_side_sees_the_transfer_but_not_the_member_record(world, client_for):
    t = start(world, target_key="branch_b1")
    c = client_for(world["charlie"])
    body = texts(c.get(f"/members/transfers/{t.pk}/"))
    assert "张红" in body and "党员详情" not in body
    assert c.get(f"/members/{world['m_a1'].pk}/").status_code == 404


@pytest.fixture(params=[3, 30], ids=["3 transfers", "30 transfers"])
def many(request, world):  # type: ignore[no-untyped-def]
    for i in range(request.param):
        m = factories.member(world["branch_a1"])
        transfers.transfer_create(
            actor=None, member=m, target=world["branch_a2"], submit=i % 2 == 0
        )
    return request.param


def test_inbox_query_count_is_constant(world, many, client_for, django_assert_num_queries):
    c = client_for(world["alice"])
    # 1 session, 2 user, 3 role assignments (Scope), 4 COUNT, 5 the page's rows with source and
    # target joined, 6-8 session save (savepoint, update, release)
    with django_assert_num_queries(8):
        r = c.get("/members/transfers/?tab=all")
    assert r.status_code == 200


# --- API -----------------------------------------------------------------------------------------


def api_post(client, url, data=None):  # type: ignore[no-untyped-def]
    return client.post(url, data or {}, content_type="application/json")


def logged_in(user):  # type: ignore[no-untyped-def]
    from django.test import Client

    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def test_api_flow_and_refusals(world):
    bob = logged_in(world["bob"])
    m = world["m_a1"]
    r = api_post(
        bob,
        "/api/v1/members/transfers/",
        {"member_id": m.pk, "target_org_id": world["group_a1"].pk, "submit": True},
    )
    assert r.status_code == 400 and "只能转入" in r.json()["fields"]["target_org_id"]
    r = api_post(
        bob,
        "/api/v1/members/transfers/",
        {"member_id": m.pk, "target_org_id": world["branch_a2"].pk, "submit": True},
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert [s["org_name"] for s in data["steps"]] == [
        "紫金社区第一党支部",
        "紫金社区党委",
        "紫金社区第二党支部",
    ]
    tid = data["id"]
    r = api_post(
        bob,
        "/api/v1/members/transfers/",
        {"member_id": m.pk, "target_org_id": world["branch_b1"].pk},
    )
    assert r.status_code == 409 and is_chinese(r.json()["message"])
    r = api_post(bob, f"/api/v1/members/transfers/{tid}/approve")
    assert r.status_code == 409 and "紫金社区党委" in r.json()["message"]
    alice = logged_in(world["alice"])
    assert api_post(alice, f"/api/v1/members/transfers/{tid}/approve").json()["status"] == (
        "approved_out"
    )
    assert bob.get("/api/v1/members/transfers/?tab=outgoing").json()["count"] == 1


def test_api_stranger_gets_404(world, client_for):
    t = start(world)
    c = client_for(world["charlie"])
    assert c.get(f"/api/v1/members/transfers/{t.pk}").status_code == 404
    assert c.get("/api/v1/members/transfers/").json()["count"] == 0
    for action in ("approve", "reject", "withdraw", "complete", "submit"):
        assert api_post(c, f"/api/v1/members/transfers/{t.pk}/{action}").status_code == 404
    r = api_post(
        c,
        "/api/v1/members/transfers/",
        {"member_id": world["m_a1"].pk, "target_org_id": world["branch_b1"].pk},
    )
    assert r.status_code == 404
    assert fresh(t).status == TransferStatus.SUBMITTED


def test_dashboard_panel_counts_only_the_scope(world, client_for, django_assert_num_queries):
    from tongxin.members import panel

    start(world)
    alice_scope = S(world["alice"])
    # 1 transfers waiting for me, 2 双报到 waiting at my communities (党费: the dues app's card)
    with django_assert_num_queries(2):
        data = panel.compute(None, alice_scope)  # type: ignore[arg-type]
    assert data is not None and data["todo"] == 1 and data["dual_waiting"] == 0
    charlie = panel.compute(None, S(world["charlie"]))  # type: ignore[arg-type]
    assert charlie is not None and charlie["todo"] == 0 and charlie["dual_waiting"] is None
    body = texts(client_for(world["alice"]).get("/"))
    assert 'data-testid="transfers-panel"' in body and "待我办理的转接" in body
