"""Stranger cases of tongxin.orgs.services (see tests/stranger.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.stranger import case, not_acting
from tongxin.orgs import services
from tongxin.orgs.models import OrgKind, Sector

for _name in ("nesting_error", "children_error", "org_field_errors"):
    not_acting(f"tongxin.orgs.services.{_name}", "a pure check of form values: it writes nothing")


@case("tongxin.orgs.services.org_create")
def _(w: dict[str, Any]) -> Any:
    services.org_create(
        actor=w["charlie"],
        parent=w["comm_a_org"],
        name="陌生人建的支部",
        kind=OrgKind.BRANCH,
        sector=Sector.COMMUNITY,
    )


@case("tongxin.orgs.services.org_update")
def _(w: dict[str, Any]) -> Any:
    services.org_update(actor=w["charlie"], org=w["branch_a1"], name="改名")


@case("tongxin.orgs.services.org_move")
def _(w: dict[str, Any]) -> Any:
    services.org_move(actor=w["charlie"], org=w["branch_a1"], new_parent=w["street_b"])


@case("tongxin.orgs.services.leadership_add")
def _(w: dict[str, Any]) -> Any:
    services.leadership_add(
        actor=w["charlie"],
        org=w["branch_a1"],
        member=w["m_a1"],
        role="secretary",
        term_start=dt.date(2026, 1, 1),
        term_end=dt.date(2030, 12, 31),
    )


@case("tongxin.orgs.services.unit_create")
def _(w: dict[str, Any]) -> Any:
    services.unit_create(
        actor=w["charlie"], name="陌生人登记的单位", sector=Sector.COMMUNITY, area=w["comm_a"]
    )


@case("tongxin.orgs.services.unit_update")
def _(w: dict[str, Any]) -> Any:
    unit = services.unit_create(
        actor=None, name="紫金物业", sector=Sector.COMMUNITY, area=w["comm_a"]
    )
    yield
    services.unit_update(
        actor=w["charlie"], unit=unit, name="改名", sector=Sector.COMMUNITY, area=w["comm_a"]
    )
