"""考评 in the message centre and the warnings: an appeal reaches the assessor once; a 整改
item reaches its owner three days before its deadline and again when it is overdue; an overdue
item opens a warning at the reporting organization."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests import factories
from tests.appraisal.conftest import SYS, leaf_ids, make_session, reporter, submitted
from tongxin.appraisal import notify
from tongxin.appraisal.models import RectificationItem, ReviewKind
from tongxin.appraisal.services import assessment as asvc
from tongxin.appraisal.services import review as rsvc
from tongxin.appraisal.warning_checks import rectify_overdue
from tongxin.cases.models import AgencyMember
from tongxin.inbox.models import Message

pytestmark = pytest.mark.django_db
D = dt.date(2026, 4, 10)


def test_an_appeal_reaches_the_assessor_once(world):
    a = submitted(world)
    ids = leaf_ids(a)
    asvc.assessor_score_save(**SYS, assessment=a, scores=dict.fromkeys(ids.values(), 100))
    asvc.assessment_assess(**SYS, assessment=a, today=D)
    appeal = asvc.appeal_file(
        **SYS, assessment=a, indicator_id=ids["阵地建设"], reason="已整改", today=D
    )
    assert notify.open_appeals() == 1
    m = Message.objects.get(kind="appeal")
    assert m.recipient == world["alice"] and m.key == f"appraisal.appeal:{appeal.pk}"
    assert m.link == f"/appraisal/assessments/{a.pk}/" and "紫金社区党委" in m.title
    assert notify.open_appeals() == 0
    assert not Message.objects.filter(recipient__in=[world["bob"], world["charlie"]]).exists()


def _item(w, rep, days: int) -> RectificationItem:
    return rsvc.item_add(
        **SYS,
        reporter=rep,
        title="党员活动室开放时间不足",
        owner="王书记",
        deadline=timezone.localdate() + dt.timedelta(days=days),
    )


def test_an_item_is_reminded_when_due_and_again_when_overdue(world):
    rep = reporter(make_session(world))
    item = _item(world, rep, days=2)
    _item(world, rep, days=10)  # not due yet
    assert notify.rectification_due() == 1
    assert list(Message.objects.values_list("key", flat=True)) == [
        f"appraisal.rectify:{item.pk}:due"
    ]
    assert notify.rectification_due() == 0
    later = timezone.localdate() + dt.timedelta(days=3)
    assert notify.rectification_due(later) == 1
    m = Message.objects.get(key=f"appraisal.rectify:{item.pk}:overdue")
    assert m.recipient == world["alice"] and m.link == f"/appraisal/reporters/{rep.pk}/"
    assert [(f.org_id, f.value) for f in rectify_overdue(later)] == [(world["comm_a_org"].pk, 1)]


def test_a_departments_item_reaches_its_handlers(world):
    rep = reporter(make_session(world, kind=ReviewKind.DEPARTMENT))
    handler = factories.user("zj1")
    AgencyMember.objects.create(user=handler, agency=rep.agency)
    _item(world, rep, days=-1)
    assert notify.deliver_appraisal_reminders.call() == {"appeals": 0, "rectification": 1}
    assert Message.objects.get(kind="overdue").recipient == handler
    # owned by the organization that ran the review
    later = timezone.localdate()
    assert [f.org_id for f in rectify_overdue(later)] == [world["street_a"].pk]
