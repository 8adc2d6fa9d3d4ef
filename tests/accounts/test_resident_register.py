"""居民注册: a resident registers with name, mobile number, home compound and a password; the
phone is stored encrypted; bad input is refused in Chinese and writes nothing."""

from __future__ import annotations

import pytest

from tests import factories
from tests.helpers import texts
from tongxin.accounts.models import Resident, User
from tongxin.geo.models import AreaLevel


@pytest.fixture
def compound(world):
    return world["compound_a"]


def data(compound, **over) -> dict:
    d = {
        "username": "linan",
        "name": "林安",
        "phone": "139 0000 1111",
        "home": compound.pk,
        "password1": "Linjv-2026-abc",
        "password2": "Linjv-2026-abc",
    }
    d.update(over)
    return d


def test_a_resident_registers_and_lands_on_the_board(client, compound):
    assert "居民注册" in texts(client.get("/accounts/login/"))
    assert client.get("/accounts/register/").status_code == 200
    r = client.post("/accounts/register/", data(compound))
    assert r.status_code == 302 and r["Location"] == "/sharing/"
    resident = Resident.objects.get()
    assert resident.name == "林安" and resident.home == compound
    assert resident.phone_masked == "139****1111" and "13900001111" not in resident.phone_enc
    assert resident.reveal_phone() == "13900001111"
    assert "紫金花园" in texts(client.get("/sharing/"))


@pytest.mark.parametrize(
    "over, field, message",
    [
        ({"phone": "12345"}, "phone", "手机号码应为11位"),
        ({"password2": "other-2026-x"}, "password2", "两次输入的密码不一致"),
        ({"password1": "abc", "password2": "abc"}, "password1", "密码太短"),
        ({"password1": "abcdefghijkl", "password2": "abcdefghijkl"}, "password1", "字母和数字"),
        ({"name": " "}, "name", "必填"),
        ({"username": "林 安"}, "username", "字母、数字和下划线"),
        ({"home": ""}, "home", ""),
    ],
)
def test_bad_input_is_refused_and_nothing_is_written(client, compound, over, field, message):
    users = User.objects.count()
    r = client.post("/accounts/register/", data(compound, **over))
    assert r.status_code == 200
    assert message in texts(r)
    assert "is-invalid" in texts(r)
    assert User.objects.count() == users and not Resident.objects.exists()


def test_one_account_per_phone_and_per_username(client, compound):
    client.post("/accounts/register/", data(compound))
    client.logout()
    r = client.post("/accounts/register/", data(compound, username="other"))
    assert "该手机号已注册" in texts(r)
    r = client.post("/accounts/register/", data(compound, phone="13900002222"))
    assert "该登录名已被使用" in texts(r)
    assert Resident.objects.count() == 1


def test_home_must_be_a_compound_or_building(client, world):
    r = client.post("/accounts/register/", data(world["compound_a"], home=world["comm_a"].pk))
    assert r.status_code == 200 and not Resident.objects.exists()
    building = factories.area("紫金花园2幢", AreaLevel.BUILDING, world["compound_a"])
    assert (
        client.post("/accounts/register/", data(world["compound_a"], home=building.pk)).status_code
        == 302
    )


def test_the_compound_search_narrows_the_choices(client, world):
    factories.area("孝闻小区", AreaLevel.COMPOUND, world["comm_b"])
    body = texts(client.get("/accounts/register/?q=孝闻"))
    assert "孝闻小区" in body and "紫金花园" not in body


def test_a_resident_signing_in_lands_on_the_compound_page_not_the_staff_dashboard(
    world, client_for
):
    user = User.objects.create(username="resident-home")
    Resident.objects.create(user=user, name="居民乙", home=world["compound_a"])
    # The compound page is rendered at / itself, without a redirect (issue 13, item 6).
    r = client_for(user).get("/")
    assert r.status_code == 200 and 'data-testid="board"' in r.content.decode()
    assert "tx-tabbar" in r.content.decode()
    # Staff keep their 工作台.
    assert client_for(world["alice"]).get("/").status_code == 200


def test_too_many_registrations_from_one_address_are_refused(client, compound, settings):
    from django.core.cache import cache

    from tongxin.accounts import resident_views

    cache.clear()
    for i in range(resident_views.REGISTER_PER_HOUR):
        client.post("/accounts/register/", data(compound, username=f"u{i}", phone="12"))
    users = User.objects.count()
    r = client.post("/accounts/register/", data(compound, username="late", phone="13900002222"))
    assert r.status_code == 429
    assert "注册次数过多" in texts(r) and "一小时后再试" in texts(r)
    assert User.objects.count() == users and not Resident.objects.filter(name="林安").exists()
    # Another address is not held back.
    r = client.post(
        "/accounts/register/",
        data(compound, username="other", phone="13900003333"),
        REMOTE_ADDR="10.0.0.9",
    )
    assert r.status_code == 302
    cache.clear()
