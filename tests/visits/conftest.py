from __future__ import annotations

import datetime as dt

import pytest

from tongxin.visits import services
from tongxin.visits.models import Visit, VisitKind


def record(world: dict, actor=None, **over) -> Visit:  # type: ignore[no-untyped-def, type-arg]
    data = dict(
        kind=VisitKind.HOME,
        visited_on=dt.date.today() - dt.timedelta(days=1),
        org=world["branch_a1"],
        area=world["compound_a"],
        people_met="张大爷一家",
        heard="楼道灯坏了两个月，老人晚上出门不便。",
        household="3幢201",
        problems=("3幢楼道灯不亮",),
    )
    data.update(over)
    return services.visit_record(
        actor=actor if actor is not None else world["bob"], data=services.VisitInput(**data)
    )


@pytest.fixture
def visit(world):  # type: ignore[no-untyped-def]
    return record(world)
