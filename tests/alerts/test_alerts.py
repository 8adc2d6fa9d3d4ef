"""预警: the sweep opens warnings from each module's checks, delivers them to the owners'
inboxes, resolves them when the condition clears and escalates the unacknowledged ones after
their rule's days (the clock moved by arguments, no sleeping)."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.alerts.conftest import hold_committee
from tests.helpers import is_chinese
from tongxin.alerts import services
from tongxin.alerts.models import Alert, AlertRule, AlertState, Level
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.scope import Scope, scope_for_user
from tongxin.dues.services import dues_base_set
from tongxin.inbox.models import Message
from tongxin.orgs.models import LeadershipRole
from tongxin.orgs.services import leadership_add

pytestmark = pytest.mark.django_db


def meeting_alert(world) -> Alert:
    return Alert.objects.get(rule_key="meetings-overdue", org=world["branch_a1"])


def test_the_sweep_opens_warnings_and_tells_the_owner(world, t0):
    stats = services.sweep(now=t0)
    assert stats["opened"] >= 2
    alert = meeting_alert(world)
    assert alert.state == AlertState.OPEN and alert.owner == world["branch_a1"]
    assert alert.link.startswith("/meetings/")
    assert Alert.objects.filter(rule_key="no-secretary", org=world["branch_a1"]).exists()
    # bob (secretary of A1) gets it in his inbox; charlie (B1) gets only B1's
    titles = list(Message.objects.filter(recipient=world["bob"]).values_list("title", flat=True))
    assert any("紫金社区第一党支部" in t and "三会一课" in t for t in titles)
    assert not Message.objects.filter(recipient=world["charlie"], title__contains="紫金").exists()


def test_a_second_sweep_changes_nothing_and_sends_nothing(world, t0):
    services.sweep(now=t0)
    alerts, messages = Alert.objects.count(), Message.objects.count()
    stats = services.sweep(now=t0)
    assert stats.get("opened", 0) == 0 and stats.get("delivered", 0) == 0
    assert (Alert.objects.count(), Message.objects.count()) == (alerts, messages)


def test_it_clears_when_the_meeting_is_held(world, t0):
    services.sweep(now=t0)
    hold_committee(world["branch_a1"], t0.date() - dt.timedelta(days=1))
    services.sweep(now=t0)
    alert = Alert.objects.get(pk=meeting_alert(world).pk)
    assert alert.state == AlertState.RESOLVED and alert.resolved_at == t0


def test_an_unacknowledged_warning_climbs_after_its_days(world, t0):
    services.sweep(now=t0)
    first = meeting_alert(world)
    services.sweep(now=t0 + dt.timedelta(days=6, hours=23))
    first.refresh_from_db()
    assert first.owner == world["branch_a1"] and first.escalations == 0
    services.sweep(now=t0 + dt.timedelta(days=7))
    first.refresh_from_db()
    assert first.owner == world["comm_a_org"] and first.escalations == 1
    services.sweep(now=t0 + dt.timedelta(days=14))
    first.refresh_from_db()
    assert first.owner == world["street_a"] and first.escalations == 2
    # alice holds the street: the escalated warning is in her inbox
    assert Message.objects.filter(
        recipient=world["alice"],
        title__contains="已升级",
        key__startswith=f"alerts.alert:{first.pk}:",
    ).exists()


def test_an_acknowledged_warning_does_not_climb(world, t0):
    services.sweep(now=t0)
    alert = meeting_alert(world)
    bob = world["bob"]
    services.alert_acknowledge(actor=bob, scope=scope_for_user(bob), alert=alert, note="本周开会")
    services.sweep(now=t0 + dt.timedelta(days=30))
    alert.refresh_from_db()
    assert alert.state == AlertState.ACKNOWLEDGED and alert.owner == world["branch_a1"]
    assert alert.note == "本周开会" and alert.acknowledged_by == bob


def test_six_months_of_dues_go_red_to_the_level_above(world, t0):
    start = dt.date(2026, 6, 1)  # nothing paid since: June … November unpaid (6 months)
    dues_base_set(
        actor=None,
        scope=Scope.everything(),
        member=world["m_a1"],
        effective_from=start,
        category="employed",
        base_fen=400_000,
    )
    services.sweep(now=t0)
    alert = Alert.objects.get(rule_key="dues-arrears", org=world["branch_a1"])
    assert alert.level == Level.RED and alert.value == 6
    assert alert.owner == world["comm_a_org"]


def test_three_months_of_dues_are_yellow_at_the_branch(world, t0):
    dues_base_set(
        actor=None,
        scope=Scope.everything(),
        member=world["m_a1"],
        effective_from=dt.date(2026, 9, 1),  # September … November
        category="employed",
        base_fen=400_000,
    )
    services.sweep(now=t0)
    alert = Alert.objects.get(rule_key="dues-arrears", org=world["branch_a1"])
    assert alert.level == Level.YELLOW and alert.owner == world["branch_a1"]


def test_term_due_goes_from_yellow_to_red(world, t0):
    leadership_add(
        actor=None,
        org=world["branch_a1"],
        member=world["m_a1"],
        role=LeadershipRole.SECRETARY,
        term_start=dt.date(2021, 12, 1),
        term_end=t0.date() + dt.timedelta(days=60),
    )
    services.sweep(now=t0)
    alert = Alert.objects.get(rule_key="term-due", org=world["branch_a1"])
    assert alert.level == Level.YELLOW
    assert not Alert.objects.filter(rule_key="no-secretary", org=world["branch_a1"]).exclude(
        state=AlertState.RESOLVED
    )
    services.sweep(now=t0 + dt.timedelta(days=35))
    alert.refresh_from_db()
    assert alert.level == Level.RED


def test_lost_contact_and_members_without_grid(world, t0):
    m = world["m_a2"]
    m.is_lost_contact = True
    m.save(update_fields=["is_lost_contact"])
    services.sweep(now=t0)
    assert Alert.objects.get(rule_key="lost-contact", org=world["branch_a2"]).value == 1
    assert Alert.objects.get(rule_key="member-no-grid", org=world["branch_a1"]).value == 2


def test_acknowledging_needs_a_note(world, t0):
    services.sweep(now=t0)
    alert, bob = meeting_alert(world), world["bob"]
    with pytest.raises(ServiceError) as e:
        services.alert_acknowledge(actor=bob, scope=scope_for_user(bob), alert=alert, note="  ")
    assert is_chinese(e.value.message)
    alert.refresh_from_db()
    assert alert.state == AlertState.OPEN


def test_acknowledging_twice_is_a_conflict(world, t0):
    services.sweep(now=t0)
    alert, bob = meeting_alert(world), world["bob"]
    services.alert_acknowledge(actor=bob, scope=scope_for_user(bob), alert=alert, note="处理中")
    with pytest.raises(ConflictError):
        services.alert_acknowledge(actor=bob, scope=scope_for_user(bob), alert=alert, note="再签")


def _rule(**over) -> services.RuleInput:
    data = dict(
        key="lost-contact",
        check_key="members.lost_contact",
        title="党员失联",
        yellow_at=2,
        red_at=4,
        org_kinds=["branch"],
    )
    data.update(over)
    return services.RuleInput(**data)  # type: ignore[arg-type]


def test_a_rule_change_is_a_new_version(world, t0):
    services.rules_ensure_defaults()
    rule = services.rule_save(actor=None, scope=Scope.everything(), data=_rule())
    assert rule.version == 2
    assert AlertRule.objects.filter(key="lost-contact").count() == 2
    assert AlertRule.objects.get(key="lost-contact", active=True).pk == rule.pk


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"yellow_at": 5, "red_at": 3}, "yellow_at"),
        ({"check_key": "members.no_such_metric"}, "check_key"),
        ({"org_kinds": ["village"]}, "org_kinds"),
        ({"escalate_after_days": 0}, "escalate_after_days"),
    ],
    ids=["yellow-above-red", "unknown-metric", "unknown-kind", "no-days"],
)
def test_a_bad_rule_is_refused(world, over, field):
    services.rules_ensure_defaults()
    before = list(AlertRule.objects.values_list("pk", "version", "active"))
    with pytest.raises(ServiceError) as e:
        services.rule_save(actor=None, scope=Scope.everything(), data=_rule(**over))
    assert field in e.value.fields and is_chinese(e.value.fields[field])
    assert list(AlertRule.objects.values_list("pk", "version", "active")) == before
