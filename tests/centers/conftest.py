from __future__ import annotations

import pytest

from tongxin.centers import services


@pytest.fixture
def center(world):  # type: ignore[no-untyped-def]
    """A community centre of street A (alice manages it), with a room and a bookable item."""
    c = services.center_create(
        actor=world["alice"], name="紫金社区党群服务站", level="community",
        area=world["comm_a"], org=world["comm_a_org"], address="紫金路1号",
        latitude="29.870000", longitude="121.550000",
        opening_hours={"mon": [["08:30", "17:30"]], "sat": [["09:00", "12:00"]]},
        services="党员组织关系转接\n老年人助餐", contact_name="周敏", phone="13912345678",
    )  # fmt: skip
    services.room_create(actor=world["alice"], center=c, name="多功能室", capacity=40)
    services.item_create(actor=world["alice"], center=c, name="法律咨询", bookable=True)
    return c


@pytest.fixture
def center_b(world):  # type: ignore[no-untyped-def]
    return services.center_create(
        actor=None, name="孝闻社区党群服务站", level="community", area=world["comm_b"],
        org=world["branch_b1"], phone="13800001111",
    )  # fmt: skip
