from __future__ import annotations

import pytest

from tests import factories
from tongxin.geo.models import AreaLevel
from tongxin.grids import services


@pytest.fixture(autouse=True)
def _fresh_cache():
    # The 工作台 card keeps its counts in the cache; ids repeat between tests.
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def gw(world):
    """make_world() plus a grid in each street: grid_a in 紫金社区 (紫金花园, served by branch A1)
    and grid_b in 孝闻社区 (served by branch B1, charlie's)."""
    w = world
    w["building_a"] = factories.area("紫金花园1幢", AreaLevel.BUILDING, w["compound_a"])
    w["compound_a2"] = factories.area("紫金新村", AreaLevel.COMPOUND, w["comm_a"])
    w["compound_b"] = factories.area("孝闻小区", AreaLevel.COMPOUND, w["comm_b"])
    w["grid_a"] = services.grid_create(
        actor=None,
        community=w["comm_a"],
        name="紫金花园网格",
        code="01",
        serving_branch=w["branch_a1"],
        compounds=[w["compound_a"]],
    )
    w["grid_b"] = services.grid_create(
        actor=None,
        community=w["comm_b"],
        name="孝闻网格",
        code="01",
        serving_branch=w["branch_b1"],
        compounds=[w["compound_b"]],
    )
    return w


@pytest.fixture
def ugw(gw):
    """gw plus units and accounts: 紫金科技 and 南门物流 in street A, 鼓楼商贸 in street B; a
    grid worker account wendy anchored in 紫金社区; dave, the account of member 李明; and
    eve, charlie's colleague in street B."""
    from tongxin.accounts.models import User
    from tongxin.orgs.services import unit_create

    w = gw
    w["unit_a"] = unit_create(
        actor=None, name="紫金科技公司", sector="enterprise", area=w["street_a_area"]
    )
    w["unit_a2"] = unit_create(
        actor=None, name="南门物流公司", sector="enterprise", area=w["street_a_area"]
    )
    w["unit_b"] = unit_create(
        actor=None, name="鼓楼商贸公司", sector="enterprise", area=w["street_b_area"]
    )
    w["wendy"] = factories.user("wendy", "grid_worker", area=w["comm_a"], display_name="吴敏")
    w["dave"] = factories.user("dave", "member", org=w["branch_a1"], display_name="李明")
    User.objects.filter(pk=w["dave"].pk).update(member=w["m_a1b"])
    w["dave"].refresh_from_db()
    w["eve"] = factories.user("eve", "grid_worker", area=w["comm_b"], display_name="郑洁")
    return w


@pytest.fixture
def hospital(ugw):
    """ugw plus 宁波市第一医院, a unit of the city (above every street), covered by a unit grid
    of 紫金社区 that alice manages. Who works there:
    周明 (branch A2, alice's) in no grid; 张红 (alice's) in grid_a by residence;
    吴强 (branch B1, not alice's) in no grid; 赵刚 (branch B1) in grid_b;
    李明 (branch A1, alice's, living in street B) in grid_b, which alice does not manage."""
    from tongxin.orgs.services import unit_create

    w = ugw
    w["unit_city"] = unit_create(
        actor=None, name="宁波市第一医院", sector="public_institution", area=w["city_a"]
    )
    w["grid_h"] = services.grid_create(
        actor=None,
        community=w["comm_a"],
        name="第一医院网格",
        code="09",
        serving_branch=w["branch_a2"],
        compounds=[],
        units=[w["unit_city"]],
    )
    w["m_zhou"] = factories.member(w["branch_a2"], name="周明", work_unit=w["unit_city"])
    w["m_wu"] = factories.member(w["branch_b1"], name="吴强", work_unit=w["unit_city"])
    for key in ("m_a1", "m_b1", "m_a1b"):
        w[key].work_unit = w["unit_city"]
        w[key].save()
    services.grid_assign_member(actor=None, grid=w["grid_a"], member=w["m_a1"])
    services.grid_assign_member(actor=None, grid=w["grid_b"], member=w["m_b1"])
    services.grid_assign_member(actor=None, grid=w["grid_b"], member=w["m_a1b"])
    return w
