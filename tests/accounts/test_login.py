"""Logging in and out (DESIGN §3.5: lockout after 5 failed logins, Chinese messages)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from tests import factories
from tests.helpers import is_chinese, texts

WRONG = "用户名或密码不正确，请重新输入。同一账号在同一网络地址连续输错5次，将在该地址被暂时锁定15分钟。"
LOCKED = "账号“alice”在此网络地址连续输错密码5次，已在此地址被暂时锁定，请于"
ADDRESS_LOCKED = "此网络地址在15分钟内登录失败已达"


def login(client, username: str, password: str, **extra):
    return client.post("/accounts/login/", {"username": username, "password": password}, **extra)


def test_the_login_page_is_in_chinese(db, client):
    r = client.get("/accounts/login/")
    assert r.status_code == 200
    body = texts(r)
    assert '<html lang="zh-hans">' in body
    for text in (
        "<title>登录 · 同心",
        "用户名",
        "密码",
        "请使用分配给您的账号登录",
        ">登录</button>",
    ):
        assert text in body


def test_a_wrong_password_shows_the_chinese_error(world, client):
    r = login(client, "alice", "not-the-password-1")
    assert r.status_code == 200
    assert WRONG in texts(r)
    assert client.get("/").status_code == 302  # still anonymous


def test_login_then_logout(world, client):
    r = login(client, "alice", factories.PASSWORD)
    assert r.status_code == 302 and r["Location"] == "/"
    assert 'data-testid="member-total">3<' in texts(client.get("/"))
    r = client.post("/accounts/logout/")
    assert r.status_code == 302 and r["Location"] == "/accounts/login/"
    assert client.get("/").status_code == 302


def test_login_follows_next_but_only_on_this_site(world, client):
    r = login(client, "alice", factories.PASSWORD, QUERY_STRING="next=/members/")
    assert r["Location"] == "/members/"
    client.post("/accounts/logout/")
    r = client.post(
        "/accounts/login/?next=https://evil.example/",
        {"username": "alice", "password": factories.PASSWORD},
    )
    assert r["Location"] == "/"


def test_five_failures_lock_the_account_even_for_the_right_password(world, client):
    for _ in range(4):
        assert WRONG in texts(login(client, "alice", "wrong-password-1"))
    fifth = login(client, "alice", "wrong-password-1")
    assert fifth.status_code == 429
    r = login(client, "alice", factories.PASSWORD)
    assert r.status_code == 429
    assert LOCKED in texts(r)
    assert client.get("/").status_code == 302  # not logged in


def test_the_lockout_is_per_account_at_its_address(world, client):
    """Issue 12: the lock is on the account together with the address (axes' combined
    parameters). Before, alice's typos at one address locked her everywhere."""
    for _ in range(5):
        login(client, "alice", "wrong-password-1", REMOTE_ADDR="10.0.0.1")
    r = login(client, "alice", factories.PASSWORD, REMOTE_ADDR="10.0.0.1")
    assert r.status_code == 429 and LOCKED in texts(r)
    assert "其他账号不受影响" in texts(r)
    # From another address alice may log in.
    assert login(client, "alice", factories.PASSWORD, REMOTE_ADDR="10.0.0.2").status_code == 302


def test_one_users_typos_do_not_lock_a_colleague_behind_the_same_address(world, client):
    """A 街道 office behind one NAT address: alice's five typos lock alice there, not bob.
    Before, bob was locked out too and told his account was locked."""
    for _ in range(5):
        login(client, "alice", "wrong-password-1", REMOTE_ADDR="10.0.0.9")
    assert login(client, "alice", factories.PASSWORD, REMOTE_ADDR="10.0.0.9").status_code == 429
    r = login(client, "bob", factories.PASSWORD, REMOTE_ADDR="10.0.0.9")
    assert r.status_code == 302 and r["Location"] == "/"


def test_the_lockout_message_says_until_when(world, client):
    from axes.models import AccessAttempt
    from django.utils import timezone

    for _ in range(5):
        login(client, "alice", "wrong-password-1", REMOTE_ADDR="10.0.0.1")
    r = login(client, "alice", "wrong-password-1", REMOTE_ADDR="10.0.0.1")
    # The failed attempt during the lock extends it (axes' default): the time follows.
    last = AccessAttempt.objects.get(username="alice", ip_address="10.0.0.1").attempt_time
    until = timezone.localtime(last + timedelta(minutes=15)).strftime("%H:%M")
    assert f"请于{until}后再试" in texts(r)


def test_an_address_trying_many_accounts_is_locked_at_a_much_higher_threshold(
    world, client, settings
):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 12
    names = ["alice", "bob", "charlie"]
    for i in range(12):  # four typos each: no account reaches its own limit of five
        r = login(client, names[i % 3], "wrong-password-1", REMOTE_ADDR="10.0.0.7")
        assert r.status_code == 200, i
    r = login(client, "bob", factories.PASSWORD, REMOTE_ADDR="10.0.0.7")
    assert r.status_code == 429
    body = texts(r)
    assert ADDRESS_LOCKED in body and "12次" in body and "来自该地址的所有登录已暂停" in body
    assert client.get("/").status_code == 302  # not logged in
    # Another address is not affected.
    assert login(client, "bob", factories.PASSWORD, REMOTE_ADDR="10.0.0.8").status_code == 302


def test_four_failures_then_success_resets_the_count(world, client):
    for _ in range(4):
        login(client, "alice", "wrong-password-1")
    assert login(client, "alice", factories.PASSWORD).status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert login(client, "alice", "wrong-password-1").status_code == 200
    assert login(client, "alice", factories.PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("password", "fragment"),
    [
        ("short1", "密码太短，至少需要10个字符。"),
        ("abcdefghijk", "密码必须同时包含字母和数字。"),
        ("12345678901", "密码必须同时包含字母和数字。"),
        ("password123", "常见"),
    ],
)
def test_password_validators_reject_weak_passwords_in_chinese(db, password, fragment):
    with pytest.raises(ValidationError) as exc:
        validate_password(password)
    messages = exc.value.messages
    assert any(fragment in m for m in messages), messages
    assert all(is_chinese(m) for m in messages), messages


def test_a_good_password_passes_the_validators(db):
    validate_password(factories.PASSWORD)


def test_the_password_change_page_shows_validator_errors_in_chinese(world, client_for):
    c = client_for(world["bob"])
    r = c.post(
        "/accounts/password/",
        {
            "old_password": factories.PASSWORD,
            "new_password1": "abcdefghijk",
            "new_password2": "abcdefghijk",
        },
    )
    assert r.status_code == 200
    assert "密码必须同时包含字母和数字。" in texts(r)
