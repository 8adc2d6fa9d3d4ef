"""The board's API: same rules as the pages; strangers get 404; refusals in Chinese."""

from __future__ import annotations

from tests.helpers import is_chinese
from tests.sharing.conftest import post
from tongxin.sharing.models import Listing, Match


def api(client, method: str, url: str, body: dict | None = None):
    if method == "get":
        return client.get(f"/api/v1/sharing{url}")
    return client.post(f"/api/v1/sharing{url}", body or {}, content_type="application/json")


def test_post_a_listing_with_contacts_masked(town, client_for):
    c = client_for(town["ann"].user)
    r = api(
        c,
        "post",
        "/listings",
        {
            "direction": "need",
            "kind": "childcare",
            "title": "找人接孩子",
            "body": "微信 abc12345 电话13912345678",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert (
        body["contact_masked"] and "abc12345" not in body["body"] and "1391234" not in body["body"]
    )
    assert is_chinese(body["notice"])


def test_bad_input_is_refused_in_chinese_and_writes_nothing(town, client_for):
    c = client_for(town["ann"].user)
    r = api(c, "post", "/listings", {"direction": "need", "kind": "childcare", "title": " "})
    assert r.status_code == 400 and is_chinese(r.json()["fields"]["title"])
    r = api(c, "post", "/listings", {"direction": "sideways", "kind": "childcare", "title": "x"})
    assert r.status_code == 422
    assert not Listing.objects.exists()


def test_the_flow_through_the_api(town, client_for):
    need = post(town["ann"], "need", "下午需要有人接孩子放学")
    offer = post(town["ben"], "offer", "下午有空可以接孩子")
    ann = client_for(town["ann"].user)
    r = api(ann, "get", f"/listings/{need.pk}/suggestions")
    assert [s["id"] for s in r.json()] == [offer.pk]
    r = api(ann, "post", "/matches", {"listing_id": need.pk, "other_id": offer.pk})
    assert r.status_code == 201
    mid = r.json()["id"]
    r = api(ann, "post", f"/matches/{mid}/contact")
    assert r.status_code == 403 and is_chinese(r.json()["message"])
    ben = client_for(town["ben"].user)
    assert api(ben, "post", f"/matches/{mid}/confirm").json()["status"] == "confirmed"
    assert api(ben, "post", f"/matches/{mid}/contact").json() == {
        "name": "林安",
        "phone": "13900001111",
    }
    assert api(ben, "post", f"/matches/{mid}/complete").json()["status"] == "completed"
    r = api(ben, "post", f"/matches/{mid}/feedback", {"rating": 7})
    assert r.status_code == 400 and "1到5" in r.json()["fields"]["rating"]
    assert api(ben, "post", f"/matches/{mid}/feedback", {"rating": 5}).json()["status"] == "closed"


def test_a_third_person_and_a_stranger_get_404(town, client_for):
    need = post(town["ann"], "need", "下午需要有人接孩子放学")
    offer = post(town["ben"], "offer", "下午有空可以接孩子")
    ann = client_for(town["ann"].user)
    mid = api(ann, "post", "/matches", {"listing_id": need.pk, "other_id": offer.pk}).json()["id"]
    cat = client_for(town["cat"].user)
    for action in ("confirm", "contact", "cancel", "complete"):
        assert api(cat, "post", f"/matches/{mid}/{action}").status_code == 404
    assert api(cat, "post", f"/matches/{mid}/feedback", {"rating": 5}).status_code == 404
    assert all(m["id"] != mid for m in api(cat, "get", "/matches").json())
    assert api(cat, "get", f"/matches/{mid}").status_code == 404
    assert api(cat, "get", f"/listings/{need.pk}/suggestions").status_code == 404
    eve = client_for(town["eve"].user)
    assert api(eve, "get", "/listings").json()["count"] == 0
    assert api(eve, "get", f"/listings/{offer.pk}").status_code == 404
    assert api(eve, "post", f"/listings/{offer.pk}/report", {"reason": "广告"}).status_code == 404
    assert api(eve, "post", f"/listings/{offer.pk}/withdraw").status_code == 404
    assert Match.objects.get().status == "proposed"


def test_staff_api_is_scoped(town, client_for):
    a = post(town["ann"], "offer", "推销", kind="other", visibility="community")
    b = post(town["eve"], "offer", "推销", kind="other")
    for r in (town["ben"], town["cat"], town["dan"]):
        api(client_for(r.user), "post", f"/listings/{a.pk}/report", {"reason": "广告"})
    alice = client_for(town["alice"])
    ids = [x["id"] for x in api(alice, "get", "/board?status=hidden").json()["results"]]
    assert ids == [a.pk]
    assert api(alice, "post", f"/board/{b.pk}/review", {"decision": "remove"}).status_code == 404
    assert (
        api(alice, "post", f"/board/{a.pk}/review", {"decision": "restore"}).json()["status"]
        == "open"
    )
    charlie = client_for(town["charlie"])
    assert api(charlie, "get", "/board").status_code == 404
    assert api(charlie, "post", f"/board/{a.pk}/review", {"decision": "remove"}).status_code == 404
    r = api(charlie, "get", "/listings")
    assert r.status_code == 400 and is_chinese(r.json()["message"])  # no resident profile
