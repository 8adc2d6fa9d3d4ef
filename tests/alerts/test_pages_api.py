"""预警 pages and API: the list per subtree with filters, the 工作台 card, acknowledging, and
a stranger's 404 on every one of them (nothing changes)."""

from __future__ import annotations

import pytest

from tests.helpers import is_chinese
from tongxin.alerts import services
from tongxin.alerts.models import Alert, AlertState

pytestmark = pytest.mark.django_db


@pytest.fixture
def swept(world, t0):
    services.sweep(now=t0)
    world["alert"] = Alert.objects.get(rule_key="meetings-overdue", org=world["branch_a1"])
    return world


def test_the_list_shows_the_subtree_with_filters(swept, client_for):
    c = client_for(swept["alice"])
    page = c.get("/alerts/").content.decode()
    assert "紫金社区第一党支部：三会一课逾期" in page
    assert "孝闻社区党支部" not in page  # street B is not alice's
    page = c.get(f"/alerts/?org={swept['branch_a2'].pk}&rule=meetings-overdue").content.decode()
    assert "紫金社区第二党支部" in page and "第一党支部" not in page
    assert "没有预警" in c.get("/alerts/?state=resolved").content.decode()
    assert c.get("/alerts/?level=nonsense&state=zzz").status_code == 200


def test_the_dashboard_counts_warnings(swept, client_for):
    page = client_for(swept["bob"]).get("/").content.decode()
    assert 'data-testid="alerts-panel"' in page


def test_the_owner_acknowledges_on_the_page(swept, client_for):
    c, alert = client_for(swept["bob"]), swept["alert"]
    r = c.post(f"/alerts/{alert.pk}/", {"note": ""})
    assert r.status_code == 200 and "签收说明" in r.content.decode()
    r = c.post(f"/alerts/{alert.pk}/", {"note": "周五召开支委会"})
    assert r.status_code == 302
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED


def test_a_stranger_gets_404_on_the_pages(swept, client_for):
    c, alert = client_for(swept["charlie"]), swept["alert"]
    assert c.get(f"/alerts/{alert.pk}/").status_code == 404
    assert c.post(f"/alerts/{alert.pk}/", {"note": "我来"}).status_code == 404
    assert c.get(f"/alerts/?org={swept['branch_a1'].pk}").status_code == 404
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN and not alert.note


def test_a_member_without_grants_has_no_warnings_page(swept, client_for):
    from tests.factories import user

    c = client_for(user("dave"))
    assert c.get("/alerts/").status_code == 404
    assert c.get("/api/v1/alerts/warnings").json()["count"] == 0


def test_the_api_lists_and_acknowledges(swept, client_for):
    c, alert = client_for(swept["bob"]), swept["alert"]
    data = c.get("/api/v1/alerts/warnings?rule=meetings-overdue").json()
    assert [r["id"] for r in data["results"]] == [alert.pk]
    url = f"/api/v1/alerts/warnings/{alert.pk}/acknowledge"
    r = c.post(url, {"note": ""}, content_type="application/json")
    assert r.status_code == 400 and is_chinese(r.json()["fields"]["note"])
    r = c.post(url, {"note": "已安排"}, content_type="application/json")
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    r = c.post(url, {"note": "再签"}, content_type="application/json")
    assert r.status_code == 409


def test_a_stranger_gets_404_in_the_api(swept, client_for):
    c, alert = client_for(swept["charlie"]), swept["alert"]
    ids = [r["id"] for r in c.get("/api/v1/alerts/warnings?state=all").json()["results"]]
    assert alert.pk not in ids
    r = c.post(
        f"/api/v1/alerts/warnings/{alert.pk}/acknowledge",
        {"note": "我来"},
        content_type="application/json",
    )
    assert r.status_code == 404
    assert c.get(f"/api/v1/alerts/warnings?org_id={swept['branch_a1'].pk}").status_code == 404
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


def test_above_sees_but_the_stranger_in_between_does_not(swept, client_for):
    # alice (street A) may acknowledge for a branch below her; charlie may not see it at all
    c, alert = client_for(swept["alice"]), swept["alert"]
    r = c.post(f"/alerts/{alert.pk}/", {"note": "街道督促"})
    assert r.status_code == 302


def test_the_list_page_has_a_fixed_number_of_queries(swept, client_for, django_assert_num_queries):
    c = client_for(swept["alice"])
    c.get("/alerts/")  # the session and the user are warm after the first request
    # session, user, role assignments (scope), active rules, count, page rows (with org, owner
    # and rule joined), live counts by level, whether the user may edit the rules, and the
    # session's activity stamp (savepoint, update, release)
    with django_assert_num_queries(8):
        assert c.get("/alerts/").status_code == 200
