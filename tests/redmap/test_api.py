"""/api/v1/redmap: every operation, bad input and the stranger."""

from __future__ import annotations

import pytest

from tests.redmap.conftest import LAT, LNG, book, make_site, today
from tongxin.meetings.models import Meeting
from tongxin.redmap import door
from tongxin.redmap.models import CheckIn, GroupVisit

pytestmark = pytest.mark.django_db
J = "application/json"
A = "/api/v1/redmap"


def test_sites_map_and_detail(world, site, client_for):
    make_site(world, name="紫金初心学堂", kind="school")
    c = client_for(world["charlie"])  # public information
    assert c.get(f"{A}/sites/").json()["count"] == 2
    r = c.get(f"{A}/sites/", {"kind": "school", "district": world["dist_a"].pk})
    assert [s["name"] for s in r.json()["results"]] == ["紫金初心学堂"]
    assert c.get(f"{A}/sites/", {"kind": "museum"}).status_code == 422
    assert c.get(f"{A}/sites/", {"q": "\x00"}).status_code in (400, 422)
    assert c.get(f"{A}/map/", {"district": 2**40}).status_code == 422
    assert len(c.get(f"{A}/map/").json()) == 2
    d = c.get(f"{A}/sites/{site.pk}/").json()
    assert d["name"] == "张人亚党章学堂" and "door_secret" not in d
    assert c.get(f"{A}/sites/999999/").status_code == 404
    assert c.get(f"{A}/sites/99999999999999999999/").status_code in (404, 422)


def test_checkin_through_the_api(world, site, client_for, member_user):
    c = client_for(member_user)
    url = f"{A}/sites/{site.pk}/check-in/"
    r = c.post(url, {"code": ""}, content_type=J)
    assert r.status_code == 400 and r.json()["fields"]["code"]
    r = c.post(
        url,
        {"code": door.code_for(site, today()), "latitude": LAT + 0.02, "longitude": LNG},
        content_type=J,
    )
    assert r.status_code == 400 and "超出打卡范围" in r.json()["fields"]["location"]
    r = c.post(
        url,
        {"code": door.full_code(site, today()), "latitude": LAT, "longitude": LNG},
        content_type=J,
    )
    assert r.status_code == 201 and r.json()["distance_m"] == 0
    r = c.post(url, {"code": door.code_for(site, today())}, content_type=J)
    assert r.status_code == 409
    assert CheckIn.objects.count() == 1
    # not a member: refused, nothing written
    r = client_for(world["charlie"]).post(
        url, {"code": door.code_for(site, today())}, content_type=J
    )
    assert r.status_code == 403 and CheckIn.objects.count() == 1
    assert c.post(url, {"latitude": 200}, content_type=J).status_code == 422


def test_book_list_and_cancel_visits(world, site, client_for):
    c = client_for(world["bob"])
    payload = {
        "site_id": site.pk,
        "branch_id": world["branch_a1"].pk,
        "date": today().isoformat(),
        "start_time": "09:00",
        "end_time": "10:00",
        "people": 31,
    }
    r = c.post(f"{A}/visits/", payload, content_type=J)
    assert r.status_code == 400 and "还可预约30人" in r.json()["fields"]["people"]
    r = c.post(f"{A}/visits/", {**payload, "people": 12}, content_type=J)
    assert r.status_code == 201 and r.json()["meeting_id"]
    vid = r.json()["id"]
    assert c.get(f"{A}/visits/").json()["count"] == 1
    r = c.post(f"{A}/visits/{vid}/cancel/")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    assert Meeting.objects.get().status == "cancelled"


def test_the_stranger_gets_404_and_changes_nothing(world, site, client_for):
    visit = book(world, site)
    s = client_for(world["charlie"])
    assert s.get(f"{A}/visits/").json()["count"] == 0
    r = s.post(f"{A}/visits/{visit.pk}/cancel/")
    assert r.status_code == 404
    r = s.post(
        f"{A}/visits/",
        {
            "site_id": site.pk,
            "branch_id": world["branch_a1"].pk,
            "date": today().isoformat(),
            "start_time": "11:00",
            "end_time": "12:00",
            "people": 3,
        },
        content_type=J,
    )
    assert r.status_code == 404
    visit.refresh_from_db()
    assert visit.status == "booked" and GroupVisit.objects.count() == 1


def test_routes_through_the_api(world, site, client_for):
    other = make_site(world, name="紫金红色村史馆", kind="base")
    c = client_for(world["alice"])
    body = {"name": "初心之旅一线", "org_id": world["comm_a_org"].pk, "site_ids": [site.pk]}
    r = c.post(f"{A}/routes/", body, content_type=J)
    assert r.status_code == 400 and r.json()["fields"]["sites"]
    r = c.post(f"{A}/routes/", {**body, "site_ids": [other.pk, site.pk]}, content_type=J)
    assert r.status_code == 201 and r.json()["site_ids"] == [other.pk, site.pk]
    assert (
        c.post(f"{A}/routes/", {**body, "site_ids": [other.pk, 999999]}, content_type=J).status_code
        == 404
    )
    listed = client_for(world["charlie"]).get(f"{A}/routes/").json()
    assert listed["count"] == 1 and listed["results"][0]["site_ids"] == [other.pk, site.pk]
    # the stranger publishes nothing for street A
    s = client_for(world["charlie"])
    assert (
        s.post(
            f"{A}/routes/", {**body, "site_ids": [other.pk, site.pk]}, content_type=J
        ).status_code
        == 404
    )
