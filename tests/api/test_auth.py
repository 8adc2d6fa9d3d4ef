"""/api/v1/: who may call it, and the shape of its errors ({code, message, fields})."""

from __future__ import annotations

import pytest

from tests.helpers import is_chinese
from tongxin.accounts.models import ApiToken
from tongxin.accounts.services import api_token_create, api_token_revoke


@pytest.fixture
def alice_key(world) -> str:
    _, key = api_token_create(actor=world["alice"], user=world["alice"], name="区级报表")
    return key


def bearer(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def assert_error(r, status: int, code: str) -> dict:
    assert r.status_code == status
    assert r["Content-Type"].startswith("application/json")
    body = r.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert is_chinese(body["message"])
    return body


def test_anonymous_gets_401_json(world, client):
    assert_error(client.get("/api/v1/orgs/"), 401, "unauthorized")
    assert_error(client.get(f"/api/v1/members/{world['m_a1'].pk}"), 401, "unauthorized")


def test_session_auth(world, client_for):
    r = client_for(world["alice"]).get("/api/v1/orgs/")
    assert r.status_code == 200
    assert [o["name"] for o in r.json()] == ["南门街道党工委"]


def test_bearer_token_auth_and_its_scope(world, client, alice_key):
    r = client.get("/api/v1/members/", **bearer(alice_key))
    assert r.status_code == 200
    assert {m["name"] for m in r.json()["results"]} == {"张红", "李明", "王芳"}
    token = ApiToken.objects.get(user=world["alice"])
    assert token.last_used_at is not None
    assert alice_key not in (token.key_hash, token.prefix) and token.prefix == alice_key[:8]


def test_a_token_writes_as_its_user(world, client, alice_key):
    payload = {
        "name": "令牌登记",
        "id_number": "11010519491231002X",
        "education": "college",
        "joined_on": "1980-07-01",
        "confirmed_on": "1981-07-01",
        "status": "full",
        "org_id": world["branch_a2"].pk,
    }
    r = client.post(
        "/api/v1/members/", payload, content_type="application/json", **bearer(alice_key)
    )
    assert r.status_code == 201, r.content
    from tongxin.core.models import AuditLog

    assert (
        AuditLog.objects.get(action="members.create", object_id=str(r.json()["id"])).actor
        == (world["alice"])
    )


@pytest.mark.parametrize(
    "header", ["Bearer tx_not-a-real-key", "Bearer ", "Token abc", "Basic YTpi"]
)
def test_unknown_tokens_get_401(world, client, header):
    assert_error(client.get("/api/v1/orgs/", HTTP_AUTHORIZATION=header), 401, "unauthorized")


def test_a_revoked_token_gets_401_json(world, client, alice_key):
    token = ApiToken.objects.get(user=world["alice"])
    api_token_revoke(actor=world["alice"], token=token)
    body = assert_error(client.get("/api/v1/orgs/", **bearer(alice_key)), 401, "unauthorized")
    assert body["fields"] == {}
    assert "API 令牌" in body["message"]


def test_a_deactivated_users_token_gets_401(world, client, alice_key):
    world["alice"].is_active = False
    world["alice"].save()
    assert_error(client.get("/api/v1/orgs/", **bearer(alice_key)), 401, "unauthorized")


def test_malformed_json_is_a_422_with_a_chinese_field_message(world, client, alice_key):
    r = client.post(
        "/api/v1/members/", "{name: 孙丽", content_type="application/json", **bearer(alice_key)
    )
    body = assert_error(r, 422, "invalid")
    assert body["fields"] == {"body": "请求体不是有效的JSON。"}


def test_wrongly_typed_fields_are_a_422_with_per_field_chinese_messages(world, client, alice_key):
    payload = {
        "name": "孙丽",
        "id_number": 330203,
        "education": "phd",
        "joined_on": "2012-13-01",
        "status": "full",
        "org_id": "一",
    }
    r = client.post(
        "/api/v1/members/", payload, content_type="application/json", **bearer(alice_key)
    )
    body = assert_error(r, 422, "invalid")
    assert body["fields"] == {
        "id_number": "应为文本。",
        "education": "取值不在允许范围内。",
        "joined_on": "日期格式应为YYYY-MM-DD。",
        "org_id": "应为整数。",
    }
    r = client.post("/api/v1/members/", {}, content_type="application/json", **bearer(alice_key))
    fields = assert_error(r, 422, "invalid")["fields"]
    assert set(fields) == {"name", "id_number", "education", "joined_on", "status", "org_id"}
    assert set(fields.values()) == {"缺少此字段。"}


def test_bad_query_parameters_are_a_422(world, client, alice_key):
    body = assert_error(client.get("/api/v1/members/?page=0", **bearer(alice_key)), 422, "invalid")
    assert body["fields"] == {"page": "取值无效，请检查。"}


def test_a_session_post_without_the_csrf_token_is_refused(world, client):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(world["alice"], backend="django.contrib.auth.backends.ModelBackend")
    r = c.post("/api/v1/members/", {}, content_type="application/json")
    assert_error(r, 403, "forbidden")


def test_the_openapi_schema_is_served(world, client_for):
    r = client_for(world["alice"]).get("/api/v1/openapi.json")
    assert r.status_code == 200
    assert r.json()["info"]["title"] == "同心 API"
