"""小微权力 in the message centre and the warnings: an objection filed during a 公示 reaches
the handlers of the instance's organization once (not the objector's name); an instance stuck
past its step's limit is found at its organization."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.powers.conftest import new_instance, today, walk_to_publicity
from tests.stranger_setup import scope_of
from tongxin.inbox.models import Message
from tongxin.powers import notify, services
from tongxin.powers.models import PowerInstance
from tongxin.powers.warning_checks import instances_stuck

pytestmark = pytest.mark.django_db


def test_an_objection_reaches_the_handlers_once(pw):
    inst = walk_to_publicity(pw, new_instance(pw))
    obj = services.objection_file(actor=pw["ann"].user, instance=inst, text="申请人家里有车")
    assert notify.open_objections() == 2
    msgs = Message.objects.filter(kind="objection")
    assert sorted(m.recipient.username for m in msgs) == ["alice", "dora"]
    m = msgs.first()
    assert m.key == f"powers.objection:{obj.pk}" and m.link == f"/powers/instances/{inst.pk}/"
    assert "林安" not in m.title and "低保申请" in m.title
    assert notify.deliver_open_objections.call() == 0
    assert not Message.objects.filter(recipient=pw["bella"]).exists()


def test_an_answered_objection_is_not_delivered(pw):
    inst = walk_to_publicity(pw, new_instance(pw))
    obj = services.objection_file(actor=pw["ann"].user, instance=inst, text="有异议")
    services.objection_answer(
        scope=scope_of(pw["alice"]), actor=pw["alice"], objection=obj, answer="已核实"
    )
    assert notify.open_objections() == 0


def test_a_stuck_instance_is_found(pw):
    inst = new_instance(pw)
    assert list(instances_stuck(today())) == []
    PowerInstance.objects.filter(pk=inst.pk).update(step_due_on=today() - dt.timedelta(days=1))
    assert [(f.org_id, f.value) for f in instances_stuck(today())] == [(pw["comm_a_org"].pk, 1)]
