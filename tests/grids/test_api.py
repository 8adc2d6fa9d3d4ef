"""/api/v1/grids: list, detail, create, edit, assign, by residence and by work unit,
instructor; a stranger gets 404 (or, for an id in the body, a field error that tells nothing)."""

from __future__ import annotations

import pytest

from tests.helpers import is_chinese
from tongxin.accounts.services import api_token_create
from tongxin.grids.models import Grid, GridMembership


@pytest.fixture
def api(gw, client):
    def call(user, method: str, url: str, data=None):
        _, key = api_token_create(actor=None, user=user, name="t")
        h = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
        if method == "get":
            return client.get(url, **h)
        send = client.patch if method == "patch" else client.post
        return send(url, data or {}, content_type="application/json", **h)

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
        "孝闻网格"
    ]
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
    r = api(
        gw["alice"],
        "post",
        f"/api/v1/grids/{g.pk}/instructor",
        {"member_id": gw["m_a1b"].pk, "replace": True},
    )
    assert r.status_code == 200 and r.json()["instructor_name"] == "李明"


def test_bob_reads_but_cannot_manage(gw, api):
    g = gw["grid_a"]
    assert api(gw["bob"], "get", f"/api/v1/grids/{g.pk}").status_code == 200
    r = api(gw["bob"], "post", f"/api/v1/grids/{g.pk}/members", {"member_id": gw["m_a1"].pk})
    assert r.status_code == 404


def snapshot():
    """Everything a grid write may touch, to prove a refused request changed nothing."""
    from tongxin.core.models import AuditLog
    from tongxin.grids.models import GridWorker

    return (
        list(Grid.objects.order_by("pk").values_list("pk", "name", "code", "serving_branch_id")),
        list(Grid.compounds.through.objects.order_by("pk").values_list("grid_id", "area_id")),
        list(Grid.units.through.objects.order_by("pk").values_list("grid_id", "unit_id")),
        list(GridWorker.objects.order_by("pk").values_list("grid_id", "user_id", "role")),
        # the api fixture's token for each call writes an accounts.* row of its own
        AuditLog.objects.exclude(action__startswith="accounts.").count(),
    )


@pytest.fixture
def dora(ugw):
    """A street secretary of street B: she manages grids, but none of street A's."""
    from tests import factories

    return factories.user("dora", "street_secretary", org=ugw["street_b"])


