from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests import factories
from tests.sharing.conftest import make_resident
from tests.stranger_setup import scope_of
from tongxin.geo.models import Area, AreaLevel
from tongxin.orgs.models import OrgKind, Sector
from tongxin.powers import selectors, services
from tongxin.powers.models import PowerInstance, PowerItem

RELIEF = (
    "最低生活保障申请"  # 本人申请 → 入户调查 → 民主评议 → 评议公示(7天) → 报镇街审批 → 发放到户
)


def pdf(name: str = "doc.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"%PDF-1.4\n% test\n", content_type="application/pdf")


@pytest.fixture
def pw(world):
    """The world plus: the default catalogue of 紫金社区 (street A, a city community) owned by
    its Party committee; a village of street A with its own catalogue; bella, street B's
    secretary (powers.manage, a stranger to street A); ann, a resident of 紫金花园; dora, a
    second street-A secretary (same reach as alice, but not the author of alice's drafts)."""
    w = world
    a = w["alice"]
    w["village"] = factories.area("东山村", AreaLevel.COMMUNITY, w["street_a_area"])
    # Areas are kept in name order: 东山村 sorts before 紫金社区, whose subtree moves on.
    for v in w.values():
        if isinstance(v, Area):
            v.refresh_from_db()
    w["village_org"] = factories.org(
        "东山村党委", OrgKind.COMMITTEE, w["street_a"], sector=Sector.VILLAGE, area=w["village"]
    )
    services.catalogue_load(scope=scope_of(a), actor=a, area=w["comm_a"], org=w["comm_a_org"])
    services.catalogue_load(scope=scope_of(a), actor=a, area=w["village"], org=w["village_org"])
    w["bella"] = factories.user("bella", "street_secretary", org=w["street_b"])
    w["dora"] = factories.user("dora", "street_secretary", org=w["street_a"])
    w["ann"] = make_resident("ann", "林安", w["compound_a"], "13900001111")
    w["relief"] = PowerItem.objects.get(area=w["comm_a"], name=RELIEF)
    return w


def new_instance(w, *, start: bool = True, applicant: str = "张三丰") -> PowerInstance:
    a = w["alice"]
    inst = services.instance_create(
        scope=scope_of(a), actor=a, item=w["relief"], title="低保申请", applicant=applicant
    )
    if start:
        inst = services.instance_start(scope=scope_of(a), actor=a, instance=inst)
    return inst


def attach_all(w, inst: PowerInstance) -> None:
    """Attach every document the current step requires."""
    a = w["alice"]
    step = selectors.current_step(inst, selectors.steps_of(inst.item))
    assert step is not None
    for name in step.documents:
        services.document_attach(
            scope=scope_of(a), actor=a, instance=inst, step=step, name=name, f=pdf()
        )


def back_date(inst: PowerInstance, days: int) -> PowerInstance:
    """Move the current step's start ``days`` back (the clock, without sleeping)."""
    inst.refresh_from_db()
    assert inst.step_started_at is not None
    started = inst.step_started_at - dt.timedelta(days=days)
    PowerInstance.objects.filter(pk=inst.pk).update(step_started_at=started)
    inst.refresh_from_db()
    return inst


def advance(w, inst: PowerInstance, note: str = "") -> PowerInstance:
    a = w["alice"]
    inst.refresh_from_db()
    step = selectors.current_step(inst, selectors.steps_of(inst.item))
    assert step is not None
    return services.instance_advance(
        scope=scope_of(a), actor=a, instance=inst, step=step, note=note
    )


def walk_to_publicity(w, inst: PowerInstance) -> PowerInstance:
    """Do the three steps before the 评议公示 of the relief flow."""
    for _ in range(3):
        attach_all(w, inst)
        inst = advance(w, inst)
    return inst


def today() -> dt.date:
    return timezone.localdate()
