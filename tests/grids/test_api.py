"""/api/v1/grids: list, detail, assign, by residence, instructor; a stranger gets 404."""

from __future__ import annotations

import pytest

from tests.helpers import is_chinese
from tongxin.accounts.services import api_token_create
from tongxin.grids.models import Grid, GridMembership


@pytest.fixture
def api(gw, client):  # type: ignore[no-untyped-def]
    def call(user, method: str, url: str, data=None):  # type: ignore[no-untyped-def]
        _, key = api_token_create(actor=None, user=user, name="t")
        h = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        if method == "get":
            return client.get(url, **h)
        return client.post(url, data or {}, content_type="application/json", **h)

    return call


def test_list_and_detail(gw, api):
    r = api(gw["alice"], "get", "/api/v1/grids/")
    assert r.status_code == 200
    assert [g["name"] for g in r.json()["results"]] == ["紫金花园网格"]
    r = api(gw["alice"], "get", f"/api/v1/grids/{gw['grid_a'].pk}")
    body = r.json()
    assert body["compounds"] == [{"id": gw["compound_a"].pk, "name": "紫金花园"}]
    assert body["instructor_id"] is None and body["serving_branch_name"] == "紫金社区第一党支部"


def test_stranger_gets_404(gw, api):
    g = gw["grid_a"]
    assert [x["name"] for x in api(gw["charlie"], "get", "/api/v1/grids/").json()["results"]] == [
        "孝闻网格"]  # fmt: skip
    for method, url, data in [
        ("get", f"/api/v1/grids/{g.pk}", None),
        ("post", f"/api/v1/grids/{g.pk}/members", {"member_id": gw["m_a1"].pk}),
        ("post", f"/api/v1/grids/{g.pk}/assign-by-residence", {}),
        ("post", f"/api/v1/grids/{g.pk}/instructor", {"member_id": gw["m_a1"].pk}),
        ("get", f"/api/v1/grids/?community_id={gw['comm_a'].pk}", None),
    ]:
        r = api(gw["charlie"], method, url, data)
        assert r.status_code == 404, url
        assert "紫金" not in r.content.decode()
    # charlie may not put his own member into street A's grid either
    r = api(gw["charlie"], "post", f"/api/v1/grids/{g.pk}/members", {"member_id": gw["m_b1"].pk})
    assert r.status_code == 404
    assert not GridMembership.objects.exists()


def test_assign_and_by_residence(gw, api):
    g = gw["grid_a"]
    r = api(gw["alice"], "post", f"/api/v1/grids/{g.pk}/assign-by-residence", {})
    assert r.json() == {"assigned": 1}
    r = api(gw["alice"], "post", f"/api/v1/grids/{g.pk}/members", {"member_id": gw["m_a2"].pk})
    assert r.status_code == 201
    assert g.memberships.count() == 2


def test_second_instructor_refused_with_409(gw, api):
    g = gw["grid_a"]
    r = api(gw["alice"], "post", f"/api/v1/grids/{g.pk}/instructor", {"member_id": gw["m_a1"].pk})
    assert r.status_code == 200 and r.json()["instructor_name"] == "张红"
    r = api(gw["alice"], "post", f"/api/v1/grids/{g.pk}/instructor", {"member_id": gw["m_a1b"].pk})
    assert r.status_code == 409
    body = r.json()
    assert body["code"] == "conflict" and is_chinese(body["message"])
    assert "member_id" in body["fields"]
    assert Grid.objects.get(pk=g.pk).instructor == gw["m_a1"]
    r = api(gw["alice"], "post", f"/api/v1/grids/{g.pk}/instructor",
            {"member_id": gw["m_a1b"].pk, "replace": True})  # fmt: skip
    assert r.status_code == 200 and r.json()["instructor_name"] == "李明"


def test_bob_reads_but_cannot_manage(gw, api):
    g = gw["grid_a"]
    assert api(gw["bob"], "get", f"/api/v1/grids/{g.pk}").status_code == 200
    r = api(gw["bob"], "post", f"/api/v1/grids/{g.pk}/members", {"member_id": gw["m_a1"].pk})
    assert r.status_code == 404
