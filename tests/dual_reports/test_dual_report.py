"""双报到: filing, the community's acceptance, hours, both sides' scopes, bad input, strangers."""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest

from tests import factories
from tests.helpers import is_chinese, refused, texts, today
from tongxin.core.models import AuditLog
from tongxin.core.scope import Scope, scope_for_user
from tongxin.dual_reports import selectors, services
from tongxin.dual_reports.forms import parse_hours
from tongxin.dual_reports.models import DualReport, DualReportHours, DualReportStatus


@pytest.fixture
def sides(world):
    """张红 (branch A1, bob's) lives in street B: she reports to 孝闻社区, run by dora."""
    world["dora"] = factories.user("dora", "street_secretary", org=world["street_b"])
    r = services.dual_report_create(
        actor=world["bob"],
        scope=scope_for_user(world["bob"]),
        member=world["m_a1"],
        community=world["comm_b"],
        reported_on=today(),
    )
    world["report"] = r
    return world


def accept(w):
    return services.dual_report_accept(
        actor=w["dora"], scope=scope_for_user(w["dora"]), report=w["report"], service_post="楼道长"
    )


@contextmanager
def no_hours_change():
    before = list(DualReportHours.objects.values_list("id", "minutes"))
    yield
    assert before == list(DualReportHours.objects.values_list("id", "minutes"))


def test_the_community_accepts_and_logs_hours_the_branch_sees_them(sides, client_for):
    w = sides
    r = accept(w)
    assert r.status == DualReportStatus.ACCEPTED and r.service_post == "楼道长"
    services.dual_report_hours_log(
        actor=w["dora"],
        scope=scope_for_user(w["dora"]),
        dual_report=r,
        served_on=today(),
        minutes=90,
        note="清理楼道",
    )
    body = texts(client_for(w["bob"]).get(f"/dual-reports/?org={w['branch_a1'].pk}"))
    assert "张红" in body and "1小时30分钟" in body and "楼道长" in body
    assert "1小时30分钟" in texts(client_for(w["bob"]).get(f"/dual-reports/{r.pk}/"))
    assert {
        "members.dual_report_create",
        "members.dual_report_accept",
        "members.dual_report_hours",
    } <= set(AuditLog.objects.values_list("action", flat=True))


def test_who_may_accept(sides):
    w = sides
    # bob manages the member, not the community; charlie's branch sits in the community but a
    # branch secretary holds no orgs.manage
    for user in (w["bob"], w["charlie"]):
        with refused(contains="报到社区的管理人员"):
            services.dual_report_accept(
                actor=user, scope=scope_for_user(user), report=w["report"], service_post="x"
            )
    assert DualReport.objects.get().status == DualReportStatus.REPORTED
    # an area-anchored manager of the community may
    area_mgr = factories.user("ann", "street_secretary", area=w["street_b_area"])
    assert selectors.manages_community(scope_for_user(area_mgr), w["comm_b"])


