"""双报到's addresses before it became its own app (/members/dual/…, /api/v1/members/dual-reports…)
answer with permanent redirects to the new ones; the 工作台's count of reports waiting for my
community comes from the app through the 工作台's figures."""

from __future__ import annotations

import pytest

from tests import factories
from tongxin.core.scope import Scope, scope_for_user
from tongxin.dual_reports import panel, services
from tongxin.dual_reports.models import DualReport


@pytest.fixture
def report(world):
    return services.dual_report_create(
        actor=None, scope=Scope.everything(), member=world["m_a1"], community=world["comm_a"]
    )


def test_the_list_moved(world, client_for):
    r = client_for(world["alice"]).get("/members/dual/?tab=community&org=7")
    assert r.status_code == 301 and r["Location"] == "/dual-reports/?tab=community&org=7"


def test_my_page_moved(world, client_for):
    r = client_for(world["alice"]).get("/members/dual/mine/?report=3")
    assert r.status_code == 301 and r["Location"] == "/dual-reports/mine/?report=3"


def test_the_report_page_moved(world, report, client_for):
    r = client_for(world["alice"]).get(f"/members/dual/{report.pk}/?page=2")
    assert r.status_code == 301 and r["Location"] == f"/dual-reports/{report.pk}/?page=2"


def test_an_action_posted_to_the_old_address_is_posted_again(world, report, client_for):
    c = client_for(world["alice"])
    r = c.post(f"/members/dual/{report.pk}/accept/", {"service_post": "楼道长"})
    assert r.status_code == 308 and r["Location"] == f"/dual-reports/{report.pk}/accept/"
    assert DualReport.objects.get().status == "reported"  # the redirect itself changes nothing
    r = c.post(f"/members/dual/{report.pk}/accept/", {"service_post": "楼道长"}, follow=True)
    assert r.status_code == 200 and DualReport.objects.get().status == "accepted"


def test_filing_from_the_member_page_moved(world, client_for):
    m = world["m_a1b"]
    r = client_for(world["bob"]).get(f"/members/{m.pk}/dual/")
    assert r.status_code == 301 and r["Location"] == f"/dual-reports/new/{m.pk}/"
    assert client_for(world["bob"]).get(r["Location"]).status_code == 200


def test_the_api_moved(world, report, client_for):
    c = client_for(world["alice"])
    r = c.get("/api/v1/members/dual-reports/?tab=community")
    assert r.status_code == 301 and r["Location"] == "/api/v1/dual-reports/?tab=community"
    r = c.get(f"/api/v1/members/dual-reports/{report.pk}")
    assert r.status_code == 301 and r["Location"] == f"/api/v1/dual-reports/{report.pk}"
    r = c.post(
        f"/api/v1/members/dual-reports/{report.pk}/accept",
        {"service_post": "楼道长"},
        content_type="application/json",
    )
    assert r.status_code == 308 and r["Location"] == f"/api/v1/dual-reports/{report.pk}/accept"
    assert c.get(f"/api/v1/dual-reports/{report.pk}").json()["status"] == "reported"


def test_the_waiting_count_on_the_dashboard_card(
    world, report, client_for, django_assert_num_queries
):
    # alice runs street A (its community 紫金社区): one report waits for her, one query
    alice = scope_for_user(world["alice"])
    with django_assert_num_queries(1):
        data = panel.waiting_figure(None, alice)
    assert data == {"dual_waiting": 1}
    # charlie sees members but manages no community; a member without staff roles sees nothing
    assert panel.waiting_figure(None, scope_for_user(world["charlie"])) == {"dual_waiting": None}
    hong = factories.user("hong", "member", org=world["branch_a1"], member=world["m_a1"])
    assert panel.waiting_figure(None, scope_for_user(hong)) == {}
    body = client_for(world["alice"]).get("/").content.decode()
    assert 'href="/dual-reports/?tab=community"' in body
