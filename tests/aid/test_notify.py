"""互助金 in the message centre and the warnings: an application waiting for the branch reaches
its secretary, then the committee; each step once; the checks see waiting time and a shortfall."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.aid.world import S, aid_world, apply, fill
from tongxin.aid import notify
from tongxin.aid.models import AidApplication
from tongxin.aid.services import applications as apps_svc
from tongxin.aid.warning_checks import applications_waiting, fund_shortfall
from tongxin.inbox.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(world):
    return aid_world(world)


def _to(kind: str = "approval") -> list[tuple[str, str]]:
    return sorted(Message.objects.filter(kind=kind).values_list("recipient__username", "key"))


def test_each_step_reaches_who_acts_once(w):
    fill(w)
    a = apply(w)
    assert notify.waiting_applications() == 1
    assert _to() == [("bob", f"aid.application:{a.pk}:submitted")]
    msg = Message.objects.get(kind="approval")
    assert msg.link == f"/aid/applications/{a.pk}/" and "张红" not in msg.title
    assert notify.waiting_applications() == 0
    apps_svc.application_review(actor=w["bob"], scope=S(w["bob"]), application=a, approve=True)
    assert notify.deliver_waiting_applications.call() == 2
    assert _to()[1:] == [
        ("wei", f"aid.application:{a.pk}:reviewed"),
        ("xu", f"aid.application:{a.pk}:reviewed"),
    ]
    assert not Message.objects.filter(recipient=w["charlie"]).exists()


def test_waiting_too_long_and_a_shortfall_are_found(w):
    fill(w, fen=100_000)  # 1,000 yuan
    a = apply(w, fen=300_000)  # asks 3,000
    AidApplication.objects.filter(pk=a.pk).update(created_at=timezone.now() - dt.timedelta(days=9))
    today = timezone.localdate()
    assert [(f.org_id, f.value) for f in applications_waiting(today)] == [(w["branch_a1"].pk, 9)]
    assert [(f.org_id, f.value) for f in fund_shortfall(today)] == [(w["street_a"].pk, 2000)]


def test_a_fund_that_covers_its_applications_has_no_shortfall(w):
    fill(w)
    apply(w)
    assert list(fund_shortfall(timezone.localdate())) == []
