"""/api/v1/centers: directory, bookings, social organizations; the stranger gets 404."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.helpers import is_chinese
from tongxin.centers.models import Booking, ServiceCenter, SocialOrganization


def when(hours: float) -> str:
    base = timezone.now().replace(minute=0, second=0, microsecond=0) + dt.timedelta(days=2)
    return (base + dt.timedelta(hours=hours)).isoformat()


def test_directory_and_detail_mask_the_contacts_phone_not_the_centres(
    world, center, station, client_for
):
    c = client_for(world["charlie"])
    body = c.get("/api/v1/centers/").json()
    row = next(r for r in body["results"] if r["id"] == center.pk)
    assert body["count"] == 2 and row["contact_phone"] == "139****5678"
    assert row["phone"] == "0574-87001234"  # the centre's public line, unmasked
    detail = c.get(f"/api/v1/centers/{station.pk}").json()
    assert detail["opening_hours"]["mon"] == [["08:30", "17:30"]]
    assert detail["opening_hours"]["sun"] == [] and detail["closed_dates"][0]["note"] == "调休"
    assert c.get("/api/v1/centers/?managed=true").json()["count"] == 2  # ignored without perm
    assert client_for(world["alice"]).get("/api/v1/centers/?managed=true").json()["count"] == 2


def test_create_centre_in_scope_only(world, client_for):
    payload = {
        "name": "南门街道党群服务中心",
        "level": "street",
        "org_id": world["street_a"].pk,
        "area_id": world["street_a_area"].pk,
        "opening_hours": {"mon": [["08:30", "17:30"]]},
    }
    r = client_for(world["alice"]).post(
        "/api/v1/centers/", payload, content_type="application/json"
    )
    assert r.status_code == 201, r.content
    r = client_for(world["charlie"]).post(
        "/api/v1/centers/", payload | {"name": "x"}, content_type="application/json"
    )
    assert r.status_code == 404
    bad = payload | {"opening_hours": {"mon": [["18:00", "08:00"]]}}
    r = client_for(world["alice"]).post("/api/v1/centers/", bad, content_type="application/json")
    assert r.status_code == 400 and is_chinese(r.json()["message"])
    assert ServiceCenter.objects.count() == 1


def test_booking_api_overlap_is_409(world, center, client_for):
    c = client_for(world["bob"])
    room = center.rooms.get()
    url = f"/api/v1/centers/{center.pk}/bookings"
    r = c.post(
        url,
        {"room_id": room.pk, "purpose": "党课", "start": when(9), "end": when(10)},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    r = c.post(
        url,
        {"room_id": room.pk, "purpose": "党课", "start": when(9.5), "end": when(11)},
        content_type="application/json",
    )
    assert r.status_code == 409 and "该时段已被预约" in r.json()["message"]
    r = c.post(
        url,
        {"room_id": room.pk, "purpose": "党课", "start": when(10), "end": when(11)},
        content_type="application/json",
    )
    assert r.status_code == 201
    assert len(c.get("/api/v1/centers/bookings/mine").json()) == 2
    bid = Booking.objects.first().pk
    # the stranger: no centre bookings list, no cancelling others' bookings
    s = client_for(world["charlie"])
    assert s.get(url).status_code == 404
    assert s.post(f"/api/v1/centers/bookings/{bid}/cancel").status_code == 404
    assert s.get("/api/v1/centers/bookings/mine").json() == []
    assert client_for(world["alice"]).get(url).status_code == 200
    c = client_for(world["bob"])
    assert c.post(f"/api/v1/centers/bookings/{bid}/cancel").json()["status"] == "cancelled"


def test_social_org_api(world, client_for):
    c = client_for(world["alice"])
    r = c.post(
        "/api/v1/centers/social-orgs/",
        {"name": "红领之家", "kind": "community", "area_id": world["compound_a"].pk},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["guiding_org_id"] == world["comm_a_org"].pk and body["guiding_rule"] == "territorial"
    )
    assert c.get("/api/v1/centers/social-orgs/").json()["count"] == 1
    s = client_for(world["charlie"])
    assert s.get("/api/v1/centers/social-orgs/").json()["count"] == 0
    assert s.get(f"/api/v1/centers/social-orgs/{body['id']}").status_code == 404
    r = s.post(
        "/api/v1/centers/social-orgs/",
        {"name": "x", "kind": "community", "area_id": world["compound_a"].pk},
        content_type="application/json",
    )
    assert r.status_code == 404
    c = client_for(world["alice"])
    r = c.post(
        "/api/v1/centers/social-orgs/",
        {"name": "y", "kind": "community", "area_id": world["comm_b"].pk},
        content_type="application/json",
    )
    assert r.status_code == 400 and "area_id" in r.json()["fields"]
    assert SocialOrganization.objects.count() == 1
