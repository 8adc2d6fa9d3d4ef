"""The 初心图谱 pages: the map and list for everyone signed in, 打卡 on the phone, the door
screen and site forms for their managers, and visits for the branch; strangers get 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.helpers import texts
from tests.redmap.conftest import LAT, LNG, book, make_site, today
from tongxin.core.scope import Scope
from tongxin.meetings.models import Meeting
from tongxin.redmap import door, services
from tongxin.redmap.models import CheckIn, GroupVisit, RedSite

pytestmark = pytest.mark.django_db


def test_the_map_page_lists_sites_and_filters_by_district_and_kind(world, site, client_for):
    make_site(world, name="紫金初心学堂", kind="school")
    c = client_for(world["bob"])
    r = c.get(reverse("redmap:index"))
    assert r.status_code == 200
    body = texts(r)
    assert (
        "张人亚党章学堂" in body and "紫金初心学堂" in body and "vendor/leaflet/leaflet.js" in body
    )
    body = texts(c.get(reverse("redmap:index"), {"kind": "school"}))
    assert "紫金初心学堂" in body and "张人亚党章学堂" not in body
    district = world["dist_a"].pk
    assert "张人亚党章学堂" in texts(c.get(reverse("redmap:index"), {"district": district}))
    other = world["comm_b"].pk  # not a district: nothing matches
    assert "张人亚党章学堂" not in texts(c.get(reverse("redmap:index"), {"district": other}))
    # nonsense filters are ignored, never a 500
    assert c.get(reverse("redmap:index"), {"district": "x" * 30, "kind": "<b>"}).status_code == 200
    assert c.get(reverse("redmap:index"), {"q": "张\x00"}).status_code == 200
    assert c.get(reverse("redmap:map_json"), {"q": "\x00", "district": "9" * 30}).status_code == 200


def test_map_json_gives_points_and_district_boxes(world, site, client_for):
    r = client_for(world["charlie"]).get(reverse("redmap:map_json"), {"kind": "charter"})
    data = r.json()
    assert [p["name"] for p in data["points"]] == ["张人亚党章学堂"]
    assert data["districts"][0]["name"] == "海曙区"


def test_the_list_and_map_take_a_fixed_number_of_queries(
    world, site, client_for, django_assert_max_num_queries
):
    for i in range(12):
        make_site(world, name=f"基地{i}", kind="base")
    c = client_for(world["bob"])
    c.get(reverse("redmap:index"))
    # session, user, grants, count, counts by kind, districts, page rows; the session's
    # idle-timeout save (savepoint, update, release)
    with django_assert_max_num_queries(10):
        c.get(reverse("redmap:index"))
    # session, user, points, districts, sites for the boxes; the session's save (3)
    with django_assert_max_num_queries(8):
        c.get(reverse("redmap:map_json"))


def test_a_member_checks_in_on_the_phone_with_the_door_qr(world, site, client_for, member_user):
    c = client_for(member_user)
    full = door.full_code(site, today())
    page = c.get(reverse("redmap:checkin", args=[site.pk]), {"code": full})
    assert full in texts(page) and 'class="tx-phone"' in texts(page)  # the phone layout
    r = c.post(
        reverse("redmap:checkin", args=[site.pk]),
        {"code": full, "latitude": LAT, "longitude": LNG, "accuracy": 10},
    )
    assert r.status_code == 302 and r["Location"] == reverse("redmap:mine")
    assert "张人亚党章学堂" in texts(c.get(reverse("redmap:mine")))
    assert CheckIn.objects.filter(member=world["m_a1"]).count() == 1


def test_a_bad_code_shows_the_reason_on_the_form(world, site, client_for, member_user):
    c = client_for(member_user)
    r = c.post(reverse("redmap:checkin", args=[site.pk]), {"code": "QQQQQQ"})
    assert r.status_code == 200 and "打卡码不正确" in texts(r)
    r = c.post(
        reverse("redmap:checkin", args=[site.pk]),
        {"code": door.code_for(site, today()), "latitude": LAT + 0.05, "longitude": LNG},
    )
    assert "超出打卡范围" in texts(r)
    r = c.post(reverse("redmap:checkin", args=[site.pk]), {"code": "", "latitude": "abc"})
    assert r.status_code == 200
    assert not CheckIn.objects.exists()


def test_the_door_screen_is_for_the_sites_managers(world, site, client_for):
    r = client_for(world["alice"]).get(reverse("redmap:door", args=[site.pk]))
    assert r.status_code == 200 and door.code_for(site, today()) in texts(r)
    assert r["Cache-Control"] == "no-store"
    for name in ("redmap:door", "redmap:site_edit"):
        assert client_for(world["charlie"]).get(reverse(name, args=[site.pk])).status_code == 404


def test_charlie_cannot_reset_edit_or_upload_to_street_as_site(world, site, client_for):
    c = client_for(world["charlie"])
    secret = site.door_secret
    assert c.post(reverse("redmap:door_reset", args=[site.pk])).status_code == 404
    assert c.post(reverse("redmap:site_edit", args=[site.pk]), {"name": "x"}).status_code == 404
    assert c.post(reverse("redmap:site_file", args=[site.pk])).status_code == 404
    assert c.get(reverse("redmap:lesson_create", args=[site.pk])).status_code == 404
    assert c.get(reverse("redmap:site_create")).status_code == 404
    site.refresh_from_db()
    assert site.door_secret == secret and site.name == "张人亚党章学堂"


def test_alice_registers_a_site_through_the_form(world, client_for):
    c = client_for(world["alice"])
    data = {
        "name": "南门红色教育基地",
        "kind": "base",
        "org": world["comm_a_org"].pk,
        "area": world["comm_a"].pk,
        "address": "南门路8号",
        "latitude": "29.87",
        "longitude": "121.55",
        "radius_m": "150",
        "capacity": "40",
        "hours_text": "周二-周日 09:00-16:30",
        "closed_text": "",
        "story": "",
        "is_active": "on",
    }
    bad = c.post(reverse("redmap:site_create"), {**data, "hours_text": "周二 16:30-09:00"})
    assert bad.status_code == 200 and "开放时间" in texts(bad)
    assert not RedSite.objects.exists()
    r = c.post(reverse("redmap:site_create"), data)
    site = RedSite.objects.get()
    assert r.status_code == 302 and site.opening_hours["tue"] == [["09:00", "16:30"]]
    assert "mon" not in site.opening_hours or not site.opening_hours["mon"]


def test_bob_books_through_the_form_and_sees_the_visit(world, site, client_for):
    c = client_for(world["bob"])
    assert c.get(reverse("redmap:book", args=[site.pk])).status_code == 200
    over = c.post(
        reverse("redmap:book", args=[site.pk]),
        {
            "branch": world["branch_a1"].pk,
            "date": today().isoformat(),
            "start_time": "09:00",
            "end_time": "10:00",
            "people": "31",
        },
    )
    assert "还可预约30人" in texts(over) and not GroupVisit.objects.exists()
    r = c.post(
        reverse("redmap:book", args=[site.pk]),
        {
            "branch": world["branch_a1"].pk,
            "date": today().isoformat(),
            "start_time": "09:00",
            "end_time": "10:00",
            "people": "12",
        },
    )
    visit = GroupVisit.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("redmap:visit", args=[visit.pk])
    assert "主题党日" in texts(c.get(r["Location"]))
    assert "张人亚党章学堂" in texts(c.get(reverse("redmap:visits")))


def test_charlie_gets_404_for_branch_a1s_visit(world, site, client_for):
    visit = book(world, site)
    c = client_for(world["charlie"])
    assert c.get(reverse("redmap:visit", args=[visit.pk])).status_code == 404
    assert c.post(reverse("redmap:visit_cancel", args=[visit.pk])).status_code == 404
    assert "张人亚党章学堂" not in texts(c.get(reverse("redmap:visits")))
    visit.refresh_from_db()
    assert visit.status == "booked"
    # charlie manages no branch in street A: booking for it is refused on the form
    r = c.post(
        reverse("redmap:book", args=[site.pk]),
        {
            "branch": world["branch_a1"].pk,
            "date": today().isoformat(),
            "start_time": "09:00",
            "end_time": "10:00",
            "people": "3",
        },
    )
    assert r.status_code == 200 and GroupVisit.objects.count() == 1
    assert Meeting.objects.count() == 1


def test_site_lesson_route_and_photo_pages(world, site, client_for):
    school = make_site(world, name="紫金初心学堂", kind="school")
    lesson = services.lesson_create(
        scope=Scope.everything(), actor=None, site=school, title="党章第一课", body="学习党章。"
    )
    route = services.route_create(
        scope=Scope.everything(),
        actor=None,
        org=world["comm_a_org"],
        name="初心之旅一线",
        sites=[site, school],
    )
    c = client_for(world["charlie"])  # public information: anyone signed in reads it
    assert "党章第一课" in texts(c.get(reverse("redmap:site", args=[school.pk])))
    assert "学习党章。" in texts(c.get(reverse("redmap:lesson", args=[lesson.pk])))
    assert "初心之旅一线" in texts(c.get(reverse("redmap:routes")))
    assert "紫金初心学堂" in texts(c.get(reverse("redmap:route", args=[route.pk])))
    assert c.get(reverse("redmap:site", args=[999999])).status_code == 404
    assert c.get(reverse("redmap:lesson", args=[999999])).status_code == 404


def test_dashboard_card_and_phone_card(world, site, client_for, member_user):
    services.checkin_record(
        scope=Scope.everything(), actor=member_user, site=site, code=door.code_for(site, today())
    )
    body = texts(client_for(world["alice"]).get("/"))
    assert 'data-testid="panel-redmap"' in body
    assert 'data-testid="panel-redmap-checkins">1<' in body
    body = texts(client_for(world["charlie"]).get("/"))
    assert 'data-testid="panel-redmap-checkins">0<' in body
    phone = texts(client_for(member_user).get("/"))
    assert 'data-testid="my-redmap-card"' in phone and "张人亚党章学堂" in phone


def test_alice_publishes_a_route_through_the_form(world, site, client_for):
    other = make_site(world, name="紫金红色村史馆", kind="base")
    c = client_for(world["alice"])
    assert c.get(reverse("redmap:route_create")).status_code == 200
    data = {"name": "初心之旅一线", "org": world["comm_a_org"].pk, "description": ""}
    one = c.post(reverse("redmap:route_create"), {**data, "stop_1": site.pk})
    assert "至少包含两处" in texts(one)
    r = c.post(reverse("redmap:route_create"), {**data, "stop_1": other.pk, "stop_3": site.pk})
    assert r.status_code == 302
    body = texts(c.get(r["Location"]))
    assert body.index("紫金红色村史馆") < body.index("张人亚党章学堂")
    assert client_for(world["charlie"]).get(reverse("redmap:route_create")).status_code == 404
