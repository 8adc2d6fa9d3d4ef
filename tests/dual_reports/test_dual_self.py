"""双报到 filed by the member themselves: hong (张红's account, branch A1, living in 紫金社区)
reports to her community; alice (street A) accepts it and logs hours; hong sees them on her
own page. Nobody sees or files anybody else's through these pages; bad input changes nothing."""

from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import is_chinese, refused, texts, today
from tongxin.core.models import AuditLog
from tongxin.core.scope import scope_for_user
from tongxin.dual_reports import services
from tongxin.dual_reports.models import DualReport, DualReportHours, DualReportStatus


@pytest.fixture
def selfw(world):
    w = world
    w["hong"] = factories.user(
        "hong", "member", org=w["branch_a1"], member=w["m_a1"], display_name="张红"
    )
    w["dave"] = factories.user("dave", "member", org=w["branch_a1"], member=w["m_a1b"])
    return w


def logged_in(user):
    from django.test import Client

    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def test_a_member_files_her_own_report_and_the_community_takes_it_on(selfw):
    w = selfw
    hong = logged_in(w["hong"])
    body = texts(hong.get("/dual-reports/mine/"))
    assert "向居住地社区报到" in body and "您还没有双报到记录" in body
    # her residence's community is chosen already
    assert f'<option value="{w["comm_a"].pk}" selected>紫金社区</option>' in body
    r = hong.post("/dual-reports/mine/", {"community": w["comm_a"].pk, "note": "周末有空"})
    assert r.status_code == 302 and r["Location"] == "/dual-reports/mine/"
    report = DualReport.objects.get()
    assert report.member == w["m_a1"] and report.created_by == w["hong"]
    assert report.status == DualReportStatus.REPORTED and report.reported_on == today()
    row = AuditLog.objects.get(action="members.dual_report_create")
    assert row.actor == w["hong"] and row.diff["self_filed"] is True
    body = texts(hong.get("/dual-reports/mine/"))
    assert "待社区接收" in body and 'data-testid="open-notice"' in body
    # the community (alice, street A) accepts it as any other report
    alice = logged_in(w["alice"])
    assert "张红" in texts(alice.get("/dual-reports/?tab=community"))
    assert (
        alice.post(f"/dual-reports/{report.pk}/accept/", {"service_post": "楼道长"}).status_code
        == 302
    )
    r = alice.post(
        f"/dual-reports/{report.pk}/hours/",
        {"served_on": today().isoformat(), "hours": "1.5", "note": "清理楼道"},
    )
    assert r.status_code == 302
    body = texts(hong.get("/dual-reports/mine/"))
    assert "已接收" in body and "楼道长" in body and "清理楼道" in body
    assert 'data-testid="my-total-hours">1小时30分钟<' in body


def test_a_second_open_report_is_refused_with_the_reason(selfw):
    w = selfw
    services.dual_report_file_own(actor=w["hong"], community=w["comm_a"])
    with refused(contains="您已有一条未结束的双报到（紫金社区，待社区接收）") as exc:
        services.dual_report_file_own(actor=w["hong"], community=w["comm_b"])
    assert exc.value.status == 409 and DualReport.objects.count() == 1
    r = logged_in(w["hong"]).post("/dual-reports/mine/", {"community": w["comm_b"].pk})
    assert r.status_code == 200 and "一名党员同时只能向一个社区报到" in texts(r)
    assert DualReport.objects.count() == 1
    r = logged_in(w["hong"]).post(
        "/api/v1/dual-reports/mine",
        {"community_id": w["comm_b"].pk},
        content_type="application/json",
    )
    assert r.status_code == 409 and "紫金社区" in r.json()["message"]
    # once the community declines it, she may report again
    alice = w["alice"]
    services.dual_report_decline(
        actor=alice,
        scope=scope_for_user(alice),
        report=DualReport.objects.get(),
        note="居住地不在本社区",
    )
    services.dual_report_file_own(actor=w["hong"], community=w["comm_b"])
    assert DualReport.objects.count() == 2
    assert "居住地不在本社区" in texts(logged_in(w["hong"]).get("/dual-reports/mine/"))


def test_bad_input_is_refused_and_changes_nothing(selfw):
    w = selfw
    hong = logged_in(w["hong"])
    for data, text in [
        ({"community": ""}, "这个字段是必填项"),
        ({"community": w["compound_a"].pk}, "选择一个有效的选项"),  # not a community
        ({"community": "999999"}, "选择一个有效的选项"),
        ({"community": w["comm_a"].pk, "note": "长" * 201}, "200"),
    ]:
        r = hong.post("/dual-reports/mine/", data)
        assert r.status_code == 200 and text in texts(r), data
    with refused(field="community", contains="居住地所在的社区"):
        services.dual_report_file_own(actor=w["hong"], community=w["compound_a"])
    with refused(field="note", contains="200字"):
        services.dual_report_file_own(actor=w["hong"], community=w["comm_a"], note="长" * 201)
    for payload, status, field in [
        ({"community_id": w["compound_a"].pk}, 400, "community_id"),
        ({"community_id": 999999}, 400, "community_id"),
        ({}, 422, "community_id"),
        ({"community_id": w["comm_a"].pk, "note": "长" * 201}, 422, "note"),
    ]:
        r = hong.post("/api/v1/dual-reports/mine", payload, content_type="application/json")
        assert r.status_code == status and field in r.json()["fields"], (payload, r.content)
        assert is_chinese(r.json()["message"])
    assert not DualReport.objects.exists()


