"""/api/v1/aid: the same way through the API, the refusals as 4xx with Chinese messages, and
a stranger gets 404 on every operation with nothing written."""

from __future__ import annotations

import pytest

from tests.aid.helpers import counts
from tests.aid.world import aid_world, apply, end_publicity, fill, to_publicity
from tests.helpers import today
from tongxin.aid.models import AidApplication, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    w = aid_world()
    fill(w)
    return w


def post(c, url, data=None):
    return c.post(url, data or {}, content_type="application/json")


def test_the_whole_way_through_the_api(w, client_for):
    f = w["fund"].pk
    alice = client_for(w["alice"])
    assert alice.get(f"/api/v1/aid/funds/{f}").json()["balance"]["total_fen"] == 1_000_000
    r = post(
        alice,
        f"/api/v1/aid/funds/{f}/income",
        {"source": "upper", "amount_fen": 50_000, "on": today().isoformat()},
    )
    assert r.status_code == 201
    r = post(
        alice,
        f"/api/v1/aid/funds/{f}/donations",
        {"member_id": w["m_a2"].pk, "amount_fen": 10_000, "donated_on": today().isoformat()},
    )
    assert r.status_code == 201 and r.json()["certificate_no"]
    hong = client_for(w["hong"])
    r = post(
        hong,
        "/api/v1/aid/applications",
        {
            "fund_id": f,
            "kind_id": w["illness"].pk,
            "amount_fen": 300_000,
            "reason": "住院手术，家中困难，申请补助。",
        },
    )
    assert r.status_code == 201, r.json()
    a = r.json()["id"]
    assert post(client_for(w["bob"]), f"/api/v1/aid/applications/{a}/review").status_code == 200
    for u in ("wei", "xu"):
        assert post(client_for(w[u]), f"/api/v1/aid/applications/{a}/decide").status_code == 200
    qian = client_for(w["qian"])
    r = post(qian, f"/api/v1/aid/applications/{a}/pay")
    assert r.status_code == 409 and "公示" in r.json()["message"]
    end_publicity(AidApplication.objects.get(pk=a))
    assert post(qian, f"/api/v1/aid/applications/{a}/pay").json()["status"] == Status.PAID
    assert client_for(w["hong"]).get("/api/v1/aid/mine").json()[0]["status"] == "paid"
    rep = client_for(w["alice"]).get(f"/api/v1/aid/funds/{f}/report").json()
    assert rep["aid"] == [{"kind": "重大病补助", "payments": 1, "amount_fen": 300_000}]
    assert rep["closing_fen"] == 760_000 and rep["people"] == 1


def test_bad_input_through_the_api_is_a_4xx_with_a_chinese_message(w, client_for):
    f = w["fund"].pk
    alice = client_for(w["alice"])
    before = counts()
    r = post(
        alice,
        f"/api/v1/aid/funds/{f}/donations",
        {"member_id": w["m_a2"].pk, "amount_fen": -1, "donated_on": today().isoformat()},
    )
    assert r.status_code == 400 and "应大于0元" in str(r.json())
    r = post(
        client_for(w["hong"]),
        "/api/v1/aid/applications",
        {
            "fund_id": f,
            "kind_id": w["illness"].pk,
            "amount_fen": 5_000_000,
            "reason": "住院手术，家中困难。",
        },
    )
    assert r.status_code == 400 and "之间" in str(r.json())
    assert alice.get("/api/v1/aid/applications?status=nonsense").status_code == 400
    assert counts() == before


def test_the_same_approver_twice_through_the_api_is_refused(w, client_for):
    a = apply(w)
    post(client_for(w["bob"]), f"/api/v1/aid/applications/{a.pk}/review")
    wei = client_for(w["wei"])
    post(wei, f"/api/v1/aid/applications/{a.pk}/decide")
    r = post(wei, f"/api/v1/aid/applications/{a.pk}/decide")
    assert r.status_code == 409 and "另一位委员" in r.json()["message"]


def test_a_stranger_gets_404_on_every_operation(w, client_for):
    a = to_publicity(w)
    end_publicity(a)
    f = w["fund"].pk
    c = client_for(w["charlie"])
    before = counts()
    for url in (
        f"/api/v1/aid/funds/{f}",
        f"/api/v1/aid/funds/{f}/report",
        f"/api/v1/aid/funds/{f}/movements",
        f"/api/v1/aid/applications/{a.pk}",
    ):
        assert c.get(url).status_code == 404, url
    assert c.get("/api/v1/aid/funds").json()["count"] == 0
    assert c.get("/api/v1/aid/applications").json()["count"] == 0
    assert c.get("/api/v1/aid/mine").json() == []
    for url, data in (
        (
            f"/api/v1/aid/funds/{f}/income",
            {"source": "finance", "amount_fen": 1, "on": today().isoformat()},
        ),
        (
            f"/api/v1/aid/funds/{f}/donations",
            {"member_id": w["m_a1"].pk, "amount_fen": 1, "donated_on": today().isoformat()},
        ),
        (
            "/api/v1/aid/applications",
            {
                "fund_id": f,
                "kind_id": w["illness"].pk,
                "amount_fen": 200_000,
                "reason": "住院手术，家中困难。",
                "member_id": w["m_a1"].pk,
            },
        ),
        (f"/api/v1/aid/applications/{a.pk}/review", {}),
        (f"/api/v1/aid/applications/{a.pk}/decide", {}),
        (f"/api/v1/aid/applications/{a.pk}/pay", {}),
    ):
        assert post(c, url, data).status_code == 404, url
    assert counts() == before
