"""Centre pages: public directory with masked phone, management only in scope (404 outside)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tests.helpers import texts
from tests.stranger_setup import scope_of
from tongxin.centers import services
from tongxin.centers.models import Booking, Room, ServiceCenter, SocialOrganization
from tongxin.core.models import AuditLog


def test_hub_links_to_the_services(world, client_for):
    r = client_for(world["charlie"]).get("/centers/")
    assert r.status_code == 200
    body = texts(r)
    assert "党群服务中心" in body and "/centers/list/" in body and "志愿服务" in body


def test_nav_item_is_registered(world, client_for):
    body = texts(client_for(world["bob"]).get("/centers/"))
    assert 'href="/centers/"' in body


def test_directory_is_public_with_masked_phone(world, center, client_for):
    for who in ("alice", "charlie"):
        r = client_for(world[who]).get("/centers/list/")
        assert "紫金社区党群服务站" in texts(r) and "0574-87001234" in texts(r)
    r = client_for(world["charlie"]).get(f"/centers/{center.pk}/")
    body = texts(r)
    # the contact person's mobile masked, the centre's own line in full
    assert "139****5678" in body and "13912345678" not in body
    assert 'href="tel:0574-87001234"' in body
    assert "查看完整号码" not in body and "近期预约" not in body


def test_manager_sees_bookings_and_reveals_phone_audited(world, center, client_for):
    c = client_for(world["alice"])
    body = texts(c.get(f"/centers/{center.pk}/"))
    assert "近期预约" in body and "查看完整号码" in body
    r = c.post(f"/centers/{center.pk}/phone/")
    assert texts(r) == "13912345678"
    assert AuditLog.objects.filter(action="centers.phone_reveal").count() == 1


def test_stranger_cannot_manage(world, center, client_for):
    c = client_for(world["charlie"])
    before = (Room.objects.count(), AuditLog.objects.count())
    assert c.post(f"/centers/{center.pk}/phone/").status_code == 404
    assert c.get(f"/centers/{center.pk}/edit/").status_code == 404
    assert c.post(f"/centers/{center.pk}/rooms/", {"name": "x", "capacity": 5}).status_code == 404
    assert (
        c.post(f"/centers/{center.pk}/items/", {"name": "x", "duration_minutes": 30}).status_code
        == 404
    )
    assert c.post(f"/centers/{center.pk}/events/", {}).status_code == 404
    assert c.get("/centers/new/").status_code == 404  # a branch secretary manages no centre
    assert before == (Room.objects.count(), AuditLog.objects.count())
    r = c.get("/centers/list/?managed=1")
    assert "紫金社区党群服务站" in texts(r)  # managed=1 is ignored without centers.manage


def test_manager_registers_and_edits_a_centre(world, client_for):
    c = client_for(world["alice"])
    assert c.get("/centers/new/").status_code == 200
    r = c.post(
        "/centers/new/",
        {
            "name": "南门街道党群服务中心",
            "level": "street",
            "org": world["street_a"].pk,
            "area": world["street_a_area"].pk,
            "opening_text": "周一-周五 08:30-17:30",
            "phone": "0574-87654321",
        },
    )
    assert r.status_code == 302, texts(r)
    center = ServiceCenter.objects.get(name="南门街道党群服务中心")
    assert center.opening_hours["fri"] == [["08:30", "17:30"]] and center.opening_hours["sat"] == []
    r = c.post(
        f"/centers/{center.pk}/edit/",
        {
            "name": "南门街道党群服务中心",
            "level": "street",
            "org": world["street_a"].pk,
            "area": world["street_a_area"].pk,
            "opening_text": "周一-周五 18:00-08:00",
        },
    )
    assert r.status_code == 200 and "结束须晚于开始" in texts(r)


def test_manager_cannot_pick_an_org_outside_scope(world, client_for):
    c = client_for(world["alice"])
    r = c.post(
        "/centers/new/",
        {
            "name": "越权中心",
            "level": "community",
            "org": world["branch_b1"].pk,
            "area": world["comm_a"].pk,
        },
    )
    assert r.status_code == 200
    assert not ServiceCenter.objects.filter(name="越权中心").exists()


def test_rooms_items_events_added_by_manager(world, center, client_for):
    c = client_for(world["alice"])
    c.post(f"/centers/{center.pk}/rooms/", {"name": "会议室", "capacity": 12})
    c.post(f"/centers/{center.pk}/items/", {"name": "办理居住证", "duration_minutes": 20})
    c.post(
        f"/centers/{center.pk}/events/",
        {
            "kind": "volunteer_month",
            "title": "三月学雷锋志愿服务月",
            "starts_on": "2026-03-01",
            "ends_on": "2026-03-31",
        },
    )
    body = texts(c.get(f"/centers/{center.pk}/"))
    assert "会议室" in body and "办理居住证" in body and "三月学雷锋志愿服务月" in body


def test_booking_page_refuses_overlap_with_a_message(world, center, client_for):
    c = client_for(world["bob"])
    room = center.rooms.get()
    start = timezone.localtime() + dt.timedelta(days=3)
    start = start.replace(hour=9, minute=0, second=0, microsecond=0)
    fmt = "%Y-%m-%dT%H:%M"
    data = {
        "target": f"room:{room.pk}",
        "purpose": "支部会议",
        "start": start.strftime(fmt),
        "end": (start + dt.timedelta(hours=1)).strftime(fmt),
    }
    assert c.post(f"/centers/{center.pk}/book/", data).status_code == 302
    data["start"] = (start + dt.timedelta(minutes=30)).strftime(fmt)
    data["end"] = (start + dt.timedelta(hours=2)).strftime(fmt)
    r = c.post(f"/centers/{center.pk}/book/", data)
    assert r.status_code == 200 and "该时段已被预约" in texts(r)
    assert Booking.objects.count() == 1
    assert "支部会议" in texts(c.get("/centers/bookings/"))


def test_someone_elses_booking_cannot_be_cancelled(world, center, client_for):
    b = services.booking_create(
        scope=scope_of(world["bob"]),
        actor=world["bob"],
        center=center,
        room=center.rooms.get(),
        purpose="会议",
        start=timezone.now() + dt.timedelta(days=1),
        end=timezone.now() + dt.timedelta(days=1, hours=1),
    )
    c = client_for(world["charlie"])
    assert c.post(f"/centers/bookings/{b.pk}/cancel/").status_code == 404
    assert "会议" not in texts(c.get("/centers/bookings/"))
    b.refresh_from_db()
    assert b.status == "confirmed"


def test_map_page_and_points(world, center, center_b, client_for):
    c = client_for(world["charlie"])
    r = c.get("/centers/map/")
    body = texts(r)
    assert "centers-map.js" in body and "leaflet.js" in body and "<script>" not in body
    pts = c.get("/centers/map/points.json").json()["points"]
    assert [p["name"] for p in pts] == ["紫金社区党群服务站"]  # centre B has no coordinates
    assert "phone" not in pts[0]
    assert c.get("/centers/map/points.json?bbox=0,0,1,1").json()["points"] == []
    assert c.get("/centers/map/points.json?bbox=x").status_code == 400


def test_social_org_pages(world, client_for):
    c = client_for(world["alice"])
    assert c.get("/centers/social/new/").status_code == 200
    r = c.post(
        "/centers/social/new/",
        {"name": "红领之家", "kind": "community", "area": world["compound_a"].pk},
    )
    assert r.status_code == 302, texts(r)
    so = SocialOrganization.objects.get()
    assert so.guiding_org == world["comm_a_org"]
    body = texts(c.get("/centers/social/"))
    assert "红领之家" in body and "属地为主" in body
    assert c.get(f"/centers/social/{so.pk}/").status_code == 200
    r = c.post(
        f"/centers/social/{so.pk}/edit/",
        {
            "name": "红领之家",
            "kind": "community",
            "area": world["compound_a"].pk,
            "credit_code": "123",
        },
    )
    assert r.status_code == 200 and "18位" in texts(r)
    # the stranger
    s = client_for(world["charlie"])
    assert "红领之家" not in texts(s.get("/centers/social/"))
    assert s.get(f"/centers/social/{so.pk}/").status_code == 404
    assert s.get(f"/centers/social/{so.pk}/edit/").status_code == 404
    assert s.get("/centers/social/new/").status_code == 404


def test_a_resident_gets_the_phone_layout(world, center, client_for):
    from tongxin.accounts.models import Resident

    u = factories.user("resident1")
    Resident.objects.create(user=u, name="居民甲", home=world["compound_a"])
    body = texts(client_for(u).get("/centers/list/"))
    assert "tx-phone" in body
    assert client_for(u).get("/centers/social/").status_code == 404


@pytest.mark.parametrize("n", [3, 30])
def test_centre_list_query_count_is_constant(world, client_for, django_assert_num_queries, n):
    for i in range(n):
        services.center_create(
            scope=scope_of(None),
            actor=None,
            name=f"中心{i}",
            level="community",
            area=world["comm_a"],
            org=world["comm_a_org"],
        )
    c = client_for(world["alice"])
    # 1 session, 2 user, 3 role assignments (Scope), 4 COUNT, 5 the page's rows with the
    # area joined, 6-8 session save (SAVEPOINT / UPDATE / RELEASE)
    with django_assert_num_queries(8):
        r = c.get("/centers/list/")
    assert r.status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_social_list_query_count_is_constant(world, client_for, django_assert_num_queries, n):
    for i in range(n):
        services.social_org_create(
            scope=scope_of(None),
            actor=None,
            name=f"社会组织{i}",
            kind="community",
            area=world["compound_a"],
        )
    c = client_for(world["alice"])
    # 1 session, 2 user, 3 role assignments, 4 COUNT, 5 rows with area and guiding org
    # joined, 6-8 session save
    with django_assert_num_queries(8):
        r = c.get("/centers/social/")
    assert r.status_code == 200


@pytest.mark.parametrize("n", [3, 30])
def test_my_bookings_query_count_is_constant(
    world, center, client_for, django_assert_num_queries, n
):
    room = center.rooms.get()
    base = timezone.now() + dt.timedelta(days=1)
    for i in range(n):
        services.booking_create(
            scope=scope_of(world["bob"]),
            actor=world["bob"],
            center=center,
            room=room,
            purpose="会",
            start=base + dt.timedelta(hours=i),
            end=base + dt.timedelta(hours=i + 1),
        )
    c = client_for(world["bob"])
    # 1 session, 2 user, 3 role assignments, 4 COUNT, 5 rows with centre/room/item joined,
    # 6-8 session save
    with django_assert_num_queries(8):
        r = c.get("/centers/bookings/")
    assert r.status_code == 200


def test_a_plain_member_gets_the_phone_layout_and_staff_the_desktop(world, client_for):
    u = factories.user("dangyuan1", "member", org=world["branch_a1"], member=world["m_a1b"])
    assert "tx-phone" in texts(client_for(u).get("/centers/"))
    assert "tx-phone" not in texts(client_for(world["bob"]).get("/centers/"))
