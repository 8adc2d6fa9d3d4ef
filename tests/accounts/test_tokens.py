"""A user's own API tokens page: the key is shown once, only the owner may revoke."""

from __future__ import annotations

import re

from tests.helpers import texts
from tongxin.accounts.models import ApiToken
from tongxin.accounts.services import api_token_create


def test_create_shows_the_key_once_and_it_works(world, client_for, client):
    c = client_for(world["bob"])
    r = c.post("/accounts/tokens/", {"name": "支部数据同步"})
    key = re.search(r'data-testid="new-token">([^<]+)<', texts(r)).group(1)
    assert "支部数据同步" in texts(r)
    assert key not in texts(c.get("/accounts/tokens/"))
    client.logout()
    api = client.get("/api/v1/orgs/", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert [o["name"] for o in api.json()] == ["紫金社区第一党支部"]


def test_a_token_needs_a_purpose(world, client_for):
    r = client_for(world["bob"]).post("/accounts/tokens/", {"name": "  "})
    assert "请填写令牌用途。" in texts(r)
    assert not ApiToken.objects.exists()


def test_only_the_owner_may_revoke(world, client_for):
    token, _ = api_token_create(actor=None, user=world["alice"], name="区级报表")
    c = client_for(world["charlie"])
    assert "区级报表" not in texts(c.get("/accounts/tokens/"))
    assert c.post(f"/accounts/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    r = client_for(world["alice"]).post(f"/accounts/tokens/{token.pk}/revoke/", follow=True)
    assert "令牌“区级报表”已停用。" in texts(r)
    token.refresh_from_db()
    assert token.revoked_at is not None
