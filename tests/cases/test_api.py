from __future__ import annotations

import pytest

from tests.cases.conftest import report
from tongxin.accounts.services import api_token_create
from tongxin.cases import services
from tongxin.cases.models import Case, CaseEvent

pytestmark = pytest.mark.django_db


def auth(user):
    _, key = api_token_create(actor=None, user=user, name="测试")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_create_list_act_and_409(cw, client):
    h = auth(cw["grace"])
    r = client.post(
        "/api/v1/cases/",
        {"area_id": cw["compound_a"].pk, "category": "sanitation", "description": "垃圾没清运"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["state"] == "reported" and body["light"] == "green" and "reporter_name" not in body
    a = auth(cw["alice"])
    r = client.get("/api/v1/cases/?inbox=accept", **a)
    assert [c["tracking_code"] for c in r.json()["results"]] == [body["tracking_code"]]
    r = client.post(
        f"/api/v1/cases/{body['id']}/actions/close", {}, content_type="application/json", **a
    )
    assert r.status_code == 409
    assert "不能结案" in r.json()["message"]
    r = client.post(
        f"/api/v1/cases/{body['id']}/actions/accept", {}, content_type="application/json", **a
    )
    assert r.status_code == 200 and r.json()["state"] == "accepted"
    r = client.post(
        f"/api/v1/cases/{body['id']}/actions/dispatch",
        {"agency": "zhujian"},
        content_type="application/json",
        **a,
    )
    assert r.json()["agency"] == "住建"
    r = client.get(f"/api/v1/cases/{body['id']}", **a)
    assert [e["kind"] for e in r.json()["events"]] == ["report", "accept", "dispatch"]


def test_api_bad_input_changes_nothing(cw, client):
    h = auth(cw["grace"])
    r = client.post(
        "/api/v1/cases/",
        {"area_id": cw["compound_b"].pk, "category": "sanitation", "description": "垃圾"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 400 and "area_id" in r.json()["fields"]
    r = client.post(
        "/api/v1/cases/",
        {"area_id": cw["compound_a"].pk, "category": "sanitation", "description": "<img src=x>"},
        content_type="application/json",
        **h,
    )
    assert r.status_code == 400 and "HTML" in r.json()["fields"]["description"]
    assert not Case.objects.exists()


@pytest.mark.parametrize("stranger", ["charlie", "erin", "rita", "bob"])
def test_api_strangers(cw, client, stranger):
    case = report(cw)
    h = auth(cw[stranger])
    assert client.get(f"/api/v1/cases/{case.pk}", **h).status_code == 404
    r = client.post(
        f"/api/v1/cases/{case.pk}/actions/accept", {}, content_type="application/json", **h
    )
    assert r.status_code == 404
    r = client.get("/api/v1/cases/", **h)
    assert r.status_code == 404 or r.json()["count"] == 0
    r = client.post(
        "/api/v1/cases/",
        {"area_id": cw["compound_a"].pk, "category": "sanitation", "description": "垃圾"},
        content_type="application/json",
        **h,
    )
    assert r.status_code in (400, 404)
    assert Case.objects.count() == 1 and CaseEvent.objects.count() == 1


def test_api_department_sees_only_its_agency(cw, client):
    mine = report(cw)  # 城管
    other = report(cw, category=cw["municipal"])  # 住建
    for c in (mine, other):
        services.case_transition(actor=cw["alice"], case=c, action="accept")
        services.case_transition(actor=cw["alice"], case=c, action="dispatch")
    r = client.get("/api/v1/cases/?inbox=claim", **auth(cw["dan"]))
    assert [c["id"] for c in r.json()["results"]] == [mine.pk]


@pytest.fixture(params=[3, 30], ids=["3 cases", "30 cases"])
def many(request, cw):
    for i in range(request.param):
        report(cw, description=f"第{i}件")
    return request.param


def test_api_list_query_count_is_constant(cw, many, client, django_assert_num_queries):
    h = auth(cw["alice"])
    # 1 the token with its user, 2 UPDATE last_used_at, 3 role assignments (the Scope),
    # 4 the street org's area, 5 COUNT, 6 rows with category, area and agency
    with django_assert_num_queries(6):
        r = client.get("/api/v1/cases/", **h)
    assert r.json()["count"] == many


def test_categories(cw, client):
    r = client.get("/api/v1/cases/categories", **auth(cw["grace"]))
    assert "sanitation" in [c["code"] for c in r.json()]
