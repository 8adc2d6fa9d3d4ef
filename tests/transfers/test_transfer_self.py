"""党员申请转接组织关系: hong (张红's account, branch A1) files her own transfer request on 我的组织关系;
her branch secretary (bob) approves it as the chain's first step in his inbox; she follows the
progress and may withdraw it until the first approval. She sees only her own transfers, decides
nothing, and every bad input is refused with a Chinese message and writes nothing."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest

from tests import factories
from tests.helpers import is_chinese, refused, texts, today
from tongxin.core.models import AuditLog
from tongxin.core.months import add_months
from tongxin.core.scope import scope_for_user
from tongxin.orgs.models import Organization, OrgKind
from tongxin.transfers import selectors, services
from tongxin.transfers.models import (
    StepDecision,
    Transfer,
    TransferOrigin,
    TransferStatus,
    TransferStep,
)

MINE = "/transfers/mine/"
API_MINE = "/api/v1/transfers/mine"


@pytest.fixture
def selfw(world):
    w = world
    w["hong"] = factories.user(
        "hong", "member", org=w["branch_a1"], member=w["m_a1"], display_name="张红"
    )
    w["dave"] = factories.user("dave", "member", org=w["branch_a1"], member=w["m_a1b"])
    w["bob"].display_name = "支部书记 王建"
    w["bob"].save(update_fields=["display_name"])
    return w


def logged_in(user):
    from django.test import Client

    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def api_post(client, url, data=None):
    return client.post(url, data or {}, content_type="application/json")


def request_own(w, target_key="branch_a2", **kw):
    args = {"reason_kind": "job", "reason": "调往新单位", "moved_on": today(), **kw}
    return services.transfer_request_own(actor=w["hong"], target=w[target_key], **args)


def form(w, target_key="branch_a2", **kw):
    return {
        "target": w[target_key].pk,
        "reason_kind": "job",
        "reason": "调往新单位",
        "moved_on": today().isoformat(),
        "action": "submit",
        **kw,
    }


@contextmanager
def nothing_written():
    def state():
        return (
            Transfer.objects.count(),
            TransferStep.objects.filter(decision="").count(),
            list(Transfer.objects.order_by("pk").values_list("status", "current_step")),
            AuditLog.objects.count(),
        )

    before = state()
    yield
    assert state() == before, "a refused request must write nothing"


# --- the flow ----------------------------------------------------------------------------------


def test_a_member_files_and_her_branch_approves_the_first_step(selfw):
    w = selfw
    hong = logged_in(w["hong"])
    body = texts(hong.get(MINE))
    assert 'data-testid="my-org">紫金社区第一党支部<' in body
    assert "申请转接组织关系" in body and "您还没有组织关系转接记录" in body
    # the search lists targets the rules accept, each with its parent's name
    found = texts(hong.get(MINE, {"q": "社区"}))
    assert "孝闻社区党支部" in found and "鼓楼街道党工委" in found
    assert f'for="target-{w["branch_a2"].pk}">紫金社区第二党支部<' in found
    assert f'value="{w["branch_a1"].pk}"' not in found  # her own branch is no target
    # searching again keeps what she typed
    kept = texts(hong.post(MINE, {"q": "第二", "action": "search", "reason": "调往新单位"}))
    assert 'value="调往新单位"' in kept and "紫金社区第二党支部" in kept
    assert not Transfer.objects.exists()

    r = hong.post(MINE, form(w))
    assert r.status_code == 302 and r["Location"] == MINE
    t = Transfer.objects.get()
    assert (t.member, t.requested_by, t.origin) == (w["m_a1"], w["hong"], TransferOrigin.MEMBER)
    assert (t.status, t.current_step) == (TransferStatus.SUBMITTED, 0)
    assert (t.reason_kind, t.reason, t.moved_on) == ("job", "调往新单位", today())
    assert list(t.steps.values_list("org_name", "decision")) == [
        ("紫金社区第一党支部", ""),
        ("紫金社区党委", ""),
        ("紫金社区第二党支部", ""),
    ]
    row = AuditLog.objects.get(action="members.transfer_request")
    assert row.actor == w["hong"] and row.diff["self_filed"] is True
    body = texts(hong.get(MINE))
    assert "已提交转接申请" in body and 'data-testid="my-status">审批中<' in body
    assert 'aria-current="step"' in body and "等待审批" in body and ">撤回申请</button>" in body
    assert 'data-testid="open-notice"' in body and 'name="reason_kind"' not in body

    # bob, her branch secretary: in his inbox as 党员申请, approved as the first step
    bob = logged_in(w["bob"])
    inbox = texts(bob.get("/transfers/?tab=todo"))
    assert "张红" in inbox and 'data-testid="member-request">党员申请<' in inbox
    detail = texts(bob.get(f"/transfers/{t.pk}/"))
    assert (
        'data-testid="member-request-note"' in detail and "以“紫金社区第一党支部”名义审批" in detail
    )
    assert "工作调动" in detail and today().isoformat() in detail and "党员申请转接" in detail
    r = bob.post(f"/transfers/{t.pk}/approve/", {"position": 0, "note": "情况属实"})
    assert r.status_code == 302
    t.refresh_from_db()
    assert (t.status, t.current_step) == (TransferStatus.SUBMITTED, 1)
    first = t.steps.get(position=0)
    assert first.decision == StepDecision.APPROVED and first.decided_by == w["bob"]

    # hong sees who approved when, and whose turn it is now; withdrawing is over
    body = texts(hong.get(MINE))
    assert "审批人：支部书记 王建" in body and "情况属实" in body
    assert ">撤回申请</button>" not in body and "请联系所在党支部" in body
    steps = selectors.own_progress(t)
    assert [(s.org_name, s.decision, s.waiting) for s in steps] == [
        ("紫金社区第一党支部", "approved", False),
        ("紫金社区党委", "", True),
        ("紫金社区第二党支部", "", False),
    ]
    # the rest of the chain as for any transfer
    alice = w["alice"]
    for _ in range(2):
        services.transfer_approve(actor=alice, scope=scope_for_user(alice), transfer=t)
    services.transfer_complete(actor=alice, scope=scope_for_user(alice), transfer=t)
    body = texts(hong.get(MINE))
    assert 'data-testid="my-org">紫金社区第二党支部<' in body and "已完成" in body
    assert 'name="reason_kind"' in body  # nothing open: she may file again


def test_the_branch_may_reject_her_request_and_she_sees_why(selfw):
    w = selfw
    t = request_own(w)
    bob = w["bob"]
    services.transfer_reject(
        actor=bob, scope=scope_for_user(bob), transfer=t, position=0, note="请先办结本支部党费"
    )
    body = texts(logged_in(w["hong"]).get(MINE))
    assert "已退回" in body and "请先办结本支部党费" in body and 'name="reason_kind"' in body


def test_she_withdraws_her_request_before_any_approval(selfw):
    w = selfw
    t = request_own(w)
    hong = logged_in(w["hong"])
    r = hong.post(f"{MINE}{t.pk}/withdraw/", {"note": "单位调动取消"})
    assert r.status_code == 302 and r["Location"] == f"{MINE}?transfer={t.pk}"
    t.refresh_from_db()
    assert t.status == TransferStatus.WITHDRAWN and t.closing_note == "单位调动取消"
    assert AuditLog.objects.filter(action="members.transfer_withdraw", actor=w["hong"]).exists()
    assert [e.action for e in t.events.all()] == ["requested", "withdrawn_by_member"]
    body = texts(hong.get(MINE))
    assert "已撤回" in body and "单位调动取消" in body
    request_own(w, "branch_b1")  # no longer blocks a new one


# --- bad input -----------------------------------------------------------------------------------


def _out_of_rules(w):
    """Organizations that exist but are no target for 张红 (branch A1), with what the service
    says of each."""
    other_root = factories.org("中共杭州市委", OrgKind.COMMITTEE)
    far = factories.org("杭州某党支部", OrgKind.BRANCH, other_root)
    temp = factories.org("紫金临时党支部", OrgKind.BRANCH, w["comm_a_org"])
    Organization.objects.filter(pk=temp.pk).update(is_temporary=True)
    temp.refresh_from_db()
    return [
        (far, "没有共同的上级党组织"),
        (w["group_a1"], "只能转入党支部或党总支"),  # below her branch, and a group
        (w["comm_a_org"], "只能转入党支部或党总支"),  # above her branch, a committee
        (w["city"], "只能转入党支部或党总支"),  # a committee of the same tree
        (w["branch_a1"], "相同"),
        (temp, "临时党组织"),
    ]


def test_targets_out_of_the_rules_are_refused(selfw):
    w = selfw
    for target, text in [(None, "请从查找结果中选择"), *_out_of_rules(w)]:
        with nothing_written(), refused(field="target", contains=text):
            services.transfer_request_own(
                actor=w["hong"], target=target, reason_kind="job", moved_on=today()
            )


def test_an_id_posted_by_hand_tells_nothing_of_the_organization(selfw):
    """The page and the API resolve the posted id only among the targets her search offers:
    a committee, a temporary branch, another tree's branch (or her own, or one below) get
    the very response of an id that does not exist, without the organization's name."""
    import re

    w = selfw
    picked = [o for o, _text in _out_of_rules(w)]
    missing = Organization.objects.order_by("-pk").first().pk + 1000
    hong = logged_in(w["hong"])
    pages, apis = set(), set()
    for pk in [missing, *(o.pk for o in picked)]:
        with nothing_written():
            r = hong.post(MINE, {**form(w), "target": pk})
            body = texts(r)
            assert r.status_code == 200 and "请从查找结果中选择转入的党支部" in body, pk
            # the same page but for the CSRF token, masked anew for every response
            pages.add(re.sub(r'(csrfmiddlewaretoken" value=|X-CSRFToken": )"[^"]*"', "", body))
        with nothing_written():
            r = api_post(
                hong,
                API_MINE,
                {"target_org_id": pk, "reason_kind": "job", "moved_on": today().isoformat()},
            )
            assert r.status_code == 400, r.content
            assert r.json()["fields"] == {"target_org_id": "请从查找结果中选择转入的党支部。"}
            apis.add(r.content)
    assert len(pages) == 1 and len(apis) == 1
    page = next(iter(pages))
    for o in picked:
        if o != w["branch_a1"]:  # her own branch's name is on her page anyway
            assert o.name not in page, o.name
    assert not Transfer.objects.exists()


