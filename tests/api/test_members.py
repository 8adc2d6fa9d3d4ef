"""/api/v1/members: the roster, masked detail, registration and correction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tongxin.core import idnumber
from tongxin.core.models import AuditLog
from tongxin.members.models import Member, MemberStatus

NUMBER = idnumber.make("330203", dt.date(1988, 5, 17), 42)


@pytest.fixture
def alice(world, client_for):
    return client_for(world["alice"])


def payload(org, **over) -> dict:
    data = {
        "name": "孙丽",
        "id_number": NUMBER,
        "education": "bachelor",
        "joined_on": "2012-07-01",
        "confirmed_on": "2013-07-01",
        "status": "full",
        "org_id": org.pk,
        "phone": "13900001234",
    }
    data.update(over)
    return data


def post(client, data):
    return client.post("/api/v1/members/", data, content_type="application/json")


def put(client, pk, data):
    return client.put(f"/api/v1/members/{pk}", data, content_type="application/json")


def names(r) -> list[str]:
    return sorted(m["name"] for m in r.json()["results"])


def test_list_with_filters(world, alice):
    factories.member(
        world["branch_a2"],
        name="周预备",
        status=MemberStatus.PROBATIONARY,
        confirmed_on=None,
        joined_on=timezone.localdate() - dt.timedelta(days=30),
    )
    factories.member(world["branch_a1"], name="吴流动", is_floating=True, floating_to="上海")
    body = alice.get("/api/v1/members/").json()
    assert body["count"] == 5 and body["page"] == 1 and body["page_size"] == 20
    assert names(alice.get("/api/v1/members/?status=probationary")) == ["周预备"]
    assert names(alice.get("/api/v1/members/?flag=floating")) == ["吴流动"]
    assert names(alice.get(f"/api/v1/members/?org_id={world['branch_a1'].pk}")) == [
        "吴流动",
        "张红",
        "李明",
    ]
    assert names(alice.get("/api/v1/members/?q=王芳")) == ["王芳"]
    number = world["m_a1"].reveal_id_number()
    assert names(search(alice, number)) == ["张红"]
    assert alice.get("/api/v1/members/?page=2").json()["results"] == []


def test_list_pages(world, alice):
    for _ in range(22):
        factories.member(world["branch_a2"])
    first, second = (
        alice.get("/api/v1/members/").json(),
        alice.get("/api/v1/members/?page=2").json(),
    )
    assert first["count"] == second["count"] == 25
    assert len(first["results"]) == 20 and len(second["results"]) == 5
    assert {m["id"] for m in first["results"]}.isdisjoint(m["id"] for m in second["results"])


def test_detail_is_masked(world, alice):
    m = world["m_a1"]
    body = alice.get(f"/api/v1/members/{m.pk}").json()
    assert body["name"] == "张红" and body["org_name"] == "紫金社区第一党支部"
    assert body["id_number"] == m.id_number_masked and "*" in body["id_number"]
    assert body["phone"] == m.phone_masked and body["phone"][3:7] == "****"
    text = str(body)
    assert m.reveal_id_number() not in text and m.reveal_phone() not in text


def test_create_returns_201_and_the_masked_member(world, alice):
    r = post(alice, payload(world["branch_a2"]))
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["name"] == "孙丽" and body["org_id"] == world["branch_a2"].pk
    assert body["id_number"] == idnumber.mask(NUMBER) and body["phone"] == "139****1234"
    assert body["birth_year"] == 1988 and body["gender"] == "F"
    assert "birth_date" not in body  # with the masked ID it would leave two digits to guess
    m = Member.objects.get(pk=body["id"])
    assert m.reveal_id_number() == NUMBER
    assert AuditLog.objects.filter(action="members.create", object_id=str(m.pk)).exists()


def test_update(world, alice):
    m = world["m_a2"]
    data = payload(
        world["branch_a2"],
        name="王芳",
        id_number=m.reveal_id_number(),
        phone="13711112222",
        is_model_post=True,
    )
    r = put(alice, m.pk, data)
    assert r.status_code == 200, r.content
    assert r.json()["phone"] == "137****2222" and r.json()["is_model_post"] is True
    m.refresh_from_db()
    assert m.reveal_phone() == "13711112222"


def test_update_cannot_change_the_org(world, alice):
    m = world["m_a2"]
    r = put(alice, m.pk, payload(world["branch_a1"], name="王芳", id_number=m.reveal_id_number()))
    assert r.status_code == 400
    assert r.json()["fields"] == {"org_id": "不能直接修改所在党组织。"}
    assert Member.objects.get(pk=m.pk).org == world["branch_a2"]


def test_service_errors_are_400_with_fields(world, alice):
    before = Member.objects.count()
    bad = NUMBER[:17] + ("0" if NUMBER[17] != "0" else "1")
    r = post(alice, payload(world["branch_a2"], id_number=bad, phone="12345", confirmed_on=None))
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "invalid" and body["message"] == "请按提示修改后再提交。"
    assert body["fields"] == {
        "id_number": "身份证号码校验位不正确，请逐位核对后重新填写。",
        "phone": "手机号码应为11位、以1开头的数字，请核对。",
        "confirmed_on": "正式党员请填写转正日期。",
    }
    dup = post(alice, payload(world["branch_a2"], id_number=world["m_b1"].reveal_id_number()))
    assert dup.status_code == 400 and "孝闻" not in dup.content.decode()
    assert Member.objects.count() == before


def test_a_member_in_a_group_is_refused(world, alice):
    r = post(alice, payload(world["group_a1"]))
    assert r.status_code == 400 and "org_id" in r.json()["fields"]  # the input field's name


@pytest.mark.parametrize("key", ["m_a1", "m_a1b", "m_a2"])
def test_the_stranger_gets_404_json_for_street_a_members(world, client_for, key):
    c = client_for(world["charlie"])
    m = world[key]
    for r in (
        c.get(f"/api/v1/members/{m.pk}"),
        put(c, m.pk, payload(world["branch_b1"], id_number=m.reveal_id_number())),
    ):
        assert r.status_code == 404
        assert r.json()["code"] == "not_found" and m.name not in r.content.decode()
    assert Member.objects.get(pk=m.pk).name == m.name


def test_the_stranger_cannot_register_a_member_in_branch_a1(world, client_for):
    c = client_for(world["charlie"])
    r = post(c, payload(world["branch_a1"]))
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert not Member.objects.filter(name="孙丽").exists()


def test_the_stranger_lists_and_searches_only_his_branch(world, client_for):
    c = client_for(world["charlie"])
    assert names(c.get("/api/v1/members/")) == ["赵刚"]
    assert names(search(c, world["m_a1"].reveal_id_number())) == []
    assert names(c.get("/api/v1/members/?q=张红")) == []
    assert c.get(f"/api/v1/members/?org_id={world['branch_a1'].pk}").status_code == 404


def test_the_auditor_reads_but_cannot_write(world, client_for):
    c = client_for(world["auditor"])
    assert c.get(f"/api/v1/members/{world['m_a1'].pk}").status_code == 200
    assert post(c, payload(world["branch_a2"])).status_code == 404
    m = world["m_a2"]
    assert (
        put(c, m.pk, payload(world["branch_a2"], id_number=m.reveal_id_number())).status_code == 404
    )


def search(c, q):
    return c.post("/api/v1/members/search", {"q": q}, content_type="application/json")


def test_a_number_in_the_url_is_refused_and_the_posted_search_is_audited(world, client_for):
    from tongxin.core.models import AuditLog

    alice = client_for(world["alice"])
    number = world["m_a1"].reveal_id_number()
    r = alice.get(f"/api/v1/members/?q={number}")
    assert r.status_code == 400 and "POST /api/v1/members/search" in r.json()["message"]
    assert names(search(alice, number)) == ["张红"]
    log = AuditLog.objects.get(action="members.search_pii")
    assert log.diff == {"field": "id_number", "found": 1} and number not in str(log.diff)


def test_a_number_search_without_the_reveal_permission_is_forbidden(world, client_for):
    from tests import factories

    grid = factories.user("gina", "grid_worker", area=world["comm_a"])
    r = search(client_for(grid), world["m_a1"].reveal_id_number())
    assert r.status_code == 403 and "查看个人信息" in r.json()["message"]


def test_an_update_without_a_phone_keeps_it_and_an_empty_one_removes_it(world, alice):
    m = world["m_a2"]
    phone = m.reveal_phone()
    body = payload(world["branch_a2"], id_number=m.reveal_id_number(), name="王芳")
    body.pop("phone", None)
    assert put(alice, m.pk, body).status_code == 200
    assert Member.objects.get(pk=m.pk).reveal_phone() == phone
    body["phone"] = ""
    assert put(alice, m.pk, body).status_code == 200
    assert Member.objects.get(pk=m.pk).phone_masked == ""


def test_a_huge_page_number_is_a_422_not_a_crash(world, alice):
    r = alice.get("/api/v1/members/?page=99999999999999999999")
    assert r.status_code == 422 and "page" in r.json()["fields"]
