from __future__ import annotations

import datetime as dt

import pytest

from tests import factories
from tongxin.accounts.models import Resident
from tongxin.cases import services
from tongxin.cases.models import Agency, AgencyMember, Category
from tongxin.geo.models import AreaLevel

NOW = dt.datetime(2026, 6, 1, 2, 0, tzinfo=dt.UTC)


@pytest.fixture
def cw(world):
    """The test world plus what cases need: a grid worker on 紫金社区, a 城管 handler (dan),
    a 住建 handler (erin, a stranger to 城管's cases), a resident (rita) in 紫金花园, and
    a compound in street B."""
    w = dict(world)
    w["compound_b"] = factories.area("孝闻小区", AreaLevel.COMPOUND, w["comm_b"])
    w["chengguan"] = Agency.objects.get(code="chengguan")
    w["zhujian"] = Agency.objects.get(code="zhujian")
    w["sanitation"] = Category.objects.get(code="sanitation")  # default agency 城管
    w["municipal"] = Category.objects.get(code="municipal")  # default agency 住建
    w["grace"] = factories.user("grace", "grid_worker", area=w["comm_a"])
    w["dan"] = factories.user("dan", "department", area=w["city_a"])
    AgencyMember.objects.create(user=w["dan"], agency=w["chengguan"])
    w["erin"] = factories.user("erin", "department", area=w["city_a"])
    AgencyMember.objects.create(user=w["erin"], agency=w["zhujian"])
    rita = factories.user("rita")
    w["rita"] = rita
    w["rita_res"] = Resident.objects.create(user=rita, name="居民丽塔", home=w["compound_a"])
    sam = factories.user("sam")
    w["sam"] = sam
    w["sam_res"] = Resident.objects.create(user=sam, name="居民萨姆", home=w["compound_a"])
    return w


def report(w, **over):
    data = dict(
        actor=w["grace"],
        area=w["compound_a"],
        category=w["sanitation"],
        description="3号楼门口垃圾堆放三天没有清运，气味很大。",
        source="grid",
        now=NOW,
    )
    data.update(over)
    return services.case_report(**data)


def ensure_defaults() -> None:
    """transactional_db empties every table after a test, data-migration rows included: put
    the default agencies and categories back (idempotent)."""
    import importlib

    from django.apps import apps

    importlib.import_module("tongxin.cases.migrations.0002_default_categories").load(apps, None)
