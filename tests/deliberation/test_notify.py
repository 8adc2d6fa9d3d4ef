"""协商议事 in the message centre and the warnings: an overdue action reaches the handlers of
the forum's host organization once, and opens a warning there; a stranger hears nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.deliberation.conftest import SYSTEM, deliberating
from tongxin.alerts import services as alerts
from tongxin.alerts.models import Alert
from tongxin.deliberation import notify
from tongxin.deliberation.models import ActionItem
from tongxin.deliberation.services import acting, topics
from tongxin.deliberation.warning_checks import actions_overdue
from tongxin.inbox.models import Message

pytestmark = pytest.mark.django_db


def _action(town, title: str, days_ago: int) -> ActionItem:
    t = deliberating(town, town["forum"], title=f"议题{title}")
    topics.topic_decide(scope=SYSTEM, actor=None, topic=t, decision="议定")
    a = acting.action_add(
        scope=SYSTEM,
        actor=None,
        topic=t,
        title=title,
        owner_kind="property",
        owner_name="紫金物业",
        deadline=timezone.localdate() + dt.timedelta(days=7),
    )
    ActionItem.objects.filter(pk=a.pk).update(
        deadline=timezone.localdate() - dt.timedelta(days=days_ago)
    )
    a.refresh_from_db()
    return a


def test_an_overdue_action_reaches_the_host_once(town):
    late = _action(town, "清理楼道", days_ago=2)
    _action(town, "加装路灯", days_ago=-3)  # not due yet
    done = _action(town, "修补路面", days_ago=1)
    ActionItem.objects.filter(pk=done.pk).update(done_at=timezone.now(), progress=100)
    assert notify.overdue_actions() == 1
    msgs = list(Message.objects.filter(kind="overdue"))
    assert [m.recipient_id for m in msgs] == [town["alice"].pk]
    assert "清理楼道" in msgs[0].title and f"/deliberation/topics/{late.topic_id}/" == msgs[0].link
    assert "紫金物业" in msgs[0].body
    assert notify.overdue_actions() == 0  # once per action
    assert Message.objects.filter(kind="overdue").count() == 1
    assert not Message.objects.filter(recipient__in=[town["bob"], town["charlie"]]).exists()


def test_the_periodic_task_delivers(town):
    _action(town, "清理楼道", days_ago=2)
    assert notify.deliver_overdue_actions.call() == 1


def test_the_warning_check_and_the_default_rule(town):
    _action(town, "清理楼道", days_ago=2)
    _action(town, "拆除违建", days_ago=5)
    findings = list(actions_overdue(timezone.localdate()))
    assert [(f.org_id, f.value) for f in findings] == [(town["comm_a_org"].pk, 2)]
    alerts.sweep()
    a = Alert.objects.get(rule_key="delib-action-overdue")
    assert a.org_id == town["comm_a_org"].pk and a.level == "yellow" and a.value == 2
    ActionItem.objects.update(done_at=timezone.now())
    alerts.sweep()
    a.refresh_from_db()
    assert a.state == "resolved"
