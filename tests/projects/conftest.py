from __future__ import annotations

import pytest

from tests import factories
from tests.sharing.conftest import make_resident
from tests.stranger_setup import scope_of
from tongxin.centers.models import SocialOrganization
from tongxin.geo.models import AreaLevel
from tongxin.projects import services
from tongxin.projects.models import Aspect, NeedCategory
from tongxin.projects.taxonomy import DEFAULT_TAXONOMY


def ensure_taxonomy() -> None:
    """The data migration's rows, again: a real-browser test (transactional_db) that ran
    earlier in the session flushed them."""
    for i, (name, cats) in enumerate(DEFAULT_TAXONOMY):
        aspect, _ = Aspect.objects.get_or_create(name=name, defaults={"order": i + 1})
        for j, c in enumerate(cats):
            NeedCategory.objects.get_or_create(aspect=aspect, name=c, defaults={"order": j + 1})


@pytest.fixture
def pw(world):
    """The world plus: a social organization (店小二) in street A, residents ann (紫金花园)
    and eve (street B), and bella, street B's secretary (a stranger to street A with
    projects.manage)."""
    w = world
    ensure_taxonomy()
    w["compound_b"] = factories.area("孝闻小区", AreaLevel.COMPOUND, w["comm_b"])
    w["social"] = SocialOrganization.objects.create(
        name="乐趣社工服务中心",
        kind="service_agency",
        area=w["comm_a"],
        guiding_org=w["comm_a_org"],
    )
    w["ann"] = make_resident("ann", "林安", w["compound_a"], "13900001111")
    w["ann2"] = make_resident("ann2", "林平", w["compound_a"], "13900001112")
    w["eve"] = make_resident("eve", "吴娥", w["compound_b"], "13900005555")
    w["bella"] = factories.user("bella", "street_secretary", org=w["street_b"])
    w["cat_elder"] = NeedCategory.objects.get(name="居家养老")
    w["cat_env"] = NeedCategory.objects.get(name="楼道整治")
    return w


def make_project(w, **over):
    data = dict(
        name="颐养助餐点",
        category=w["cat_elder"],
        lead_org=w["comm_a_org"],
        area=w["comm_a"],
        budget_fen=500_000,
        operator=w["social"],
    )
    data.update(over)
    return services.project_create(
        scope=scope_of(w["alice"]), actor=w["alice"], data=services.ProjectInput(**data)
    )
