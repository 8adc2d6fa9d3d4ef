from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.stranger_setup import scope_of
from tongxin.core.models import AuditLog
from tongxin.geo.models import AreaLevel
from tongxin.orgs.models import Unit
from tongxin.visits import services
from tongxin.visits.models import ContactAssignment, ContactTarget, PatrolPost, Visit, VisitKind


def record(world: dict, actor=None, **over) -> Visit:
    data = dict(
        kind=VisitKind.HOME,
        visited_on=timezone.localdate() - dt.timedelta(days=1),
        org=world["branch_a1"],
        area=world["compound_a"],
        people_met="张大爷一家",
        heard="楼道灯坏了两个月，老人晚上出门不便。",
        household="3幢201",
        problems=("3幢楼道灯不亮",),
    )
    data.update(over)
    return services.visit_record(
        scope=scope_of(actor if actor is not None else world["bob"]),
        actor=actor if actor is not None else world["bob"],
        data=services.VisitInput(**data),
    )


@pytest.fixture
def visit(world):
    return record(world)


@pytest.fixture
def aw(world):
    """张红 (branch A1) links 4 of 6 units and 10 households of 紫金花园; a patrol post of
    branch A1 with 张红 on duty; a compound of street B for the out-of-area cases."""
    from tests import factories

    w = dict(world)
    w["units"] = [
        Unit.objects.create(name=f"紫金单位{i}", sector="enterprise", area=w["compound_a"])
        for i in range(6)
    ]
    w["compound_b"] = factories.area("孝闻小区", AreaLevel.COMPOUND, w["comm_b"])
    w["assignment"] = services.assignment_create(
        scope=scope_of(w["alice"]),
        actor=w["alice"],
        leader=w["m_a1"],
        org=w["branch_a1"],
        units=w["units"][:4],
        households=[
            services.HouseholdInput(area=w["compound_a"], label=f"{i}幢101") for i in range(10)
        ],
    )
    w["post"] = services.patrol_post_create(
        scope=scope_of(w["alice"]),
        actor=w["alice"],
        name="紫金巡访岗",
        org=w["branch_a1"],
        area=w["compound_a"],
        place="紫金花园北门",
        shifts="每天上午",
        members=[w["m_a1"]],
    )
    return w


def edit_state() -> tuple:
    """Everything an edit or an end of 三访责任 and 巡访服务岗 could change."""
    return (
        list(
            ContactAssignment.objects.order_by("pk").values_list(
                "pk", "org_id", "org_path", "contact_duty", "home_duty", "active"
            )
        ),
        list(
            ContactTarget.objects.order_by("pk").values_list(
                "pk", "assignment_id", "kind", "unit_id", "area_id", "label"
            )
        ),
        list(
            PatrolPost.objects.order_by("pk").values_list(
                "pk", "name", "org_id", "area_id", "place", "shifts", "active"
            )
        ),
        list(
            PatrolPost.members.through.objects.order_by("pk").values_list(
                "patrolpost_id", "member_id"
            )
        ),
        AuditLog.objects.count(),
    )
