from __future__ import annotations

import pytest

from tests import factories
from tongxin.accounts.models import Resident
from tongxin.geo.models import AreaLevel
from tongxin.sharing import services
from tongxin.sharing.models import Listing


def make_resident(username: str, name: str, home, phone: str = "") -> Resident:
    user = factories.user(username, display_name=name)
    r = Resident(user=user, name=name, home=home)
    r.set_phone(phone)
    r.save()
    return r


def post(
    resident: Resident, direction: str, title: str, kind: str = "childcare", body: str = "", **over
) -> Listing:
    data = services.ListingInput(direction=direction, kind=kind, title=title, body=body, **over)
    listing, _masked = services.listing_create(actor=resident.user, resident=resident, data=data)
    return listing


@pytest.fixture
def town(world):
    """Street A's compound 紫金花园 (with a building) and a second compound in the same
    community; street B's compound. Residents: ann and ben are neighbours in 紫金花园, cat lives
    in the same compound too (a third person), dan in the other compound of street A, eve in
    street B (the stranger)."""
    w = world
    w["building_a"] = factories.area("紫金花园1幢", AreaLevel.BUILDING, w["compound_a"])
    w["compound_a2"] = factories.area("紫金苑", AreaLevel.COMPOUND, w["comm_a"])
    w["compound_b"] = factories.area("孝闻小区", AreaLevel.COMPOUND, w["comm_b"])
    w["ann"] = make_resident("ann", "林安", w["building_a"], "13900001111")
    w["ben"] = make_resident("ben", "周斌", w["compound_a"], "13900002222")
    w["cat"] = make_resident("cat", "许彩", w["compound_a"], "13900003333")
    w["dan"] = make_resident("dan", "郑丹", w["compound_a2"], "13900004444")
    w["eve"] = make_resident("eve", "吴娥", w["compound_b"], "13900005555")
    return w
