"""锋领指数 in the message centre and the warnings: an award or a claim waiting for approval
reaches someone who may approve it (never its proposer alone), once; a month left open after it
ended is found at the organizations whose members scored."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tests.points.conftest import attend, collect, held_meeting, manual_rule, png, propose
from tests.stranger_setup import scope_of
from tongxin.core.months import add_months, this_month
from tongxin.inbox.models import Message
from tongxin.points import notify, services
from tongxin.points.warning_checks import month_not_closed

pytestmark = pytest.mark.django_db


def _to() -> list[tuple[str, str]]:
    return sorted(Message.objects.filter(kind="approval").values_list("recipient__username", "key"))


def test_a_secretarys_proposal_goes_to_the_level_above_once(rules):
    w = rules
    award = propose(w, w["m_a1"])  # bob, the branch's own secretary
    assert notify.waiting_awards() == 1
    assert _to() == [("alice", f"points.award:{award.pk}")]
    assert Message.objects.get(kind="approval").link == "/points/awards/"
    assert notify.deliver_waiting_awards.call() == 0


def test_a_members_claim_goes_to_the_branch_secretary(rules):
    w = rules
    zhang = factories.user("zhanghong", "member", org=w["branch_a1"], member=w["m_a1"])
    claim = services.award_claim(
        actor=zhang,
        member=w["m_a1"],
        rule=manual_rule(w["m_a1"], "study"),
        on=timezone.localdate(),
        reason="撰写学习心得",
        evidence=png("心得.pdf"),
    )
    assert notify.waiting_awards() == 1
    assert _to() == [("bob", f"points.award:{claim.pk}")]
    assert not Message.objects.filter(recipient=w["charlie"]).exists()


def test_last_month_left_open_is_found_until_it_is_closed(rules):
    w = rules
    month = add_months(this_month(), -1)
    attend(held_meeting(w["branch_a1"], month), w["m_a1"])
    collect(month, this_month())
    today = this_month() + dt.timedelta(days=6)
    assert [(f.org_id, f.value) for f in month_not_closed(today)] == [(w["branch_a1"].pk, 7)]
    services.period_close(
        actor=w["alice"],
        scope=scope_of(w["alice"]),
        org=w["street_a"],
        period=month,
    )
    assert list(month_not_closed(today)) == []
