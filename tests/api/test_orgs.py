"""/api/v1/orgs: the tree as the caller may see it."""

from __future__ import annotations

import pytest


@pytest.fixture
def alice(world, client_for):
    return client_for(world["alice"])


def test_roots_are_the_callers_highest_orgs(world, client_for):
    assert [o["name"] for o in client_for(world["bob"]).get("/api/v1/orgs/").json()] == [
        "紫金社区第一党支部"
    ]
    assert [o["name"] for o in client_for(world["auditor"]).get("/api/v1/orgs/").json()] == [
        "中共宁波市委"
    ]


def test_detail(world, alice):
    body = alice.get(f"/api/v1/orgs/{world['comm_a_org'].pk}").json()
    assert body["name"] == "紫金社区党委"
    assert body["kind"] == "committee" and body["kind_label"] == "党委"
    assert body["depth"] == 3
    assert "numchild" not in body  # children may lie out of reach: no raw count
    assert body["area_id"] == world["comm_a"].pk


def test_children(world, alice):
    body = alice.get(f"/api/v1/orgs/{world['comm_a_org'].pk}/children").json()
    assert [o["name"] for o in body] == ["紫金社区第一党支部", "紫金社区第二党支部"]
    assert alice.get(f"/api/v1/orgs/{world['group_a1'].pk}/children").json() == []


def test_stats(world, alice):
    body = alice.get(f"/api/v1/orgs/{world['street_a'].pk}/stats").json()
    assert body["orgs"] == 5 and body["members"] == 3
    assert body["by_kind"] == {"党工委": 1, "党委": 1, "党支部": 2, "党小组": 1}
    assert body["by_sector"] == {"城市社区": 5}


@pytest.mark.parametrize("suffix", ["", "/children", "/stats"])
@pytest.mark.parametrize("key", ["street_a", "comm_a_org", "branch_a1", "group_a1"])
def test_the_stranger_gets_404_json(world, client_for, key, suffix):
    r = client_for(world["charlie"]).get(f"/api/v1/orgs/{world[key].pk}{suffix}")
    assert r.status_code == 404
    assert r.json() == {
        "code": "not_found",
        "message": "对象不存在或不在您的管辖范围内。",
        "fields": {},
    }


def test_a_missing_org_is_the_same_404(world, alice):
    assert alice.get("/api/v1/orgs/999999").json()["code"] == "not_found"


def test_the_strangers_roots_hold_only_his_branch(world, client_for):
    assert [o["name"] for o in client_for(world["charlie"]).get("/api/v1/orgs/").json()] == [
        "孝闻社区党支部"
    ]