def test_an_ancestor_general_branch_is_refused_and_never_offered(selfw):
    w = selfw
    gb = factories.org("紫金联合党总支", OrgKind.GENERAL_BRANCH, w["comm_a_org"])
    gb1 = factories.org("紫金联合第一党支部", OrgKind.BRANCH, gb)
    w["m_a1"].org, w["m_a1"].org_path = gb1, gb1.path
    w["m_a1"].save(update_fields=["org", "org_path"])
    with nothing_written(), refused(field="target", contains="上级或下级"):
        services.transfer_request_own(
            actor=w["hong"], target=gb, reason_kind="job", moved_on=today()
        )
    assert [o.name for o in selectors.target_search("紫金联合", source=gb1)] == []
    assert [o.name for o in selectors.target_search("紫金联合", source=gb)] == []


def test_the_search_offers_exactly_the_targets_the_service_accepts(selfw):
    w = selfw
    gb = factories.org("紫金联合党总支", OrgKind.GENERAL_BRANCH, w["comm_a_org"])
    factories.org("紫金联合第一党支部", OrgKind.BRANCH, gb)
    temp = factories.org("紫金临时党支部", OrgKind.BRANCH, w["comm_a_org"])
    Organization.objects.filter(pk=temp.pk).update(is_temporary=True)
    factories.org("杭州某党支部", OrgKind.BRANCH, factories.org("中共杭州市委", OrgKind.COMMITTEE))
    everything = list(Organization.objects.all())
    for source in (w["branch_a1"], gb, w["branch_b1"]):
        offered = {o.pk for o in selectors.target_search("党", limit=100, source=source)}
        accepted = {o.pk for o in everything if not selectors.target_refusal(source, o)}
        assert offered == accepted, source.name
        assert source.pk not in offered


