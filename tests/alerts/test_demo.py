"""The demo town opens with warnings: the demo's load runs one sweep on the demo's day, the
new modules' rules among them, and a second sweep at the same moment changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tongxin.accounts.models import User
from tongxin.alerts import selectors, services
from tongxin.alerts.models import Alert
from tongxin.core.scope import scope_for_user
from tongxin.inbox.models import Message

pytestmark = pytest.mark.django_db


def test_the_demo_town_has_warnings_from_one_sweep(demo_town):
    assert "预警：" in demo_town.output
    rows = sorted(Alert.objects.values_list("rule_key", "org_path", "level", "value"))
    assert len(rows) > 10
    keys = {r[0] for r in rows}
    assert "meetings-overdue" in keys, keys
    new = {"delib-action-overdue", "powers-stuck", "aid-waiting", "rectify-overdue"}
    print(sorted(keys))  # noqa: T201 (shown with -s: which rules the demo town trips)
    assert keys & new, keys
    opened = {a.opened_at for a in Alert.objects.all()}
    assert len(opened) == 1 and timezone.localtime(opened.pop()).time() == dt.time(9)
    assert Message.objects.filter(kind="warning").exists()
    # the city's organization department sees them and may edit the rules
    dept = scope_for_user(User.objects.get(username="zuzhibu"))
    assert selectors.may_edit_rules(dept)
    assert selectors.alert_list(dept).count() == len(rows)
    assert not selectors.may_edit_rules(scope_for_user(User.objects.get(username="jiedao")))
    # the same moment again: nothing changes
    now = min(a.opened_at for a in Alert.objects.all())
    stats = services.sweep(now=now)
    assert stats.get("opened", 0) == 0 and stats.get("delivered", 0) == 0
    assert sorted(Alert.objects.values_list("rule_key", "org_path", "level", "value")) == rows