def test_bad_input_is_refused_and_changes_nothing(sides):
    w = sides
    with refused(field="service_post", contains="服务岗位"):
        services.dual_report_accept(
            actor=w["dora"], scope=scope_for_user(w["dora"]), report=w["report"], service_post="  "
        )
    with no_hours_change(), refused(contains="接收双报到之后"):
        services.dual_report_hours_log(
            actor=w["dora"],
            scope=scope_for_user(w["dora"]),
            dual_report=w["report"],
            served_on=today(),
            minutes=60,
        )
    r = accept(w)
    for minutes, field, text in [
        (-30, "minutes", "1分钟到24小时"),
        (0, "minutes", "1分钟"),
        (24 * 60 + 1, "minutes", "24小时"),
        (10**9, "minutes", "24小时"),
    ]:
        with no_hours_change(), refused(field=field, contains=text):
            services.dual_report_hours_log(
                actor=w["dora"],
                scope=scope_for_user(w["dora"]),
                dual_report=r,
                served_on=today(),
                minutes=minutes,
            )
    with no_hours_change(), refused(field="served_on", contains="晚于今天"):
        services.dual_report_hours_log(
            actor=w["dora"],
            scope=scope_for_user(w["dora"]),
            dual_report=r,
            served_on=today() + dt.timedelta(days=1),
            minutes=60,
        )
    with no_hours_change(), refused(field="served_on", contains="早于"):
        services.dual_report_hours_log(
            actor=w["dora"],
            scope=scope_for_user(w["dora"]),
            dual_report=r,
            served_on=today() - dt.timedelta(days=3),
            minutes=60,
        )
    services.dual_report_hours_log(
        actor=w["dora"],
        scope=scope_for_user(w["dora"]),
        dual_report=r,
        served_on=today(),
        minutes=20 * 60,
    )
    with no_hours_change(), refused(field="minutes", contains="一天合计不能超过24小时"):
        services.dual_report_hours_log(
            actor=w["dora"],
            scope=scope_for_user(w["dora"]),
            dual_report=r,
            served_on=today(),
            minutes=5 * 60,
        )
    for text in ("-1", "0", "25", "abc", "1e5", "NaN"):
        with refused(field="hours"):
            parse_hours(text)
    assert parse_hours("1.5") == 90


def test_a_second_open_report_is_refused(sides):
    w = sides
    with refused(contains="未结束的双报到") as exc:
        services.dual_report_create(
            actor=w["bob"], scope=scope_for_user(w["bob"]), member=w["m_a1"], community=w["comm_a"]
        )
    assert exc.value.status == 409 and DualReport.objects.count() == 1
    with refused(field="community", contains="社区"):
        services.dual_report_create(
            actor=w["bob"],
            scope=scope_for_user(w["bob"]),
            member=w["m_a1b"],
            community=w["compound_a"],
        )


def test_other_modules_log_hours_once_per_source_ref(sides):
    w = sides
    r = accept(w)
    kw = dict(
        actor=None,
        scope=Scope.everything(),
        dual_report=r,
        served_on=today(),
        minutes=120,
        source="volunteering",
        source_ref="activity:7:member:1",
    )
    services.dual_report_hours_log(**kw)
    with no_hours_change(), refused(contains="已经登记过") as exc:
        services.dual_report_hours_log(**kw)
    assert exc.value.status == 409


def test_pages_file_accept_and_log_hours(sides, client_for):
    w = sides
    bob = client_for(w["bob"])
    m = w["m_a1b"]
    r = bob.post(
        f"/dual-reports/new/{m.pk}/",
        {"community": w["comm_a"].pk, "reported_on": today().isoformat()},
    )
    assert r.status_code == 302
    dora = client_for(w["dora"])
    report = w["report"]
    assert "张红" in texts(dora.get("/dual-reports/?tab=community"))
    dora.post(f"/dual-reports/{report.pk}/accept/", {"service_post": "文明劝导"})
    body = texts(
        dora.post(
            f"/dual-reports/{report.pk}/hours/", {"served_on": today().isoformat(), "hours": "-2"}
        )
    )
    assert "0.1至24之间" in body and DualReportHours.objects.count() == 0
    r = dora.post(
        f"/dual-reports/{report.pk}/hours/",
        {"served_on": today().isoformat(), "hours": "2.5", "note": "巡查"},
    )
    assert r.status_code == 302
    assert DualReportHours.objects.get().minutes == 150
    # dora sees the report, but not the member's record (another street's branch)
    assert dora.get(f"/members/{w['m_a1'].pk}/").status_code == 404