def test_bad_fields_are_refused_with_what_to_fix(selfw):
    w = selfw
    joined = w["m_a1"].joined_on
    too_late = add_months(today(), 3) + dt.timedelta(days=1)
    cases = [
        ({"reason_kind": ""}, "reason_kind", "请选择转接事由"),
        ({"reason_kind": "bogus"}, "reason_kind", "请选择转接事由"),
        ({"reason_kind": "other", "reason": " "}, "reason", "写明转接原因"),
        ({"reason": "长" * 201}, "reason", "200字"),
        ({"moved_on": None}, "moved_on", "请填写迁移日期"),
        ({"moved_on": too_late}, "moved_on", "三个月"),
        ({"moved_on": joined - dt.timedelta(days=1)}, "moved_on", "入党日期"),
    ]
    hong = logged_in(w["hong"])
    for change, field, text in cases:
        with nothing_written(), refused(field=field, contains=text):
            request_own(w, **change)
        page = {
            k: ("" if v is None else v.isoformat() if isinstance(v, dt.date) else v)
            for k, v in change.items()
        }
        with nothing_written():
            r = hong.post(MINE, form(w, **page))
            body = texts(r)
            assert r.status_code == 200 and text in body and 'class="invalid-feedback' in body
            assert f'value="{w["branch_a2"].pk}" checked' in body  # her choice is kept
        payload = {
            "target_org_id": w["branch_a2"].pk,
            "reason_kind": "job",
            "moved_on": today().isoformat(),
            **page,
        }
        if payload["moved_on"] == "":
            payload.pop("moved_on")
        with nothing_written():
            r = api_post(hong, API_MINE, payload)
            assert r.status_code in (400, 422), r.content
            assert field in r.json()["fields"] and is_chinese(r.json()["message"])
    with nothing_written():  # a date that is no date
        r = hong.post(MINE, form(w, moved_on="2026-13-45"))
        assert r.status_code == 200 and "有效的日期" in texts(r)


