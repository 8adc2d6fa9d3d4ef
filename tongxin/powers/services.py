"""Every write to the 小微权力清单: validated, atomic, audited with the org path of the village
or community that owns the power. The flow rules live here: a step cannot be skipped, a step's
required documents must be attached, a 公示 runs its full length, and an objection filed during
a 公示 must be answered before the instance goes on."""

from __future__ import annotations

import datetime as dt

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.accounts.selectors import resident_of
from tongxin.core import uploads
from tongxin.core.audit import audit, saved_user
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.scope import Scope, in_scope
from tongxin.geo.models import Area
from tongxin.members.selectors import belongs_to_place
from tongxin.orgs.models import Organization, Sector
from tongxin.powers import selectors
from tongxin.powers.catalogue import items_for
from tongxin.powers.models import (
    InstanceStatus,
    InstanceStep,
    Objection,
    PowerInstance,
    PowerItem,
    PowerStep,
    StepDocument,
)
from tongxin.sharing.text import mask_contacts

DOCUMENT_MAX_BYTES = 10 * 1024 * 1024
MAX_DOCUMENTS = 20  # per step of one instance
MAX_PUBLICITY_DAYS = 90
MAX_LIMIT_DAYS = 365


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)


def _require_item(scope: Scope, item: PowerItem) -> None:
    if not in_scope(selectors.item_list(scope, perm=selectors.MANAGE), item):
        raise ForbiddenError(gettext("该权力事项不在您的管辖范围内。"))


def _require_instance(scope: Scope, instance: PowerInstance) -> None:
    if not in_scope(selectors.instance_list(scope, perm=selectors.MANAGE), instance):
        raise ForbiddenError(gettext("该权力运行记录不存在或不在您的管辖范围内。"))


