"""Resident and staff pages of the board: what each sees, strangers get 404, fixed queries."""

from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import texts
from tests.sharing.conftest import post
from tongxin.core.models import AuditLog
from tongxin.sharing.models import Listing, Match


def test_home_shows_the_compound_board_and_shortcuts(town, client_for):
    post(town["ben"], "offer", "周末可以帮忙照看孩子")
    post(town["eve"], "offer", "鼓楼的闲置书架", kind="idle_goods", visibility="street")
    r = client_for(town["ann"].user).get("/sharing/")
    body = texts(r)
    assert r.status_code == 200
    assert "紫金花园 · 共享小区" in body and "周末可以帮忙照看孩子" in body
    assert "鼓楼的闲置书架" not in body
    assert "发布需求" in body and "提供服务" in body


def test_a_resident_of_another_street_sees_nothing_of_the_board(town, client_for):
    listing = post(town["ann"], "need", "需要人帮忙接孩子放学")
    c = client_for(town["eve"].user)
    assert "需要人帮忙接孩子放学" not in texts(c.get("/sharing/"))
    for url in (f"/sharing/{listing.pk}/", f"/sharing/{listing.pk}/report/"):
        assert c.get(url).status_code == 404
    assert c.post(f"/sharing/{listing.pk}/withdraw/").status_code == 404
    mine = post(town["eve"], "offer", "能接孩子")
    assert c.post(f"/sharing/{mine.pk}/propose/{listing.pk}/").status_code == 404
    assert not Match.objects.exists()


def test_staff_without_a_resident_profile_are_sent_to_the_staff_board(town, client_for):
    r = client_for(town["alice"]).get("/sharing/")
    assert r.status_code == 302 and r["Location"] == "/sharing/board/"
    r = client_for(town["bob"]).get("/sharing/")
    assert r.status_code == 200 and "还没有居民档案" in texts(r)


def test_posting_with_a_phone_number_masks_it_with_a_notice(town, client_for):
    c = client_for(town["ann"].user)
    r = c.post(
        "/sharing/new/",
        {
            "direction": "offer",
            "kind": "tool",
            "title": "出借电钻",
            "body": "需要的打我电话 13812345678",
            "visibility": "compound",
        },
        follow=True,
    )
    body = texts(r)
    assert "联系方式已被隐藏" in body
    assert "13812345678" not in body
    assert Listing.objects.get().body == "需要的打我电话 [联系方式已隐藏]"


def test_a_bad_form_changes_nothing(town, client_for):
    c = client_for(town["ann"].user)
    r = c.post(
        "/sharing/new/",
        {"direction": "offer", "kind": "tool", "title": "", "visibility": "compound"},
    )
    assert r.status_code == 200 and "必填" in texts(r)
    assert not Listing.objects.exists()


def test_the_whole_flow_through_the_pages(town, client_for):
    ann_c = client_for(town["ann"].user)
    need = post(town["ann"], "need", "下午需要有人接孩子放学")
    offer = post(town["ben"], "offer", "下午有空可以接孩子")
    r = ann_c.get(f"/sharing/{need.pk}/")
    assert "下午有空可以接孩子" in texts(r) and "发起对接" in texts(r)
    r = ann_c.post(f"/sharing/{need.pk}/propose/{offer.pk}/")
    m = Match.objects.get()
    assert r["Location"] == f"/sharing/matches/{m.pk}/"
    assert "13900002222" not in texts(ann_c.get(r["Location"]))
    # a third person: 404 on the match, and cannot confirm it
    cat_c = client_for(town["cat"].user)
    assert cat_c.get(f"/sharing/matches/{m.pk}/").status_code == 404
    assert cat_c.post(f"/sharing/matches/{m.pk}/", {"action": "confirm"}).status_code == 404
    ben_c = client_for(town["ben"].user)
    ben_c.post(f"/sharing/matches/{m.pk}/", {"action": "confirm"})
    m.refresh_from_db()
    assert m.status == "confirmed"
    r = ben_c.post(f"/sharing/matches/{m.pk}/", {"action": "contact"})
    assert "13900001111" in texts(r) and r["Cache-Control"] == "no-store"
    assert AuditLog.objects.filter(action="sharing.reveal_contact").count() == 1
    ben_c.post(f"/sharing/matches/{m.pk}/", {"action": "complete"})
    ben_c.post(f"/sharing/matches/{m.pk}/", {"action": "feedback", "rating": "5", "feedback": "好"})
    m.refresh_from_db()
    assert m.status == "closed" and m.offer_rating == 5