def test_a_second_open_transfer_is_refused_with_the_reason(selfw):
    w = selfw
    t = request_own(w)
    with nothing_written(), refused(contains="转入紫金社区第二党支部，审批中") as exc:
        request_own(w, "branch_b1")
    assert exc.value.status == 409 and "同一时间只能办理一条" in exc.value.message
    hong = logged_in(w["hong"])
    with nothing_written():
        r = hong.post(MINE, form(w, "branch_b1"))
        assert r.status_code == 200 and "同一时间只能办理一条" in texts(r)
        assert 'data-testid="form-error"' in texts(r)
        r = api_post(
            hong,
            API_MINE,
            {
                "target_org_id": w["branch_b1"].pk,
                "reason_kind": "job",
                "moved_on": today().isoformat(),
            },
        )
        assert r.status_code == 409 and "紫金社区第二党支部" in r.json()["message"]
    # one her branch started blocks her request as well
    services.transfer_withdraw_own(actor=w["hong"], transfer=t)
    services.transfer_create(
        actor=w["bob"], scope=scope_for_user(w["bob"]), member=w["m_a1"], target=w["branch_b1"]
    )
    with nothing_written(), refused(contains="转入孝闻社区党支部，草稿"):
        request_own(w)


def test_withdrawing_after_an_approval_or_what_the_branch_started_is_refused(selfw):
    w = selfw
    t = request_own(w)
    bob = w["bob"]
    services.transfer_approve(actor=bob, scope=scope_for_user(bob), transfer=t, position=0)
    hong = logged_in(w["hong"])
    with nothing_written(), refused(contains="“紫金社区第一党支部”已审批同意"):
        services.transfer_withdraw_own(actor=w["hong"], transfer=t)
    with nothing_written():
        r = hong.post(f"{MINE}{t.pk}/withdraw/", follow=True)
        assert "已审批同意，不能再自行撤回" in texts(r)
        r = api_post(hong, f"{API_MINE}/{t.pk}/withdraw")
        assert r.status_code == 409 and "联系所在党支部" in r.json()["message"]
    # the branch itself still may
    services.transfer_withdraw(actor=bob, scope=scope_for_user(bob), transfer=t)
    with nothing_written(), refused(contains="已经结束"):
        services.transfer_withdraw_own(actor=w["hong"], transfer=t)
    started = services.transfer_create(
        actor=bob, scope=scope_for_user(bob), member=w["m_a1"], target=w["branch_a2"], submit=True
    )
    with nothing_written(), refused(contains="由党组织发起"):
        services.transfer_withdraw_own(actor=w["hong"], transfer=started)
    with nothing_written():
        r = api_post(hong, f"{API_MINE}/{t.pk}/withdraw", {"note": "长" * 201})
        assert r.status_code == 422


