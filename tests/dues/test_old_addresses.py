"""党费's pages moved from /members/dues/... to /dues/...: every old address answers with a
permanent redirect to the new one, its query string kept (bookmarks, printed links)."""

from __future__ import annotations

import pytest
from django.urls import reverse

PK = 12


@pytest.mark.parametrize(
    "old, name, args",
    [
        ("/members/dues/", "dues:statement", []),
        ("/members/dues/arrears/", "dues:arrears", []),
        ("/members/dues/import/", "dues:import", []),
        ("/members/dues/import/template/", "dues:import_template", []),
        ("/members/dues/mine/", "dues:mine", []),
        (f"/members/dues/payments/{PK}/reverse/", "dues:reverse", [PK]),
        (f"/members/{PK}/dues/", "dues:member", [PK]),
    ],
)
def test_old_address_redirects_permanently(client, old, name, args):
    r = client.get(f"{old}?org=3&month=2026-11")
    assert r.status_code == 301
    assert r["Location"] == f"{reverse(name, args=args)}?org=3&month=2026-11"
    assert r["Location"].startswith("/dues/")


def test_new_addresses():
    assert reverse("dues:statement") == "/dues/"
    assert reverse("dues:member", args=[PK]) == f"/dues/members/{PK}/"
    assert reverse("dues:reverse", args=[PK]) == f"/dues/payments/{PK}/reverse/"


def test_a_followed_redirect_reaches_the_page(world, client_for):
    c = client_for(world["bob"])
    r = c.get(f"/members/{world['m_a1'].pk}/dues/", follow=True)
    assert r.status_code == 200
    assert r.redirect_chain == [(f"/dues/members/{world['m_a1'].pk}/", 301)]