def test_stranger_sees_nothing(sides, client_for):
    w = sides
    accept(w)
    c = client_for(w["charlie"])  # a branch in street B: neither side
    report = w["report"]
    assert c.get(f"/dual-reports/{report.pk}/").status_code == 404
    for action in ("accept", "decline", "end", "hours"):
        assert c.post(f"/dual-reports/{report.pk}/{action}/", {"note": "x"}).status_code == 404
    assert (
        c.post(f"/dual-reports/new/{w['m_a1'].pk}/", {"community": w["comm_b"].pk}).status_code
        == 404
    )
    for tab in ("members", "community"):
        assert "张红" not in texts(c.get(f"/dual-reports/?tab={tab}"))
    assert c.get(f"/api/v1/dual-reports/{report.pk}").status_code == 404
    assert c.get("/api/v1/dual-reports/?tab=community").json()["count"] == 0
    r = c.post(
        f"/api/v1/dual-reports/{report.pk}/hours",
        {"served_on": today().isoformat(), "minutes": 60},
        content_type="application/json",
    )
    assert r.status_code == 404 and DualReportHours.objects.count() == 0
    # bob (member side) may not log hours: the community does
    r = client_for(w["bob"]).post(
        f"/api/v1/dual-reports/{report.pk}/hours",
        {"served_on": today().isoformat(), "minutes": 60},
        content_type="application/json",
    )
    assert r.status_code == 404


def logged_in(user):
    from django.test import Client

    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def test_api_flow(sides):
    w = sides
    bob, dora = logged_in(w["bob"]), logged_in(w["dora"])
    r = bob.post(
        "/api/v1/dual-reports/",
        {"member_id": w["m_a1b"].pk, "community_id": w["comm_a"].pk},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "reported"
    rid = w["report"].pk
    r = dora.post(
        f"/api/v1/dual-reports/{rid}/accept",
        {"service_post": "楼道长"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["status"] == "accepted"
    r = dora.post(
        f"/api/v1/dual-reports/{rid}/hours",
        {"served_on": today().isoformat(), "minutes": -5},
        content_type="application/json",
    )
    assert r.status_code == 400 and is_chinese(r.json()["fields"]["minutes"])
    r = dora.post(
        f"/api/v1/dual-reports/{rid}/hours",
        {"served_on": today().isoformat(), "minutes": 45},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert bob.get(f"/api/v1/dual-reports/{rid}").json()["total_minutes"] == 45


@pytest.fixture(params=[3, 30], ids=["3 reports", "30 reports"])
def many(request, world):
    for _i in range(request.param):
        m = factories.member(world["branch_a1"])
        r = services.dual_report_create(
            actor=None, scope=Scope.everything(), member=m, community=world["comm_a"]
        )
        DualReportHours.objects.create(dual_report=r, served_on=today(), minutes=30)
    return request.param


def test_list_query_count_is_constant(world, many, client_for, django_assert_num_queries):
    c = client_for(world["alice"])
    # 1 session, 2 user, 3 role assignments, 4 COUNT, 5 rows with member, organization,
    # community and the summed minutes, 6-8 session save
    with django_assert_num_queries(8):
        r = c.get("/dual-reports/?tab=members")
    assert r.status_code == 200 and "30分钟" in texts(r)


def test_one_open_report_per_member_is_also_a_database_constraint(sides):
    from django.db import IntegrityError, transaction

    w = sides
    with pytest.raises(IntegrityError), transaction.atomic():
        DualReport.objects.create(member=w["m_a1"], community=w["comm_a"], reported_on=today())


def test_hours_list_query_count_is_constant(sides, client_for, django_assert_num_queries):
    w = sides
    r = accept(w)
    for i in range(3):
        DualReportHours.objects.create(dual_report=r, served_on=today(), minutes=10 + i)
    c = client_for(w["dora"])

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert c.get(f"/dual-reports/{r.pk}/").status_code == 200
        return len(ctx.captured_queries)

    c.get(f"/dual-reports/{r.pk}/")  # the first request after signing in saves the session
    few = count()
    for i in range(27):
        DualReportHours.objects.create(
            dual_report=r, served_on=today(), minutes=1 + i % 5, source="t", source_ref=str(i)
        )
    # 1 session, 2 user, 3 role assignments, 4 the report with member, organization, community
    # and summed minutes, 5 may the user manage the community, 6 may they see the member,
    # 7 COUNT and 8 page of hours (the session is not saved again within the minute)
    with django_assert_num_queries(few):
        assert c.get(f"/dual-reports/{r.pk}/").status_code == 200