def test_an_account_without_a_member_can_file_nothing(selfw):
    w = selfw
    alice = logged_in(w["alice"])
    body = texts(alice.get(MINE))
    assert 'data-testid="no-member"' in body and "尚未关联党员信息" in body
    assert 'name="reason_kind"' not in body
    with nothing_written():
        assert alice.post(MINE, form(w)).status_code == 404
        with refused(contains="尚未关联党员信息"):
            services.transfer_request_own(
                actor=w["alice"], target=w["branch_a2"], reason_kind="job", moved_on=today()
            )
        r = api_post(
            alice,
            API_MINE,
            {
                "target_org_id": w["branch_a2"].pk,
                "reason_kind": "job",
                "moved_on": today().isoformat(),
            },
        )
        assert r.status_code == 400 and "尚未关联党员信息" in r.json()["message"]
        assert alice.get(API_MINE).status_code == 404
        assert alice.get(f"{API_MINE}/targets?q=社区").status_code == 404
    assert not Transfer.objects.exists()


# --- strangers ---------------------------------------------------------------------------------


def test_a_member_sees_only_her_own_and_decides_nothing(selfw):
    w = selfw
    li = services.transfer_create(
        actor=w["bob"],
        scope=scope_for_user(w["bob"]),
        member=w["m_a1b"],
        target=w["branch_a2"],
        reason="李明的原因",
        submit=True,
    )
    zhao = services.transfer_create(
        actor=w["charlie"],
        scope=scope_for_user(w["charlie"]),
        member=w["m_b1"],
        target=w["branch_a2"],
    )
    hong = logged_in(w["hong"])
    body = texts(hong.get(MINE))
    assert "李明" not in body and "赵刚" not in body and "李明的原因" not in body
    for other in (li, zhao):
        with nothing_written():
            for url in (
                f"{MINE}?transfer={other.pk}",
                f"/transfers/{other.pk}/",
                f"/transfers/{other.pk}/letter/",
                f"/api/v1/transfers/{other.pk}",
            ):
                assert hong.get(url).status_code == 404, url
            assert hong.post(f"{MINE}{other.pk}/withdraw/").status_code == 404
            assert api_post(hong, f"{API_MINE}/{other.pk}/withdraw").status_code == 404
            for action in ("approve", "reject", "withdraw", "complete", "submit"):
                url = f"/transfers/{other.pk}/{action}/"
                assert hong.post(url, {"note": "x", "position": 1}).status_code == 404
    assert hong.get(f"{MINE}?transfer=x").status_code == 404
    for tab in selectors.TABS:
        assert "李明" not in texts(hong.get(f"/transfers/?tab={tab}"))
    assert hong.get("/api/v1/transfers/?tab=all").json()["count"] == 0
    # she files for herself only: a member id in the form is ignored, the branch's form is not hers
    assert hong.post(MINE, {**form(w, "branch_b1"), "member": w["m_a2"].pk}).status_code == 302
    assert not w["m_a2"].transfers.exists()
    assert (
        hong.post(f"/transfers/new/{w['m_a2'].pk}/", {"target": w["branch_b1"].pk}).status_code
        == 404
    )
    r = api_post(
        hong,
        "/api/v1/transfers/",
        {"member_id": w["m_a2"].pk, "target_org_id": w["branch_b1"].pk},
    )
    assert r.status_code == 404
    # and she cannot approve her own request, neither on the page nor in the API
    mine = Transfer.objects.get(member=w["m_a1"])
    with nothing_written():
        assert hong.get(f"/transfers/{mine.pk}/").status_code == 404
        assert hong.post(f"/transfers/{mine.pk}/approve/", {"position": 0}).status_code == 404
        assert api_post(hong, f"/api/v1/transfers/{mine.pk}/approve").status_code == 404
        # called directly, the service itself refuses her (her scope does not reach it)
        with refused(contains="不在您的管辖范围内"):
            services.transfer_approve(
                actor=w["hong"], scope=scope_for_user(w["hong"]), transfer=mine
            )
    # dave, a member of the same branch, does not see hers
    dave = logged_in(w["dave"])
    assert dave.get(f"{MINE}?transfer={mine.pk}").status_code == 404
    with nothing_written():
        assert dave.post(f"{MINE}{mine.pk}/withdraw/").status_code == 404
    body = texts(dave.get(MINE))
    assert "孝闻社区党支部" not in body  # hong's target
    assert [t["id"] for t in dave.get(API_MINE).json()["transfers"]] == [li.pk]


