"""Transfers' addresses from before they became their own app answer a permanent redirect to the
same page under /transfers/ (301 for a page, 308 for a form posted, the query string kept), and
the verification link printed as a QR code on letters issued then still verifies."""

from __future__ import annotations

import pytest
from django.core import signing

from tests.helpers import texts
from tongxin.core.scope import scope_for_user
from tongxin.transfers import selectors, services
from tongxin.transfers.models import Transfer


@pytest.fixture
def issued(world) -> Transfer:
    """张红's transfer to branch A2 with its letter issued (the common ancestor approved)."""
    bob, alice = world["bob"], world["alice"]
    t = services.transfer_create(
        actor=bob,
        scope=scope_for_user(bob),
        member=world["m_a1"],
        target=world["branch_a2"],
        reason="工作调动",
        submit=True,
    )
    return services.transfer_approve(actor=alice, scope=scope_for_user(alice), transfer=t)


def moved(response, to: str, status: int = 301) -> bool:
    return response.status_code == status and response["Location"] == to


def test_the_inbox_redirects_with_its_tab(client):
    assert moved(client.get("/members/transfers/"), "/transfers/")
    assert moved(client.get("/members/transfers/?tab=incoming"), "/transfers/?tab=incoming")


def test_my_transfers_redirects(client):
    assert moved(client.get("/members/transfers/mine/"), "/transfers/mine/")
    assert moved(client.get("/members/transfers/mine/?transfer=7"), "/transfers/mine/?transfer=7")


def test_my_withdrawal_redirects_keeping_the_post(client):
    r = client.post("/members/transfers/mine/7/withdraw/", {"note": "x"})
    assert moved(r, "/transfers/mine/7/withdraw/", 308)


def test_the_detail_redirects(client):
    assert moved(client.get("/members/transfers/7/"), "/transfers/7/")


def test_the_letter_redirects(client):
    assert moved(client.get("/members/transfers/7/letter/"), "/transfers/7/letter/")


def test_an_action_redirects_keeping_the_post(client):
    for action in ("submit", "approve", "reject", "withdraw", "complete"):
        r = client.post(f"/members/transfers/7/{action}/", {"position": 1})
        assert moved(r, f"/transfers/7/{action}/", 308), action


def test_the_request_form_redirects(client):
    r = client.get("/members/7/transfer/?q=孝闻")
    assert moved(r, "/transfers/new/7/?q=%E5%AD%9D%E9%97%BB")
    assert moved(client.post("/members/7/transfer/", {"target": 1}), "/transfers/new/7/", 308)


def test_the_printed_verification_link_redirects_and_still_verifies(world, client, issued):
    # The token as letters printed before the move carry it (the salt is unchanged).
    token = signing.dumps(
        {"t": issued.pk, "n": issued.letter_no},
        salt="tongxin.members.transfer-letter",
        compress=True,
    )
    assert token == selectors.letter_token(issued)
    r = client.get(f"/members/transfers/verify/{token}/")
    assert moved(r, f"/transfers/verify/{token}/")
    page = client.get(r["Location"])
    assert page.status_code == 200 and "有效" in texts(page) and issued.letter_no in texts(page)


def test_a_forged_old_verification_link_still_finds_nothing(client):
    r = client.get("/members/transfers/verify/not-a-token/", follow=True)
    assert r.redirect_chain == [("/transfers/verify/not-a-token/", 301)]
    assert r.status_code == 404


def test_the_old_api_paths_redirect(world, client_for, issued):
    c = client_for(world["alice"])
    assert moved(c.get("/api/v1/members/transfers/?tab=all"), "/api/v1/transfers/?tab=all")
    assert moved(c.get(f"/api/v1/members/transfers/{issued.pk}"), f"/api/v1/transfers/{issued.pk}")
    assert moved(c.get("/api/v1/members/transfers/mine"), "/api/v1/transfers/mine")
    r = c.post(
        f"/api/v1/members/transfers/{issued.pk}/approve",
        {"position": 2},
        content_type="application/json",
    )
    assert moved(r, f"/api/v1/transfers/{issued.pk}/approve", 308)
    # followed, the same answer as the new path
    assert c.get("/api/v1/members/transfers/?tab=all", follow=True).json()["count"] == 1


def test_the_pages_that_link_to_transfers_use_the_new_addresses(world, client_for):
    bob = client_for(world["bob"])
    body = bob.get(f"/members/{world['m_a1'].pk}/").content.decode()
    assert f'href="/transfers/new/{world["m_a1"].pk}/"' in body
    assert "/members/transfers" not in bob.get("/").content.decode()
