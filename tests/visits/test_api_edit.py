"""三访 API: edit (PATCH) and end (POST …/end) 三访责任 and 巡访服务岗, through the same
services as the pages. Bad input is a 400/422 naming the field in Chinese and changes
nothing; an ended one is a 409; charlie (street B) and the auditor (a reader) get 404."""

from __future__ import annotations

import json

import pytest

from tests.helpers import is_chinese
from tests.visits.conftest import edit_state as _state
from tongxin.core.models import AuditLog
from tongxin.visits.models import ContactAssignment, ContactTarget, PatrolPost

pytestmark = pytest.mark.django_db
BASE = "/api/v1/visits"


def patch(c, url: str, body: object):
    return c.patch(url, data=json.dumps(body), content_type="application/json")


def post(c, url: str):
    return c.post(url, content_type="application/json")


def _quota(aw) -> str:
    return f"{BASE}/quotas/{aw['assignment'].pk}"


def _post(aw) -> str:
    return f"{BASE}/posts/{aw['post'].pk}"


# --- 三访责任 -----------------------------------------------------------------------------------


def test_alice_edits_an_assignment(aw, client_for):
    kept = ContactTarget.objects.get(assignment=aw["assignment"], label="1幢101")
    labels = [f"{i}幢101" for i in range(1, 10)] + ["12幢302 新户"]
    r = patch(
        client_for(aw["alice"]),
        _quota(aw),
        {
            "unit_ids": [u.pk for u in aw["units"][1:6]],
            "households": labels,
            "household_area_id": aw["compound_a"].pk,
            "home_duty": False,
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["leader_name"], body["contact_duty"], body["home_duty"]) == ("张红", True, False)
    assert [u["name"] for u in body["units"]] == [f"紫金单位{i}" for i in range(1, 6)]
    assert sorted(h["label"] for h in body["households"]) == sorted(labels)
    assert {h["area_name"] for h in body["households"]} == {"紫金花园"}
    # 1幢101 is the same row as before (its visits stay with it); 0幢101 is unlinked.
    assert ContactTarget.objects.filter(pk=kept.pk).exists()
    assert not ContactTarget.objects.filter(label="0幢101").exists()
    row = AuditLog.objects.get(action="visits.assignment_update")
    assert row.diff["before"]["home_duty"] is True and row.diff["after"]["home_duty"] is False


def test_fields_left_out_keep_their_value(aw, client_for):
    r = patch(client_for(aw["alice"]), _quota(aw), {"home_duty": False})
    assert r.status_code == 200, r.content
    a = ContactAssignment.objects.get()
    assert (a.contact_duty, a.home_duty, a.org_id) == (True, False, aw["branch_a1"].pk)
    assert a.targets.filter(kind="unit").count() == 4
    assert a.targets.filter(kind="household").count() == 10


@pytest.mark.parametrize(
    ("body", "status", "field", "contains"),
    [
        ({"unit_ids": "three"}, 400, "unit_ids", "当前选择了3个"),
        ({"unit_ids": "six"}, 400, "unit_ids", "当前选择了6个"),
        ({"unit_ids": [987654]}, 400, "unit_ids", "编号为987654的单位不存在"),
        ({"households": [f"{i}幢101" for i in range(9)]}, 400, "households", "当前只有9户"),
        (
            {"households": [f"{i}幢101" for i in range(10)] + ["新户"]},
            400,
            "household_area_id",
            "新增了联系户",
        ),
        (
            {
                "households": [f"{i}幢101" for i in range(10)] + ["新户"],
                "household_area_id": "compound_b",
            },
            400,
            "household_area_id",
            "社区或小区不存在",
        ),
        ({"org_id": "branch_b1"}, 400, "org_id", "党组织不存在或不在您的管辖范围内"),
        ({"contact_duty": False, "home_duty": False}, 400, "contact_duty", "至少选择一项"),
        (
            {"households": ["长" * 101] + [f"{i}幢101" for i in range(10)]},
            422,
            "households.0",
            "内容过长",
        ),
        ({"unit_ids": ["一"]}, 422, "unit_ids.0", "应为整数"),
        ({"leader_id": 1}, 422, "leader_id", "不支持此字段"),
    ],
)
def test_a_bad_edit_is_refused_on_its_field_and_changes_nothing(
    aw,
    client_for,
    body,
    status,
    field,
    contains,
):
    body = dict(body)
    if body.get("unit_ids") == "three":
        body["unit_ids"] = [u.pk for u in aw["units"][:3]]
    elif body.get("unit_ids") == "six":
        body["unit_ids"] = [u.pk for u in aw["units"]]
    for key in ("household_area_id", "org_id"):
        if isinstance(body.get(key), str):
            body[key] = aw[body[key]].pk
    before = _state()
    r = patch(client_for(aw["alice"]), _quota(aw), body)
    assert r.status_code == status, r.content
    fields = r.json()["fields"]
    assert contains in fields[field], fields
    assert is_chinese(fields[field]) and is_chinese(r.json()["message"])
    assert _state() == before


def test_ending_an_assignment_then_no_more_edits(aw, client_for):
    c = client_for(aw["alice"])
    r = post(c, f"{_quota(aw)}/end")
    assert r.status_code == 200 and r.json()["active"] is False
    assert not ContactAssignment.objects.get().active
    assert c.get(f"{BASE}/quotas").json()["count"] == 0
    before = _state()
    r = post(c, f"{_quota(aw)}/end")
    assert r.status_code == 409 and "已经停用" in r.json()["message"]
    # Refused as ended even when the edit itself is bad: nothing would make it editable.
    for body in ({"home_duty": False}, {"unit_ids": [987654]}):
        r = patch(c, _quota(aw), body)
        assert r.status_code == 409 and "已停用，不能再修改" in r.json()["message"]
    assert _state() == before


# --- 巡访服务岗 ---------------------------------------------------------------------------------


def test_alice_edits_a_post(aw, client_for):
    r = patch(
        client_for(aw["alice"]),
        _post(aw),
        {
            "name": " 紫金花园巡访岗 ",
            "place": "北门岗亭",
            "shifts": "每天 8:00—11:00",
            "member_ids": [aw["m_a1"].pk, aw["m_a1b"].pk],
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert (body["name"], body["place"], body["area_name"]) == (
        "紫金花园巡访岗",
        "北门岗亭",
        "紫金花园",
    )
    assert [m["name"] for m in body["members"]] == ["张红", "李明"]
    assert AuditLog.objects.filter(
        action="visits.post_update", object_id=str(aw["post"].pk)
    ).exists()


def test_a_partial_post_edit_keeps_the_rest(aw, client_for):
    r = patch(client_for(aw["bob"]), _post(aw), {"shifts": "每天下午"})
    assert r.status_code == 200, r.content
    p = PatrolPost.objects.get()
    assert (p.name, p.place, p.shifts) == ("紫金巡访岗", "紫金花园北门", "每天下午")
    assert list(p.members.values_list("name", flat=True)) == ["张红"]


@pytest.mark.parametrize(
    ("body", "status", "field", "contains"),
    [
        ({"name": "  "}, 400, "name", "请填写巡访服务岗的名称"),
        ({"member_ids": []}, 400, "member_ids", "至少选择一名巡访员"),
        ({"member_ids": "m_b1"}, 400, "member_ids", "党员不存在或不在您的管辖范围内"),
        ({"area_id": "compound_b"}, 400, "area_id", "社区或小区不存在"),
        ({"org_id": "branch_b1"}, 400, "org_id", "党组织不存在或不在您的管辖范围内"),
        ({"name": "岗" * 101}, 422, "name", "内容过长"),
        ({"active": True}, 422, "active", "不支持此字段"),
    ],
)
def test_a_bad_post_edit_is_refused_and_changes_nothing(
    aw,
    client_for,
    body,
    status,
    field,
    contains,
):
    body = dict(body)
    if body.get("member_ids") == "m_b1":
        body["member_ids"] = [aw["m_b1"].pk]
    for key in ("area_id", "org_id"):
        if isinstance(body.get(key), str):
            body[key] = aw[body[key]].pk
    before = _state()
    r = patch(client_for(aw["alice"]), _post(aw), body)
    assert r.status_code == status, r.content
    fields = r.json()["fields"]
    assert contains in fields[field] and is_chinese(fields[field]), fields
    assert _state() == before


def test_a_member_outside_the_posts_organization_is_named(aw, client_for):
    # 王芳 is in alice's street but not in branch A1, which runs the post.
    before = _state()
    r = patch(client_for(aw["alice"]), _post(aw), {"member_ids": [aw["m_a2"].pk]})
    assert r.status_code == 400 and "王芳 不是" in r.json()["fields"]["member_ids"]
    assert _state() == before


def test_ending_a_post_then_no_more_edits(aw, client_for):
    c = client_for(aw["alice"])
    r = post(c, f"{_post(aw)}/end")
    assert r.status_code == 200 and r.json()["active"] is False
    before = _state()
    assert post(c, f"{_post(aw)}/end").status_code == 409
    r = patch(c, _post(aw), {"name": "新名字"})
    assert r.status_code == 409 and is_chinese(r.json()["message"])
    assert _state() == before


# --- strangers and readers ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["charlie", "auditor"])
def test_strangers_and_readers_get_404(aw, client_for, who):
    c = client_for(aw[who])
    before = _state()
    for r in (
        patch(c, _quota(aw), {"home_duty": False}),
        post(c, f"{_quota(aw)}/end"),
        patch(c, _post(aw), {"name": "冒名", "member_ids": [aw["m_b1"].pk]}),
        post(c, f"{_post(aw)}/end"),
    ):
        assert r.status_code == 404, r.content
        assert "紫金" not in r.content.decode() and "张红" not in r.content.decode()
    assert _state() == before


def test_anonymous_gets_401(aw, client):
    assert patch(client, _quota(aw), {"home_duty": False}).status_code == 401
    assert post(client, f"{_post(aw)}/end").status_code == 401