def test_the_stranger_branch_sees_no_request_of_hers(selfw):
    w = selfw
    t = request_own(w)
    c = logged_in(w["charlie"])
    assert c.get(f"/transfers/{t.pk}/").status_code == 404
    for tab in selectors.TABS:
        assert "张红" not in texts(c.get(f"/transfers/?tab={tab}"))
    with nothing_written():
        assert c.post(f"/transfers/{t.pk}/approve/", {"position": 0}).status_code == 404
        assert c.post(f"{MINE}{t.pk}/withdraw/").status_code == 404
    assert 'data-testid="no-member"' in texts(c.get(MINE))


# --- API -----------------------------------------------------------------------------------------


def test_api_files_shows_progress_and_withdraws(selfw):
    w = selfw
    hong = logged_in(w["hong"])
    data = hong.get(API_MINE).json()
    assert data["org_name"] == "紫金社区第一党支部" and data["open"] is None
    targets = hong.get(f"{API_MINE}/targets", {"q": "社区"}).json()
    assert {
        "name": "孝闻社区党支部",
        "parent_name": "鼓楼街道党工委",
        "id": w["branch_b1"].pk,
    } in targets
    assert w["branch_a1"].pk not in [o["id"] for o in targets]
    r = api_post(
        hong,
        API_MINE,
        {
            "target_org_id": w["branch_b1"].pk,
            "reason_kind": "study",
            "reason": "考入研究生",
            "moved_on": today().isoformat(),
        },
    )
    assert r.status_code == 201, r.content
    t = r.json()
    assert (t["status"], t["origin"], t["current_step"], t["can_withdraw"]) == (
        "submitted",
        "member",
        0,
        True,
    )
    assert [s["waiting"] for s in t["steps"]] == [True] + [False] * 5
    bob = logged_in(w["bob"])
    assert api_post(bob, f"/api/v1/transfers/{t['id']}/approve", {"position": 0}).status_code == 200
    data = hong.get(API_MINE).json()
    first = data["open"]["steps"][0]
    assert first["decision"] == "approved" and first["decided_by"] == "支部书记 王建"
    assert data["open"]["can_withdraw"] is False and data["open"]["steps"][1]["waiting"]
    assert set(first) == {
        "position",
        "org_name",
        "role",
        "decision",
        "decided_at",
        "decided_by",
        "note",
        "waiting",
    }


def test_api_withdraw(selfw):
    w = selfw
    t = request_own(w)
    r = api_post(logged_in(w["hong"]), f"{API_MINE}/{t.pk}/withdraw", {"note": "不调了"})
    assert r.status_code == 200 and r.json()["status"] == "withdrawn"
    assert r.json()["closing_note"] == "不调了"


def test_my_page_links_to_it(selfw):
    assert f'href="{MINE}"' in texts(logged_in(selfw["hong"]).get("/me/"))
    assert f'href="{MINE}"' not in texts(logged_in(selfw["alice"]).get("/me/"))


# --- query counts --------------------------------------------------------------------------------


@pytest.fixture(params=[2, 20], ids=["2 transfers", "20 transfers"])
def many_own(request, selfw):
    w = selfw
    for _ in range(request.param):
        t = request_own(w)
        services.transfer_withdraw_own(actor=w["hong"], transfer=t)
    request_own(w)
    return request.param


def test_my_page_query_count_is_constant(selfw, many_own, django_assert_num_queries):
    c = logged_in(selfw["hong"])
    # 1 session, 2 user, 3 role assignments (Scope), 4 the member with her organization,
    # 5 her latest 20 transfers with source and target, 6 the shown one's steps with approvers,
    # 7-9 session save (savepoint, update, release)
    with django_assert_num_queries(9):
        r = c.get(MINE)
    assert r.status_code == 200 and 'data-testid="my-chain"' in texts(r)
    # the API: 1 session, 2 user (no Scope: only her own), 3 the member, 4 her transfers,
    # 5 their steps with approvers (the session is not saved again within the minute)
    with django_assert_num_queries(5):
        r = c.get(API_MINE)
    assert r.status_code == 200 and len(r.json()["transfers"]) == min(many_own + 1, 20)