def _date(d: dt.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


# ---- catalogue ----------------------------------------------------------------------------


@transaction.atomic
def catalogue_load(*, scope: Scope, actor: User | None, area: Area, org: Organization) -> int:
    """Give a village or community the default catalogue (36 items for a village; a city
    community gets those that apply to it), owned by ``org``. Returns how many items."""
    if not selectors.area_choices(scope).filter(pk=area.pk).exists():
        raise ForbiddenError(gettext("所选村（社区）不在您的管辖范围内，请重新选择。"))
    if not selectors.org_choices(scope).filter(pk=org.pk).exists():
        raise ForbiddenError(gettext("所选党组织不在您的管辖范围内，请重新选择。"))
    if PowerItem.objects.filter(area=area).exists():
        raise ConflictError(
            gettext("%(area)s已有小微权力清单，请在清单中逐项修改。") % {"area": area.name}
        )
    n = 0
    for number, spec in items_for(village=org.sector == Sector.VILLAGE):
        item = PowerItem.objects.create(
            area=area,
            org=org,
            area_path=area.path,
            org_path=org.path,
            power_class=spec.power_class,
            number=number,
            name=spec.name,
            basis=spec.basis,
        )
        PowerStep.objects.bulk_create(
            PowerStep(
                item=item,
                order=i,
                name=s.name,
                role=s.role,
                documents=list(s.documents),
                publicity_days=s.publicity_days,
                limit_days=s.limit_days,
            )
            for i, s in enumerate(spec.flow, start=1)
        )
        n += 1
    audit(
        actor=actor,
        action="powers.catalogue_load",
        obj=area,
        org_path=org.path,
        area_path=area.path,
        diff={"items": n, "org": org.name},
    )
    return n


@transaction.atomic
def item_update(
    *, scope: Scope, actor: User | None, item: PowerItem, name: str, basis: str, active: bool
) -> PowerItem:
    """Rename a power, change its basis, or take it off the list (名称由各村自定)."""
    _require_item(scope, item)
    name, basis = name.strip(), basis.strip()
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = gettext("请填写权力事项的名称。")
    elif len(name) > 100:
        errors["name"] = gettext("权力事项名称不能超过100个字。")
    if len(basis) > 300:
        errors["basis"] = gettext("依据不能超过300个字。")
    _refuse(errors)
    before = {"name": item.name, "basis": item.basis, "active": item.active}
    item.name, item.basis, item.active = name, basis, active
    item.save(update_fields=["name", "basis", "active"])
    audit(
        actor=actor,
        action="powers.item_update",
        obj=item,
        diff={"before": before, "after": {"name": name, "basis": basis, "active": active}},
    )
    return item


@transaction.atomic
def step_update(
    *,
    scope: Scope,
    actor: User | None,
    step: PowerStep,
    name: str,
    role: str,
    documents: list[str],
    publicity_days: int,
    limit_days: int,
) -> PowerStep:
    """Change one step of a flow template. Not while an instance walks the flow: its rules
    would change under it."""
    item = PowerItem.objects.get(pk=step.item_id)
    _require_item(scope, item)
    name, role = name.strip(), role.strip()
    docs = [d.strip() for d in documents if d.strip()]
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = gettext("请填写环节名称。")
    elif len(name) > 60:
        errors["name"] = gettext("环节名称不能超过60个字。")
    if not role:
        errors["role"] = gettext("请填写本环节的责任主体。")
    elif len(role) > 60:
        errors["role"] = gettext("责任主体不能超过60个字。")
    if len(docs) > 10 or any(len(d) > 60 for d in docs):
        errors["documents"] = gettext("所需材料最多10项，每项不超过60个字。")
    elif len(set(docs)) != len(docs):
        errors["documents"] = gettext("所需材料有重复，请删去重复的一项。")
    if not 0 <= publicity_days <= MAX_PUBLICITY_DAYS:
        errors["publicity_days"] = gettext("公示天数应在0至90天之间（0表示本环节不是公示）。")
    if not 1 <= limit_days <= MAX_LIMIT_DAYS:
        errors["limit_days"] = gettext("办理时限应在1至365天之间。")
    _refuse(errors)
    running = PowerInstance.objects.filter(item=item, status=InstanceStatus.RUNNING).count()
    if running:
        raise ConflictError(gettext("该事项有%(n)s件正在办理，办结后再修改流程。") % {"n": running})
    before = {
        "name": step.name,
        "role": step.role,
        "documents": step.documents,
        "publicity_days": step.publicity_days,
        "limit_days": step.limit_days,
    }
    step.name, step.role, step.documents = name, role, docs
    step.publicity_days, step.limit_days = publicity_days, limit_days
    step.save()
    audit(
        actor=actor,
        action="powers.step_update",
        obj=step,
        org_path=item.org_path,
        area_path=item.area_path,
        diff={"before": before, "after": {"name": name, "documents": docs}},
    )
    return step


# ---- instances ----------------------------------------------------------------------------


@transaction.atomic
def instance_create(
    *, scope: Scope, actor: User | None, item: PowerItem, title: str, applicant: str = ""
) -> PowerInstance:
    """A new use of a power, as a draft its author sees alone until it starts."""
    _require_item(scope, item)
    title, applicant = title.strip(), applicant.strip()
    errors: dict[str, str] = {}
    if not item.active:
        errors["item"] = gettext("该权力事项已停用，不能新办。")
    if not title:
        errors["title"] = gettext("请用一句话写明事由。")
    elif len(title) > 100:
        errors["title"] = gettext("事由不能超过100个字。")
    if len(applicant) > 30:
        errors["applicant"] = gettext("申请人姓名不能超过30个字。")
    _refuse(errors)
    instance = PowerInstance.objects.create(
        item=item,
        area_path=item.area_path,
        org_path=item.org_path,
        title=mask_contacts(title)[0],
        applicant=applicant,
        created_by=saved_user(actor),
    )
    audit(actor=actor, action="powers.instance_create", obj=instance, diff={"item": item.name})
    return instance


def _enter_step(instance: PowerInstance, step: PowerStep | None, now: dt.datetime) -> None:
    instance.step_started_at = now if step is not None else None
    if step is None:
        instance.step_due_on = None
        return
    start = timezone.localtime(now).date()
    instance.step_due_on = start + dt.timedelta(days=step.publicity_days + step.limit_days)


@transaction.atomic
def instance_start(*, scope: Scope, actor: User | None, instance: PowerInstance) -> PowerInstance:
    """The draft goes public: its first step starts now."""
    _require_instance(scope, instance)
    instance = PowerInstance.objects.select_for_update().get(pk=instance.pk)
    if instance.status != InstanceStatus.DRAFT:
        raise ConflictError(gettext("该事项已经开始办理，无需再次启动。"))
    steps = selectors.steps_of(instance.item)
    if not steps:
        raise ConflictError(gettext("该权力事项还没有流程环节，请先设置流程。"))
    instance.status = InstanceStatus.RUNNING
    _enter_step(instance, steps[0], timezone.now())
    instance.save(update_fields=["status", "step_started_at", "step_due_on"])
    audit(actor=actor, action="powers.instance_start", obj=instance, diff={"step": steps[0].name})
    return instance


def _current(instance: PowerInstance, steps: list[PowerStep], step: PowerStep) -> None:
    """Refuse any step but the current one, saying which step comes first."""
    if step.item_id != instance.item_id:
        raise ServiceError(gettext("该环节不属于本事项的流程。"), fields={"step": ""})
    if instance.status == InstanceStatus.COMPLETED:
        raise ConflictError(gettext("该事项已经办结。"))
    if instance.status != InstanceStatus.RUNNING:
        raise ConflictError(gettext("该事项还是草稿，请先启动办理。"))
    current = steps[instance.done_steps]
    if step.order < current.order:
        raise ConflictError(
            gettext("“%(step)s”环节已经办理完成，不能重复办理。") % {"step": step.name}
        )
    if step.pk != current.pk:
        raise ConflictError(
            gettext("不能跳过环节：请先完成第%(n)s步“%(current)s”，再办理“%(step)s”。")
            % {"n": instance.done_steps + 1, "current": current.name, "step": step.name}
        )


@transaction.atomic
def document_attach(
    *,
    scope: Scope,
    actor: User | None,
    instance: PowerInstance,
    step: PowerStep,
    name: str,
    f: UploadedFile,
) -> StepDocument:
    """Attach one of the documents the current step requires (images or PDF, checked by
    content); the file is removed again if saving fails."""
    _require_instance(scope, instance)
    instance = PowerInstance.objects.select_for_update().get(pk=instance.pk)
    steps = selectors.steps_of(instance.item)
    _current(instance, steps, step)
    if name not in step.documents:
        raise ServiceError(
            gettext("“%(step)s”环节不需要“%(name)s”，请从所需材料中选择。")
            % {"step": step.name, "name": name[:60]},
            fields={"name": gettext("请从所需材料中选择。")},
        )
    if StepDocument.objects.filter(instance=instance, step=step).count() >= MAX_DOCUMENTS:
        raise ConflictError(gettext("本环节的材料已达20份，不能再上传。"))
    stored = uploads.store(
        f, allowed=uploads.IMAGES_AND_PDF, max_bytes=DOCUMENT_MAX_BYTES, folder="powers"
    )
    try:
        with transaction.atomic():
            doc = StepDocument.objects.create(
                instance=instance,
                step=step,
                name=name,
                file=stored.name,
                content_type=stored.content_type,
                size=stored.size,
                sha256=stored.sha256,
                uploaded_by=saved_user(actor),
            )
            audit(
                actor=actor,
                action="powers.document_attach",
                obj=instance,
                diff={"step": step.name, "document": name, "size": stored.size},
            )
    except Exception:
        uploads.delete(stored.name)
        raise
    return doc


@transaction.atomic
def instance_advance(
    *, scope: Scope, actor: User | None, instance: PowerInstance, step: PowerStep, note: str = ""
) -> PowerInstance:
    """Complete the current step and enter the next one (or finish the instance)."""
    _require_instance(scope, instance)
    instance = PowerInstance.objects.select_for_update().get(pk=instance.pk)
    steps = selectors.steps_of(instance.item)
    _current(instance, steps, step)
    note = note.strip()
    if len(note) > 300:
        _refuse({"note": gettext("办理说明不能超过300个字。")})
    attached = set(
        StepDocument.objects.filter(instance=instance, step=step).values_list("name", flat=True)
    )
    missing = [d for d in step.documents if d not in attached]
    if missing:
        raise ServiceError(
            gettext("“%(step)s”环节缺少材料：%(docs)s。请上传后再办理。")
            % {"step": step.name, "docs": "、".join(missing)},
            fields={"documents": "、".join(missing)},
            code="missing_documents",
        )
    now = timezone.now()
    assert instance.step_started_at is not None  # set whenever an instance runs
    if step.is_publicity:
        ends = selectors.publicity_ends_on(step, instance.step_started_at)
        if timezone.localtime(now).date() <= ends:
            raise ConflictError(
                gettext(
                    "公示期未满：“%(step)s”须公示%(days)s天，至%(ends)s结束，"
                    "请于%(next)s起再办理下一步。"
                )
                % {
                    "step": step.name,
                    "days": step.publicity_days,
                    "ends": _date(ends),
                    "next": _date(ends + dt.timedelta(days=1)),
                }
            )
    open_objections = Objection.objects.filter(instance=instance, answered_at__isnull=True).count()
    if open_objections:
        raise ConflictError(
            gettext("公示期间有%(n)s条异议尚未答复，请逐条答复后再办理下一步。")
            % {"n": open_objections}
        )
    InstanceStep.objects.create(
        instance=instance,
        step=step,
        started_at=instance.step_started_at,
        done_at=now,
        actor=saved_user(actor),
        note=mask_contacts(note)[0],
    )
    instance.done_steps += 1
    following = steps[instance.done_steps] if instance.done_steps < len(steps) else None
    _enter_step(instance, following, now)
    if following is None:
        instance.status = InstanceStatus.COMPLETED
        instance.completed_at = now
    instance.save(
        update_fields=["done_steps", "step_started_at", "step_due_on", "status", "completed_at"]
    )
    audit(
        actor=actor,
        action="powers.instance_advance",
        obj=instance,
        diff={"step": step.name, "next": following.name if following else None},
    )
    return instance


# ---- objections ---------------------------------------------------------------------------


@transaction.atomic
def objection_file(*, actor: User, instance: PowerInstance, text: str) -> Objection:
    """A resident or Party member of the power's village or community objects during a 公示
    (members.selectors.belongs_to_place: the residents of the place, as for a deliberation
    vote, and the members who live there or whose organization is there). The instance must be
    public (a draft is nobody's business but its author's) and in a 公示 that has not ended."""
    if (
        instance.status == InstanceStatus.DRAFT
        or not selectors.public_instances().filter(pk=instance.pk).exists()
    ):
        raise ServiceError(gettext("权力运行记录不存在。"), code="not_found")
    instance = PowerInstance.objects.select_for_update().get(pk=instance.pk)
    steps = selectors.steps_of(instance.item)
    step = selectors.current_step(instance, steps)
    if step is None or not step.is_publicity or instance.step_started_at is None:
        raise ConflictError(gettext("该事项当前不在公示期，不能提出异议。"))
    ends = selectors.publicity_ends_on(step, instance.step_started_at)
    if timezone.localdate() > ends:
        raise ConflictError(
            gettext("公示已于%(ends)s结束，不能再提出异议。") % {"ends": _date(ends)}
        )
    if not belongs_to_place(actor, instance.area_path):
        raise ForbiddenError(selectors.objection_refusal(instance), code="not_of_place")
    text = text.strip()
    if not text:
        _refuse({"text": gettext("请写明您的异议。")})
    if len(text) > 500:
        _refuse({"text": gettext("异议内容不能超过500个字。")})
    if Objection.objects.filter(
        instance=instance, filed_by=actor, answered_at__isnull=True
    ).exists():
        raise ConflictError(gettext("您对该事项的异议尚未答复，请等待答复后再提出。"))
    resident = resident_of(actor)
    filer = (resident.name if resident is not None else "") or actor.get_full_name()
    objection = Objection.objects.create(
        instance=instance,
        step=step,
        text=mask_contacts(text)[0],
        filed_by=actor,
        filer_name=filer[:30],
    )
    audit(
        actor=actor,
        action="powers.objection_file",
        obj=objection,
        org_path=instance.org_path,
        area_path=instance.area_path,
        diff={"instance": instance.pk, "step": step.name},
    )
    return objection


@transaction.atomic
def objection_answer(
    *, scope: Scope, actor: User | None, objection: Objection, answer: str
) -> Objection:
    instance = PowerInstance.objects.get(pk=objection.instance_id)
    _require_instance(scope, instance)
    objection = Objection.objects.select_for_update().get(pk=objection.pk)
    if objection.answered_at is not None:
        raise ConflictError(gettext("这条异议已经答复过了。"))
    answer = answer.strip()
    if not answer:
        _refuse({"answer": gettext("请填写对异议的答复。")})
    if len(answer) > 500:
        _refuse({"answer": gettext("答复不能超过500个字。")})
    objection.answer = mask_contacts(answer)[0]
    objection.answered_by = saved_user(actor)
    objection.answered_at = timezone.now()
    objection.save(update_fields=["answer", "answered_by", "answered_at"])
    audit(
        actor=actor,
        action="powers.objection_answer",
        obj=objection,
        org_path=instance.org_path,
        area_path=instance.area_path,
        diff={"instance": instance.pk},
    )
    return objection