def test_reporting_through_the_page(town, client_for):
    listing = post(town["ann"], "offer", "推销理财产品", kind="other")
    c = client_for(town["ben"].user)
    r = c.post(f"/sharing/{listing.pk}/report/", {"reason": ""})
    assert r.status_code == 200
    c.post(f"/sharing/{listing.pk}/report/", {"reason": "广告"})
    listing.refresh_from_db()
    assert listing.report_count == 1
    assert "已举报" in texts(c.get(f"/sharing/{listing.pk}/"))


def test_staff_board_and_review_are_scoped(town, client_for):
    a = post(town["ann"], "offer", "推销理财产品", kind="other")
    b = post(town["eve"], "offer", "鼓楼推销", kind="other")
    alice = client_for(town["alice"])
    body = texts(alice.get("/sharing/board/"))
    assert "推销理财产品" in body and "鼓楼推销" not in body
    assert alice.get(f"/sharing/board/{a.pk}/").status_code == 200
    assert alice.get(f"/sharing/board/{b.pk}/").status_code == 404
    assert alice.post(f"/sharing/board/{b.pk}/", {"decision": "remove"}).status_code == 404
    b.refresh_from_db()
    assert b.status == "open"


def test_charlie_sees_nothing_of_the_staff_pages(town, client_for):
    a = post(town["ann"], "offer", "推销理财产品", kind="other")
    c = client_for(town["charlie"])
    assert c.get("/sharing/board/").status_code == 404
    assert c.get(f"/sharing/board/{a.pk}/").status_code == 404
    assert c.post(f"/sharing/board/{a.pk}/", {"decision": "remove"}).status_code == 404
    # nor as a resident: charlie has no resident profile
    assert c.get(f"/sharing/{a.pk}/").status_code == 404


def test_dashboard_panel_shows_figures_in_reach(town, client_for):
    post(town["ann"], "need", "需要人接孩子")
    body = texts(client_for(town["alice"]).get("/"))
    assert 'data-testid="sharing-panel"' in body
    assert 'data-testid="sharing-panel"' not in texts(client_for(town["charlie"]).get("/"))


# ---- query counts ---------------------------------------------------------------------------


@pytest.fixture(params=[3, 30], ids=["3 listings", "30 listings"])
def listings(request, town):
    from tongxin.sharing import services

    residents = [town["ben"], town["cat"], town["dan"]]
    for i in range(request.param):
        r = residents[i % 3]
        services.listing_create(
            actor=r.user,
            resident=r,
            data=services.ListingInput(
                direction="offer" if i % 2 else "need",
                kind="childcare",
                title=f"照看孩子{i}",
                visibility="community",
            ),
        )
    return request.param


def test_resident_home_query_count_is_constant(
    town, listings, client_for, django_assert_num_queries
):
    c = client_for(town["ann"].user)
    # 1 session, 2 user, 3 the resident with their home, 4 the home's ancestors (the circles),
    # 5 COUNT, 6 the page's rows with their compound joined, 7 role assignments (the Scope,
    # for the navigation), 8-10 SAVEPOINT / UPDATE django_session / RELEASE
    with django_assert_num_queries(10):
        r = c.get("/sharing/")
    assert r.status_code == 200


def test_staff_board_query_count_is_constant(town, listings, client_for, django_assert_num_queries):
    c = client_for(town["alice"])
    # 1 session, 2 user, 3 role assignments (the Scope), 4 the areas of the user's
    # organizations, 5 COUNT, 6 the page's rows with their compound joined, 7-9 session save
    with django_assert_num_queries(9):
        r = c.get("/sharing/board/")
    assert r.status_code == 200
    assert f"共 {listings} 条" in texts(r)


def test_my_page_query_count_is_constant(town, listings, client_for, django_assert_num_queries):
    c = client_for(town["ben"].user)
    # 1 session, 2 user, 3 resident, 4 COUNT, 5 my listings, 6 my matches, 7 role assignments
    # (navigation), 8-10 session save
    with django_assert_num_queries(10):
        r = c.get("/sharing/mine/")
    assert r.status_code == 200


def test_listing_detail_with_suggestions_query_count_is_constant(
    town, listings, client_for, django_assert_num_queries
):
    need = post(town["ann"], "need", "需要照看孩子")
    c = client_for(town["ann"].user)
    # 1 session, 2 user, 3 resident, 4 circles, 5 the listing, 6 its matches, 7 its tokens,
    # 8 suggestions (one query, similarity as a subquery), 9 already proposed, 10 role
    # assignments (navigation), 11-13 session save
    with django_assert_num_queries(13):
        r = c.get(f"/sharing/{need.pk}/")
    assert r.status_code == 200
    assert factories  # the builders are used by the fixtures
