"""千分制: the tree adds up to 1,000, scores stay within each leaf, the appeal window holds, and
a quarter walks self-score → assessor → appeal → final with its snapshot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.appraisal.conftest import SYS, leaf_ids, make_set, open_assessment, submitted
from tests.stranger_setup import row_counts, scope_of
from tongxin.appraisal import selectors
from tongxin.appraisal.models import AppealStatus, AssessmentStatus, Score
from tongxin.appraisal.services import assessment as asvc
from tongxin.core.errors import ServiceError

pytestmark = pytest.mark.django_db
D = dt.date(2026, 4, 10)


def test_weights_not_summing_to_1000_are_refused_naming_the_difference(world):
    s = make_set(world, publish=False)
    asvc.indicator_add(
        **SYS, indicator_set=s, data=asvc.IndicatorInput(name="附加项", weight="12.5")
    )
    with pytest.raises(ServiceError) as err:
        asvc.indicator_set_publish(**SYS, indicator_set=s)
    assert "1012.5" in err.value.message and "多12.5分" in err.value.message
    s.refresh_from_db()
    assert not s.published


def test_weights_short_of_1000_name_what_is_missing(world):
    s = make_set(world, publish=False)
    leaf = s.indicators.get(name="阵地建设")
    leaf.weight = Decimal(150)
    leaf.save()
    with pytest.raises(ServiceError) as err:
        asvc.indicator_set_publish(**SYS, indicator_set=s)
    assert "少50分" in err.value.message


def test_a_published_tree_refuses_new_indicators(world, aset):
    before = row_counts()
    with pytest.raises(ServiceError):
        asvc.indicator_add(**SYS, indicator_set=aset, data=asvc.IndicatorInput(name="x", weight=1))
    assert row_counts() == before


def test_tree_totals_parents_from_leaves(world, aset):
    tree = selectors.indicator_tree(aset)
    assert [(n.indicator.name, n.weight) for n in tree] == [("基础工作", 600), ("服务实绩", 400)]


@pytest.mark.parametrize(
    "value,needle", [("401", "不能超过该项分值400分"), ("-1", "不能为负数"), ("abc", "应为数字")]
)
def test_a_self_score_above_the_maximum_or_negative_is_a_field_error(world, value, needle):
    a = open_assessment(world)
    ids = leaf_ids(a)
    with pytest.raises(ServiceError) as err:
        asvc.self_score_save(
            **SYS, assessment=a, scores={ids["三会一课"]: value, ids["阵地建设"]: 100}
        )
    assert needle in err.value.fields[f"self_{ids['三会一课']}"]
    assert not Score.objects.filter(self_score__isnull=False).exists()  # nothing half-written


def test_assessor_score_above_maximum_is_a_field_error(world):
    a = submitted(world)
    ids = leaf_ids(a)
    with pytest.raises(ServiceError) as err:
        asvc.assessor_score_save(**SYS, assessment=a, scores={ids["阵地建设"]: "200.1"})
    assert f"assessor_{ids['阵地建设']}" in err.value.fields


def test_submitting_with_a_leaf_unscored_is_refused(world):
    a = open_assessment(world)
    ids = leaf_ids(a)
    asvc.self_score_save(**SYS, assessment=a, scores={ids["三会一课"]: 300})
    with pytest.raises(ServiceError) as err:
        asvc.self_score_submit(**SYS, assessment=a)
    assert "2项指标未自评" in err.value.message


def test_the_quarter_walks_to_final_with_an_appeal_and_a_snapshot(world):
    alice = world["alice"]  # street A: the assessor of its communities
    a = submitted(world)
    ids = leaf_ids(a)
    sc = scope_of(alice)
    asvc.assessor_score_save(
        scope=sc,
        actor=alice,
        assessment=a,
        scores={ids["三会一课"]: 380, ids["阵地建设"]: 180, ids["事件办理"]: 360},
    )
    asvc.assessment_assess(scope=sc, actor=alice, assessment=a, today=D)
    assert a.appeal_deadline == D + dt.timedelta(days=5)
    appeal = asvc.appeal_file(
        **SYS, assessment=a, indicator_id=ids["阵地建设"], reason="阵地已改造完成，附照片", today=D
    )
    with pytest.raises(ServiceError, match="申诉期至"):
        asvc.assessment_finalize(scope=sc, actor=alice, assessment=a, today=D)
    with pytest.raises(ServiceError, match="未处理的申诉"):
        asvc.assessment_finalize(
            scope=sc, actor=alice, assessment=a, today=D + dt.timedelta(days=6)
        )
    asvc.appeal_decide(
        scope=sc, actor=alice, appeal=appeal, upheld=True, decision="核实", new_score=195
    )
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.UPHELD
    asvc.assessment_finalize(scope=sc, actor=alice, assessment=a, today=D + dt.timedelta(days=6))
    a.refresh_from_db()
    assert a.status == AssessmentStatus.FINAL
    assert a.final_total == Decimal("935")
    assert [t["score"] for t in a.snapshot["top"]] == ["575.0", "360.0"]
    assert "meeting_compliance" in a.snapshot["metrics"]
    assert selectors.ranking(scope_of(alice), a.indicator_set, 1) == [a]


def test_an_appeal_after_the_window_is_refused(world):
    a = submitted(world)
    ids = leaf_ids(a)
    asvc.assessor_score_save(**SYS, assessment=a, scores=dict.fromkeys(ids.values(), 100))
    asvc.assessment_assess(**SYS, assessment=a, today=D)
    before = row_counts()
    with pytest.raises(ServiceError) as err:
        asvc.appeal_file(
            **SYS,
            assessment=a,
            indicator_id=ids["阵地建设"],
            reason="迟到",
            today=D + dt.timedelta(days=6),
        )
    assert "申诉期已于2026-04-15截止" in err.value.message
    assert row_counts() == before


def test_evidence_goes_through_the_upload_checks(world):
    a = open_assessment(world)
    ids = leaf_ids(a)
    bad = SimpleUploadedFile("evil.pdf", b"<html>not a pdf</html>")
    with pytest.raises(ServiceError, match="不是可接受的格式"):
        asvc.self_score_save(
            **SYS, assessment=a, scores={ids["三会一课"]: 1}, evidence={ids["三会一课"]: bad}
        )
    good = SimpleUploadedFile("minutes.pdf", b"%PDF-1.4 minutes")
    asvc.self_score_save(
        **SYS, assessment=a, scores={ids["三会一课"]: 1}, evidence={ids["三会一课"]: good}
    )
    s = a.scores.get(indicator_id=ids["三会一课"])
    assert s.evidence_type == "application/pdf"


def test_the_community_cannot_score_as_assessor(world):
    a = submitted(world)
    bob = world["bob"]  # branch secretary: no orgs.manage over street A
    with pytest.raises(ServiceError):
        asvc.assessor_score_save(scope=scope_of(bob), actor=bob, assessment=a, scores={})


def test_radar_has_one_axis_per_top_level_indicator():
    r = selectors.radar_points([("基础", 1.0), ("服务", 0.5), ("作风", 0.0)])
    assert r["ok"] and len(r["labels"]) == 3 and len(r["polygon"].split()) == 3