def test_create_a_grid(ugw, api):
    w = ugw
    r = api(
        w["alice"],
        "post",
        "/api/v1/grids/",
        {
            "community_id": w["comm_a"].pk,
            "name": "紫金新村网格",
            "code": "02",
            "serving_branch_id": w["branch_a2"].pk,
            "compound_ids": [w["compound_a2"].pk],
            "unit_ids": [w["unit_a"].pk],
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "紫金新村网格" and body["community_name"] == "紫金社区"
    assert body["compounds"] == [{"id": w["compound_a2"].pk, "name": "紫金新村"}]
    assert body["units"] == [{"id": w["unit_a"].pk, "name": "紫金科技公司"}]
    assert Grid.objects.get(pk=body["id"]).serving_branch == w["branch_a2"]


def _create_cases(w):
    good = {
        "community_id": w["comm_a"].pk,
        "name": "新网格",
        "code": "09",
        "serving_branch_id": w["branch_a2"].pk,
        "compound_ids": [w["compound_a2"].pk],
    }
    return good, [
        ({"name": "  "}, 400, "name"),
        ({"name": None}, 422, "name"),
        ({"community_id": w["comm_b"].pk}, 400, "community_id"),  # out of reach
        ({"community_id": 999999}, 400, "community_id"),
        ({"community_id": w["street_a_area"].pk}, 400, "community_id"),  # not a community
        ({"compound_ids": [w["compound_b"].pk]}, 400, "compound_ids"),
        ({"compound_ids": [w["compound_a"].pk]}, 400, "compound_ids"),  # grid_a's
        ({"compound_ids": [999999]}, 400, "compound_ids"),
        ({"compound_ids": [], "unit_ids": []}, 400, "compound_ids"),
        ({"unit_ids": [w["unit_b"].pk]}, 400, "unit_ids"),
        ({"serving_branch_id": w["branch_b1"].pk}, 400, "serving_branch_id"),
        ({"serving_branch_id": w["comm_a_org"].pk}, 400, "serving_branch_id"),
        ({"code": "01"}, 400, "code"),
        ({"compound_ids": "x"}, 422, "compound_ids"),
        ({"instructor_id": w["m_a1"].pk}, 422, "instructor_id"),
    ]


def test_bad_create_input_is_refused_and_changes_nothing(ugw, api):
    w = ugw
    good, cases = _create_cases(w)
    for over, status, field in cases:
        before = snapshot()
        r = api(w["alice"], "post", "/api/v1/grids/", {**good, **over})
        assert r.status_code == status, (over, r.content)
        body = r.json()
        assert is_chinese(body["message"]) and field in body["fields"], (over, body)
        assert any(is_chinese(m) or len(m) >= 4 for m in body["fields"].values()), body
        assert snapshot() == before, over


def test_a_taken_unit_is_refused(ugw, api):
    w = ugw
    payload = {
        "community_id": w["comm_a"].pk,
        "name": "紫金科技专属网格",
        "serving_branch_id": w["branch_a2"].pk,
        "unit_ids": [w["unit_a"].pk],
    }
    assert api(w["alice"], "post", "/api/v1/grids/", payload).status_code == 201
    before = snapshot()
    r = api(w["alice"], "post", "/api/v1/grids/", {**payload, "name": "又一个"})
    assert r.status_code == 400 and "已划入网格" in r.json()["fields"]["unit_ids"]
    assert snapshot() == before


def test_edit_a_grid(ugw, api):
    w, g = ugw, ugw["grid_a"]
    r = api(
        w["alice"],
        "patch",
        f"/api/v1/grids/{g.pk}",
        {
            "name": "紫金网格",
            "serving_branch_id": w["branch_a2"].pk,
            "compound_ids": [w["compound_a"].pk, w["compound_a2"].pk],
            "unit_ids": [w["unit_a"].pk],
            "workers": [
                {"user_id": w["wendy"].pk, "role": "head"},
                {"user_id": w["dave"].pk, "role": "part_time"},
            ],
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["name"] == "紫金网格" and body["code"] == "01"  # left out: kept
    assert body["serving_branch_name"] == "紫金社区第二党支部"
    assert [c["name"] for c in body["compounds"]] == ["紫金新村", "紫金花园"]  # by path
    assert [u["name"] for u in body["units"]] == ["紫金科技公司"]
    assert sorted((x["username"], x["role"], x["name"]) for x in body["workers"]) == [
        ("dave", "part_time", "李明"),
        ("wendy", "head", "吴敏"),
    ]
    # only the name: the rest stays
    r = api(w["alice"], "patch", f"/api/v1/grids/{g.pk}", {"name": "紫金花园网格"})
    assert r.status_code == 200 and len(r.json()["workers"]) == 2
    assert [u["name"] for u in r.json()["units"]] == ["紫金科技公司"]


def test_bad_edit_input_is_refused_and_changes_nothing(ugw, api):
    w, g = ugw, ugw["grid_a"]
    api(
        w["alice"],
        "patch",
        f"/api/v1/grids/{g.pk}",
        {"workers": [{"user_id": w["wendy"].pk, "role": "head"}]},
    )
    other = api(
        w["alice"],
        "post",
        "/api/v1/grids/",
        {
            "community_id": w["comm_a"].pk,
            "name": "新村网格",
            "code": "02",
            "serving_branch_id": w["branch_a2"].pk,
            "compound_ids": [w["compound_a2"].pk],
        },
    ).json()
    for over, status, field in [
        ({"name": ""}, 400, "name"),
        ({"code": "02"}, 400, "code"),
        ({"compound_ids": [w["compound_a2"].pk]}, 400, "compound_ids"),  # the other grid's
        ({"compound_ids": [w["compound_b"].pk]}, 400, "compound_ids"),
        ({"compound_ids": []}, 400, "compound_ids"),
        ({"unit_ids": [w["unit_b"].pk]}, 400, "unit_ids"),
        ({"serving_branch_id": w["branch_b1"].pk}, 400, "serving_branch_id"),
        ({"workers": [{"user_id": w["eve"].pk, "role": "head"}]}, 400, "workers"),  # street B
        ({"workers": [{"user_id": w["charlie"].pk, "role": "head"}]}, 400, "workers"),
        ({"workers": [{"user_id": w["wendy"].pk, "role": "boss"}]}, 422, "workers.0.role"),
        (
            {
                "workers": [
                    {"user_id": w["wendy"].pk, "role": "head"},
                    {"user_id": w["wendy"].pk, "role": "part_time"},
                ]
            },
            400,
            "workers",
        ),
        ({"community_id": w["comm_b"].pk}, 422, "community_id"),  # a grid stays in its community
        ({"instructor_id": w["m_a1"].pk}, 422, "instructor_id"),
    ]:
        before = snapshot()
        r = api(w["alice"], "patch", f"/api/v1/grids/{g.pk}", over)
        assert r.status_code == status, (over, r.content)
        body = r.json()
        assert is_chinese(body["message"]) and field in body["fields"], (over, body)
        assert snapshot() == before, over
    assert other["id"] != g.pk


def test_stranger_cannot_create_or_edit(ugw, api, dora):
    w, g = ugw, ugw["grid_a"]
    before = snapshot()
    # dora manages grids in street B only
    r = api(dora, "patch", f"/api/v1/grids/{g.pk}", {"name": "x"})
    assert r.status_code == 404 and "紫金" not in r.content.decode()
    r = api(dora, "post", f"/api/v1/grids/{g.pk}/assign-by-work-unit", {})
    assert r.status_code == 404
    r = api(
        dora,
        "post",
        "/api/v1/grids/",
        {
            "community_id": w["comm_a"].pk,
            "name": "x",
            "serving_branch_id": w["branch_b1"].pk,
            "compound_ids": [w["compound_a2"].pk],
        },
    )
    assert r.status_code == 400 and "紫金" not in r.content.decode()
    assert set(r.json()["fields"]) == {"community_id"}
    # in her own grid she can name nothing of street A
    gb = w["grid_b"]
    for over, field in [
        ({"compound_ids": [w["compound_a2"].pk]}, "compound_ids"),
        ({"unit_ids": [w["unit_a"].pk]}, "unit_ids"),
        ({"serving_branch_id": w["branch_a1"].pk}, "serving_branch_id"),
        ({"workers": [{"user_id": w["wendy"].pk, "role": "head"}]}, "workers"),
    ]:
        r = api(dora, "patch", f"/api/v1/grids/{gb.pk}", over)
        assert r.status_code == 400 and field in r.json()["fields"], over
        assert "紫金" not in r.content.decode() and "吴敏" not in r.content.decode()
    # branch secretaries (bob, charlie) do not manage grids at all
    for user in (w["bob"], w["charlie"]):
        r = api(
            user,
            "post",
            "/api/v1/grids/",
            {
                "community_id": w["comm_a"].pk,
                "name": "x",
                "serving_branch_id": w["branch_a1"].pk,
                "compound_ids": [w["compound_a2"].pk],
            },
        )
        assert r.status_code == 404
        assert api(user, "patch", f"/api/v1/grids/{g.pk}", {"name": "x"}).status_code == 404
    assert snapshot() == before


def test_assign_by_work_unit(ugw, api):
    from tests import factories

    w = ugw
    gid = api(
        w["alice"],
        "post",
        "/api/v1/grids/",
        {
            "community_id": w["comm_a"].pk,
            "name": "紫金科技专属网格",
            "serving_branch_id": w["branch_a2"].pk,
            "unit_ids": [w["unit_a"].pk],
        },
    ).json()["id"]
    factories.member(w["branch_a2"], work_unit=w["unit_a"])
    r = api(w["alice"], "post", f"/api/v1/grids/{gid}/assign-by-work-unit", {})
    assert r.status_code == 200 and r.json() == {"assigned": 1}
    r = api(w["alice"], "post", f"/api/v1/grids/{w['grid_a'].pk}/assign-by-work-unit", {})
    assert r.status_code == 400 and "还没有覆盖任何单位" in r.json()["message"]


def test_assign_by_work_unit_takes_only_members_in_scope(hospital, api):
    """The API follows the page: alice takes only members she manages, and moves only those
    from grids she manages; the count says nothing of the others."""
    w = hospital
    g = w["grid_h"]
    outside = GridMembership.objects.filter(member__in=[w["m_b1"], w["m_a1b"]])
    before = sorted(outside.values_list("member_id", "grid_id"))
    url = f"/api/v1/grids/{g.pk}/assign-by-work-unit"
    r = api(w["alice"], "post", url, {"move_assigned": True})
    assert r.status_code == 200 and r.json() == {"assigned": 2}
    assert set(g.memberships.values_list("member__name", flat=True)) == {"周明", "张红"}
    assert sorted(outside.values_list("member_id", "grid_id")) == before
    assert not GridMembership.objects.filter(member=w["m_wu"]).exists()
    r = api(w["alice"], "post", url, {"move_assigned": True})
    assert r.status_code == 200 and r.json() == {"assigned": 0}


def test_one_member_is_not_moved_out_of_a_grid_out_of_reach(hospital, api):
    """李明 is alice's member but sits in grid_b, which she does not manage: moving him into
    her grid is refused with the reason, and grid_b keeps him."""
    w = hospital
    r = api(
        w["alice"], "post", f"/api/v1/grids/{w['grid_a'].pk}/members", {"member_id": w["m_a1b"].pk}
    )
    assert r.status_code == 400
    assert "管辖范围外的网格" in r.json()["message"]
    assert GridMembership.objects.get(member=w["m_a1b"]).grid == w["grid_b"]
    # A member in no grid, or in a grid she manages, is still taken.
    r = api(
        w["alice"], "post", f"/api/v1/grids/{w['grid_h'].pk}/members", {"member_id": w["m_a1"].pk}
    )
    assert r.status_code == 201
    assert GridMembership.objects.get(member=w["m_a1"]).grid == w["grid_h"]


def test_a_20_digit_id_in_a_grid_update_is_a_422_not_a_500(gw, api):
    """Before, the compound id reached a ``pk__in`` lookup and SQLite raised OverflowError."""
    g = gw["grid_a"]
    for body in (
        {"compound_ids": [10**20]},
        {"serving_branch_id": 10**19},
        {"workers": [{"user_id": 10**20, "role": "full_time"}]},
    ):
        r = api(gw["alice"], "patch", f"/api/v1/grids/{g.pk}", body)
        assert r.status_code == 422, (body, r.content)
        assert "数值超出范围" in next(iter(r.json()["fields"].values()))
    r = api(gw["alice"], "patch", f"/api/v1/grids/{10**20}", {"name": "x"})
    assert r.status_code == 404
    assert list(g.compounds.all()) == [gw["compound_a"]]