def test_an_account_without_a_member_cannot_file(selfw):
    w = selfw
    alice = logged_in(w["alice"])
    body = texts(alice.get("/dual-reports/mine/"))
    assert 'data-testid="no-member"' in body and "尚未关联党员信息" in body
    assert alice.post("/dual-reports/mine/", {"community": w["comm_a"].pk}).status_code == 404
    with refused(contains="尚未关联党员信息"):
        services.dual_report_file_own(actor=w["alice"], community=w["comm_a"])
    r = alice.post(
        "/api/v1/dual-reports/mine",
        {"community_id": w["comm_a"].pk},
        content_type="application/json",
    )
    assert r.status_code == 400 and "尚未关联党员信息" in r.json()["message"]
    assert alice.get("/api/v1/dual-reports/mine").json()["count"] == 0
    assert not DualReport.objects.exists()


def test_a_member_sees_and_files_only_her_own(selfw):
    w = selfw
    # 李明 (dave's member) and 赵刚 (branch B1) have reports of their own
    li = services.dual_report_create(
        actor=w["bob"], scope=scope_for_user(w["bob"]), member=w["m_a1b"], community=w["comm_a"]
    )
    zhao = services.dual_report_create(
        actor=w["charlie"],
        scope=scope_for_user(w["charlie"]),
        member=w["m_b1"],
        community=w["comm_b"],
    )
    DualReportHours.objects.create(dual_report=li, served_on=today(), minutes=30, note="李明的服务")
    hong = logged_in(w["hong"])
    body = texts(hong.get("/dual-reports/mine/"))
    assert "李明" not in body and "赵刚" not in body and "李明的服务" not in body
    assert "您还没有双报到记录" in body
    for other in (li, zhao):
        assert hong.get(f"/dual-reports/mine/?report={other.pk}").status_code == 404
        assert hong.get(f"/dual-reports/{other.pk}/").status_code == 404
        assert hong.get(f"/api/v1/dual-reports/{other.pk}").status_code == 404
    assert hong.get("/dual-reports/mine/?report=x").status_code == 404
    assert hong.get("/api/v1/dual-reports/mine").json()["count"] == 0
    # she cannot file for someone else: the branch's page and API are not hers, and the
    # form's member is always her own
    assert (
        hong.post(f"/dual-reports/new/{w['m_a2'].pk}/", {"community": w["comm_a"].pk}).status_code
        == 404
    )
    r = hong.post(
        "/api/v1/dual-reports/",
        {"member_id": w["m_a2"].pk, "community_id": w["comm_a"].pk},
        content_type="application/json",
    )
    assert r.status_code == 404
    r = hong.post("/dual-reports/mine/", {"community": w["comm_a"].pk, "member": w["m_a2"].pk})
    assert r.status_code == 302
    assert list(
        DualReport.objects.filter(created_by=w["hong"]).values_list("member", flat=True)
    ) == [w["m_a1"].pk]
    assert not w["m_a2"].dual_reports.exists()
    # and dave, a member too, does not see hong's
    mine = DualReport.objects.get(member=w["m_a1"])
    dave = logged_in(w["dave"])
    assert dave.get(f"/dual-reports/mine/?report={mine.pk}").status_code == 404
    assert "紫金社区" in texts(dave.get("/dual-reports/mine/"))  # his own report's community
    assert [r["member_name"] for r in dave.get("/api/v1/dual-reports/mine").json()["results"]] == [
        "李明"
    ]


def test_the_dashboard_and_my_page_link_to_it(selfw):
    w = selfw
    hong = logged_in(w["hong"])
    body = texts(hong.get("/"))
    assert 'data-testid="my-dual-panel"' in body and "去报到" in body
    assert 'href="/dual-reports/mine/"' in texts(hong.get("/me/"))
    # staff without a member account see no such card
    assert 'data-testid="my-dual-panel"' not in texts(logged_in(w["alice"]).get("/"))


@pytest.fixture(params=[3, 30], ids=["3 hours", "30 hours"])
def many_hours(request, selfw):
    w = selfw
    r = services.dual_report_file_own(actor=w["hong"], community=w["comm_a"])
    DualReport.objects.filter(pk=r.pk).update(status="accepted", accepted_on=today())
    for i in range(request.param):
        DualReportHours.objects.create(
            dual_report=r, served_on=today(), minutes=1 + i % 5, source="t", source_ref=str(i)
        )
    return request.param


def test_my_page_query_count_is_constant(selfw, many_hours, client_for, django_assert_num_queries):
    c = client_for(selfw["hong"])
    # 1 session, 2 user, 3 role assignments, 4 the member (organization, residence),
    # 5 her reports with the summed minutes, 6 the residence's community, 7 COUNT and
    # 8 page of the shown report's hours, 9-11 session save (no community choices: with a
    # report open the form is not shown)
    with django_assert_num_queries(11):
        r = c.get("/dual-reports/mine/")
    assert r.status_code == 200 and 'data-testid="my-hours"' in texts(r)
