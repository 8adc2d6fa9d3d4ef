"""The flow rules of a power's instance, each refusal with its reason and nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from tests.helpers import is_chinese
from tests.powers.conftest import (
    advance,
    attach_all,
    back_date,
    new_instance,
    pdf,
    today,
    walk_to_publicity,
)
from tests.stranger_setup import row_counts, scope_of
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.models import AuditLog
from tongxin.powers import selectors, services
from tongxin.powers.catalogue import DEFAULT_ITEMS
from tongxin.powers.models import (
    InstanceStatus,
    InstanceStep,
    Objection,
    PowerClass,
    PowerInstance,
    PowerItem,
    PowerStep,
)


def _unchanged(before: dict[str, int]) -> None:
    after = row_counts()
    assert {k: v for k, v in after.items() if before[k] != v} == {}


def test_the_default_catalogue_has_36_items_in_11_classes_and_a_community_skips_village_ones(pw):
    assert len(DEFAULT_ITEMS) == 36
    assert {i.power_class for i in DEFAULT_ITEMS} == set(PowerClass.values)
    village = PowerItem.objects.filter(area=pw["village"])
    community = PowerItem.objects.filter(area=pw["comm_a"])
    assert village.count() == 36
    assert community.count() == 36 - sum(i.villages_only for i in DEFAULT_ITEMS)
    assert not community.filter(power_class=PowerClass.HOMESTEAD).exists()
    # every power has a flow; the relief flow has one 7-day 公示
    assert not PowerItem.objects.filter(steps__isnull=True).exists()
    steps = selectors.steps_of(pw["relief"])
    assert [s.publicity_days for s in steps if s.is_publicity] == [7]
    row = AuditLog.objects.filter(action="powers.catalogue_load").first()
    assert row is not None and row.org_path.startswith(pw["street_a"].path)


def test_a_second_catalogue_for_the_same_village_is_refused(pw):
    before = row_counts()
    with pytest.raises(ConflictError) as e:
        services.catalogue_load(
            scope=scope_of(pw["alice"]), actor=pw["alice"], area=pw["comm_a"], org=pw["comm_a_org"]
        )
    assert "已有小微权力清单" in e.value.message
    _unchanged(before)


def test_item_names_are_editable_and_bad_names_refused(pw):
    a, item = pw["alice"], pw["relief"]
    services.item_update(
        scope=scope_of(a), actor=a, item=item, name="低保申请审核", basis="", active=True
    )
    item.refresh_from_db()
    assert item.name == "低保申请审核"
    with pytest.raises(ServiceError) as e:
        services.item_update(
            scope=scope_of(a), actor=a, item=item, name="  ", basis="", active=True
        )
    assert "名称" in e.value.fields["name"]
    item.refresh_from_db()
    assert item.name == "低保申请审核"


def test_an_instance_walks_its_flow_to_completion(pw):
    inst = new_instance(pw)
    assert inst.status == InstanceStatus.RUNNING and inst.done_steps == 0
    inst = walk_to_publicity(pw, inst)
    assert inst.done_steps == 3
    back_date(inst, 7)
    inst = advance(pw, inst)  # the 公示 has run its 7 days
    for _ in range(2):
        attach_all(pw, inst)
        inst = advance(pw, inst)
    assert inst.status == InstanceStatus.COMPLETED and inst.completed_at is not None
    assert InstanceStep.objects.filter(instance=inst).count() == 6
    actions = list(
        AuditLog.objects.filter(
            object_id=str(inst.pk), action__startswith="powers.instance"
        ).values_list("action", "org_path")
    )
    assert [x for x, _ in actions].count("powers.instance_advance") == 6
    assert all(p == pw["comm_a_org"].path for _, p in actions)


def test_a_step_cannot_be_skipped(pw):
    inst = new_instance(pw)
    attach_all(pw, inst)
    steps = selectors.steps_of(inst.item)
    before = row_counts()
    with pytest.raises(ConflictError) as e:
        services.instance_advance(
            scope=scope_of(pw["alice"]), actor=pw["alice"], instance=inst, step=steps[2]
        )
    assert "不能跳过环节" in e.value.message and "本人申请" in e.value.message
    assert is_chinese(e.value.message)
    _unchanged(before)
    inst.refresh_from_db()
    assert inst.done_steps == 0


def test_a_step_already_done_cannot_be_done_again(pw):
    inst = new_instance(pw)
    attach_all(pw, inst)
    inst = advance(pw, inst)
    first = selectors.steps_of(inst.item)[0]
    with pytest.raises(ConflictError) as e:
        services.instance_advance(
            scope=scope_of(pw["alice"]), actor=pw["alice"], instance=inst, step=first
        )
    assert "已经办理完成" in e.value.message


def test_a_missing_required_document_is_refused_naming_it(pw):
    inst = new_instance(pw)
    step = selectors.steps_of(inst.item)[0]  # 申请书 and 家庭收入说明
    services.document_attach(
        scope=scope_of(pw["alice"]),
        actor=pw["alice"],
        instance=inst,
        step=step,
        name="申请书",
        f=pdf(),
    )
    before = row_counts()
    with pytest.raises(ServiceError) as e:
        advance(pw, inst)
    assert "缺少材料" in e.value.message and "家庭收入说明" in e.value.message
    assert "申请书、" not in e.value.message
    _unchanged(before)


def test_a_document_the_step_does_not_require_or_not_a_pdf_is_refused(pw):
    inst = new_instance(pw)
    step = selectors.steps_of(inst.item)[0]
    a = pw["alice"]
    before = row_counts()
    with pytest.raises(ServiceError) as e:
        services.document_attach(
            scope=scope_of(a), actor=a, instance=inst, step=step, name="结婚证", f=pdf()
        )
    assert "不需要" in e.value.message
    html = SimpleUploadedFile("x.pdf", b"<html>evil</html>", content_type="application/pdf")
    with pytest.raises(ServiceError) as e:
        services.document_attach(
            scope=scope_of(a), actor=a, instance=inst, step=step, name="申请书", f=html
        )
    assert "不是可接受的格式" in e.value.message
    later = selectors.steps_of(inst.item)[1]
    with pytest.raises(ConflictError):
        services.document_attach(
            scope=scope_of(a), actor=a, instance=inst, step=later, name="调查表", f=pdf()
        )
    _unchanged(before)


def test_a_publicity_shorter_than_its_period_is_refused_naming_the_day_it_ends(pw):
    inst = walk_to_publicity(pw, new_instance(pw))
    back_date(inst, 6)  # the 7th day of a 7-day 公示: not over yet
    ends = today()
    before = row_counts()
    with pytest.raises(ConflictError) as e:
        advance(pw, inst)
    msg = e.value.message
    assert "公示期未满" in msg and "7天" in msg
    assert f"{ends.year}年{ends.month}月{ends.day}日" in msg
    _unchanged(before)
    back_date(inst, 1)
    assert advance(pw, inst).done_steps == 4


def test_an_unanswered_objection_blocks_the_next_step_until_answered(pw):
    inst = walk_to_publicity(pw, new_instance(pw))
    o = services.objection_file(
        actor=pw["ann"].user, instance=inst, text="申请人家有轿车，电话13900001234"
    )
    assert "13900001234" not in o.text and o.filer_name == "林安"
    back_date(inst, 7)
    before = row_counts()
    with pytest.raises(ConflictError) as e:
        advance(pw, inst)
    assert "1条异议尚未答复" in e.value.message
    _unchanged(before)
    with pytest.raises(ServiceError):
        services.objection_answer(
            scope=scope_of(pw["alice"]), actor=pw["alice"], objection=o, answer=" "
        )
    services.objection_answer(
        scope=scope_of(pw["alice"]), actor=pw["alice"], objection=o, answer="经核实车辆已过户。"
    )
    assert advance(pw, inst).done_steps == 4


def test_objections_only_during_a_publicity(pw):
    resident = pw["ann"].user
    inst = new_instance(pw)
    with pytest.raises(ConflictError) as e:
        services.objection_file(actor=resident, instance=inst, text="有意见")
    assert "不在公示期" in e.value.message
    inst = walk_to_publicity(pw, inst)
    back_date(inst, 7)
    with pytest.raises(ConflictError) as e:
        services.objection_file(actor=resident, instance=inst, text="有意见")
    assert "公示已于" in e.value.message
    draft = new_instance(pw, start=False)
    with pytest.raises(ServiceError) as e:
        services.objection_file(actor=resident, instance=draft, text="有意见")
    assert e.value.code == "not_found"
    assert not Objection.objects.exists()


def test_one_open_objection_per_person_and_empty_text_refused(pw):
    inst = walk_to_publicity(pw, new_instance(pw))
    resident = pw["ann"].user
    with pytest.raises(ServiceError) as e:
        services.objection_file(actor=resident, instance=inst, text="  ")
    assert e.value.fields["text"]
    services.objection_file(actor=resident, instance=inst, text="有意见")
    with pytest.raises(ConflictError):
        services.objection_file(actor=resident, instance=inst, text="还有意见")
    assert Objection.objects.count() == 1


def test_someone_elses_draft_is_a_404_and_cannot_be_started(pw):
    draft = new_instance(pw, start=False)
    dora = pw["dora"]
    with pytest.raises(Http404):
        selectors.get_instance_for(scope_of(dora), draft.pk)
    assert draft not in selectors.instance_list(scope_of(dora))
    assert draft not in selectors.public_instances()
    with pytest.raises(ServiceError):
        services.instance_start(scope=scope_of(dora), actor=dora, instance=draft)
    draft.refresh_from_db()
    assert draft.status == InstanceStatus.DRAFT
    # its author sees it
    assert selectors.get_instance_for(scope_of(pw["alice"]), draft.pk) == draft


def test_a_stalled_step_is_flagged_for_the_street(pw):
    inst = new_instance(pw)
    fresh = new_instance(pw)
    PowerInstance.objects.filter(pk=inst.pk).update(step_due_on=today() - dt.timedelta(days=1))
    scope = scope_of(pw["alice"])
    assert list(selectors.instance_list(scope, stuck=True)) == [inst]
    fig = selectors.power_figures(scope)
    assert fig is not None and fig["stuck"] == 1 and fig["running"] == 2
    rows = {r["area_id"]: r for r in selectors.area_overview(scope)}
    assert rows[pw["comm_a"].pk]["stuck"] == 1 and rows[pw["village"].pk]["items"] == 36
    assert fresh.step_due_on == today() + dt.timedelta(days=15)  # 本人申请: 15-day limit


def test_a_flow_cannot_change_while_an_instance_walks_it(pw):
    new_instance(pw)
    step = selectors.steps_of(pw["relief"])[3]
    a = pw["alice"]
    with pytest.raises(ConflictError) as e:
        services.step_update(
            scope=scope_of(a),
            actor=a,
            step=step,
            name="评议公示",
            role="监委会",
            documents=[],
            publicity_days=3,
            limit_days=15,
        )
    assert "正在办理" in e.value.message
    assert PowerStep.objects.get(pk=step.pk).publicity_days == 7


def test_step_update_checks_its_fields(pw):
    item = PowerItem.objects.get(area=pw["village"], name="宅基地申请审批")
    step = selectors.steps_of(item)[2]
    a = pw["alice"]
    with pytest.raises(ServiceError) as e:
        services.step_update(
            scope=scope_of(a),
            actor=a,
            step=step,
            name="",
            role="",
            documents=["a", "a"],
            publicity_days=91,
            limit_days=0,
        )
    assert set(e.value.fields) == {"name", "role", "documents", "publicity_days", "limit_days"}
    services.step_update(
        scope=scope_of(a),
        actor=a,
        step=step,
        name="村内公示",
        role="村民委员会",
        documents=["公示照片"],
        publicity_days=10,
        limit_days=5,
    )
    step.refresh_from_db()
    assert step.publicity_days == 10 and step.documents == ["公示照片"]
