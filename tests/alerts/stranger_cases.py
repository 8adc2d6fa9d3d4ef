"""预警's stranger cases (see tests/stranger.py): charlie (branch B1, street B) acts on a
warning of branch A1 and on the rules."""

from __future__ import annotations

from typing import Any

from tests.stranger import case, not_acting
from tongxin.alerts import services
from tongxin.alerts.models import Alert
from tongxin.core.scope import scope_for_user

not_acting("tongxin.alerts.services.sweep", "the periodic sweep, acting for the installation")
not_acting("tongxin.alerts.services.rules_ensure_defaults", "loads the default rules once")


@case("tongxin.alerts.services.alert_acknowledge")
def _acknowledge(world: dict[str, Any]) -> Any:
    services.sweep()  # branch A1 has no secretary and no committee meeting: warnings open
    alert = Alert.objects.filter(org=world["branch_a1"]).first()
    assert alert is not None
    yield
    charlie = world["charlie"]
    services.alert_acknowledge(
        actor=charlie, scope=scope_for_user(charlie), alert=alert, note="我来处理"
    )


@case("tongxin.alerts.services.rule_save")
def _rule_save(world: dict[str, Any]) -> Any:
    charlie = world["charlie"]
    services.rule_save(
        actor=charlie,
        scope=scope_for_user(charlie),
        data=services.RuleInput(
            key="lost-contact",
            check_key="members.lost_contact",
            title="党员失联",
            yellow_at=1,
            red_at=2,
            org_kinds=[],
        ),
    )
