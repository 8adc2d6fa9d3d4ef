"""Stranger cases of tongxin.powers.services (tests/stranger.py): charlie, secretary of branch B1
in street B, acts on street A's catalogue and instances, and objects to a draft that is not
public."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tests.powers.conftest import pdf
from tests.stranger import case
from tests.stranger_setup import scope_of
from tongxin.powers import selectors, services
from tongxin.powers.models import Objection, PowerInstance, PowerItem

W = dict[str, Any]
S = "tongxin.powers.services."


def _charlie(w: W) -> dict[str, Any]:
    return {"scope": scope_of(w["charlie"]), "actor": w["charlie"]}


def _catalogue(w: W) -> PowerItem:
    services.catalogue_load(scope=scope_of(None), actor=None, area=w["comm_a"], org=w["comm_a_org"])
    return PowerItem.objects.get(area=w["comm_a"], name="最低生活保障申请")


def _running(w: W) -> PowerInstance:
    inst = services.instance_create(
        scope=scope_of(None), actor=None, item=_catalogue(w), title="低保申请", applicant="张三"
    )
    return services.instance_start(scope=scope_of(None), actor=None, instance=inst)


@case(S + "catalogue_load")
def _(w: W) -> None:
    services.catalogue_load(**_charlie(w), area=w["comm_a"], org=w["comm_a_org"])


@case(S + "item_update")
def _(w: W) -> Iterator[None]:
    item = _catalogue(w)
    yield
    services.item_update(**_charlie(w), item=item, name="改名", basis="", active=False)


@case(S + "step_update")
def _(w: W) -> Iterator[None]:
    step = selectors.steps_of(_catalogue(w))[0]
    yield
    services.step_update(
        **_charlie(w), step=step, name="x", role="y", documents=[], publicity_days=0, limit_days=1
    )


@case(S + "instance_create")
def _(w: W) -> Iterator[None]:
    item = _catalogue(w)
    yield
    services.instance_create(**_charlie(w), item=item, title="冒名登记")


@case(S + "instance_start")
def _(w: W) -> Iterator[None]:
    inst = services.instance_create(
        scope=scope_of(None), actor=None, item=_catalogue(w), title="低保申请"
    )
    yield
    services.instance_start(**_charlie(w), instance=inst)


@case(S + "document_attach")
def _(w: W) -> Iterator[None]:
    inst = _running(w)
    step = selectors.steps_of(inst.item)[0]
    yield
    services.document_attach(**_charlie(w), instance=inst, step=step, name="申请书", f=pdf())


@case(S + "instance_advance")
def _(w: W) -> Iterator[None]:
    inst = _running(w)
    step = selectors.steps_of(inst.item)[0]
    yield
    services.instance_advance(**_charlie(w), instance=inst, step=step)


@case(S + "objection_file")
def _(w: W) -> Iterator[None]:
    draft = services.instance_create(
        scope=scope_of(None), actor=None, item=_catalogue(w), title="低保申请"
    )
    yield
    services.objection_file(actor=w["charlie"], instance=draft, text="反对")


@case(S + "objection_answer")
def _(w: W) -> Iterator[None]:
    inst = _running(w)
    step = selectors.steps_of(inst.item)[3]
    objection = Objection.objects.create(instance=inst, step=step, text="有意见")
    yield
    services.objection_answer(**_charlie(w), objection=objection, answer="已核实")
