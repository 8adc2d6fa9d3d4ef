"""小微权力清单 API: the same selectors and services as the pages. The register is public
(``/public/…``, no login, personal names masked); the rest follows the caller's scope."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.files import UploadedFile

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import Scope, request_scope
from tongxin.powers import selectors, services
from tongxin.powers.models import InstanceStatus, Objection, PowerClass, PowerInstance, PowerStep

router = Router(tags=["小微权力清单"])


class PowerStepOut(Schema):
    id: int
    order: int
    name: str
    role: str
    documents: list[str]
    publicity_days: int
    limit_days: int


class PowerItemOut(Schema):
    id: int
    number: int
    name: str
    power_class: str
    basis: str
    active: bool
    area_id: int
    area: str = Field(..., alias="area.name")
    org_id: int
    org: str = Field(..., alias="org.name")


class PowerItemDetailOut(Schema):
    id: int
    number: int
    name: str
    power_class: str
    basis: str
    active: bool
    area_id: int
    area: str
    org_id: int
    org: str
    steps: list[PowerStepOut]


class PowerItemPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PowerItemOut]


class PowerItemIn(Schema):
    name: str = Field(..., max_length=100)
    basis: str = Field("", max_length=300)
    active: bool = True


class PowerStepIn(Schema):
    name: str = Field(..., max_length=60)
    role: str = Field(..., max_length=60)
    documents: list[str] = Field([], max_length=10)
    publicity_days: int = Field(0, ge=0, le=90)
    limit_days: int = Field(15, ge=1, le=365)


class PowerLoadIn(Schema):
    area_id: int
    org_id: int


class PowerLoadOut(Schema):
    items: int


class PowerInstanceOut(Schema):
    id: int
    item_id: int
    item: str
    title: str
    applicant: str
    status: str
    done_steps: int
    step_started_at: dt.datetime | None = None
    step_due_on: dt.date | None = None
    completed_at: dt.datetime | None = None
    stuck: bool = False


class PowerInstancePage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PowerInstanceOut]


class PowerPublicInstanceOut(Schema):
    id: int
    item_id: int
    item: str
    area: str
    title: str
    applicant: str  # masked
    status: str
    done_steps: int
    publicity_ends_on: dt.date | None = None
    completed_at: dt.datetime | None = None


class PowerPublicPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PowerPublicInstanceOut]


class PowerInstanceIn(Schema):
    item_id: int
    title: str = Field(..., max_length=100)
    applicant: str = Field("", max_length=30)


class PowerAdvanceIn(Schema):
    step_id: int
    note: str = Field("", max_length=300)


class PowerDocumentOut(Schema):
    id: int
    step_id: int
    name: str
    content_type: str
    size: int


class PowerObjectionIn(Schema):
    text: str = Field(..., max_length=500)


class PowerAnswerIn(Schema):
    answer: str = Field(..., max_length=500)


class PowerObjectionOut(Schema):
    id: int
    step_id: int
    text: str
    filer: str
    filed_at: dt.datetime
    answer: str
    answered_at: dt.datetime | None = None


class PowerItemListQuery(PageQuery):
    area_id: int | None = Field(None, ge=1)
    power_class: PowerClass | None = None


class PowerInstanceListQuery(PageQuery):
    status: InstanceStatus | None = None
    stuck: bool = False
    area_id: int | None = Field(None, ge=1)


class PowerPublicQuery(PageQuery):
    area_id: int | None = Field(None, ge=1)
    item_id: int | None = Field(None, ge=1)


def _viewer(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not scope.has(selectors.VIEW):
        raise Http404
    return scope


def _manager(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not scope.has(selectors.MANAGE):
        raise Http404
    return scope


def _instance_out(i: PowerInstance, today: dt.date) -> dict:
    return {
        "id": i.pk,
        "item_id": i.item_id,
        "item": i.item.name,
        "title": i.title,
        "applicant": i.applicant,
        "status": i.status,
        "done_steps": i.done_steps,
        "step_started_at": i.step_started_at,
        "step_due_on": i.step_due_on,
        "completed_at": i.completed_at,
        "stuck": i.status == InstanceStatus.RUNNING
        and i.step_due_on is not None
        and i.step_due_on < today,
    }


def _public_out(i: PowerInstance) -> dict:
    steps = selectors.steps_of(i.item)
    current = selectors.current_step(i, steps)
    ends = (
        selectors.publicity_ends_on(current, i.step_started_at)
        if current is not None and current.is_publicity and i.step_started_at is not None
        else None
    )
    return {
        "id": i.pk,
        "item_id": i.item_id,
        "item": i.item.name,
        "area": i.item.area.name,
        "title": i.title,
        "applicant": selectors.public_name(i.applicant),
        "status": i.status,
        "done_steps": i.done_steps,
        "publicity_ends_on": ends,
        "completed_at": i.completed_at,
    }


def _step_of(instance: PowerInstance, step_id: int) -> PowerStep:
    step = next((s for s in selectors.steps_of(instance.item) if s.pk == step_id), None)
    if step is None:
        raise ServiceError(
            gettext("请按提示修改后再提交。"),
            fields={"step_id": gettext("该环节不属于本事项的流程。")},
        )
    return step


# ---- catalogue ----------------------------------------------------------------------------


@router.get("/items", response=PowerItemPage, summary="辖区内的小微权力事项")
@decorate_view(reads_from_replica())
def item_list(request: HttpRequest, query: Query[PowerItemListQuery]):
    qs = selectors.item_list(
        _viewer(request), area=query.area_id, power_class=query.power_class or ""
    )
    return api_page(qs, query.page)


@router.post(
    "/items/load", response={201: PowerLoadOut}, summary="为村（社区）载入默认清单（36条结构）"
)
def catalogue_load(request: HttpRequest, payload: PowerLoadIn):
    scope = _manager(request)
    area = selectors.area_choices(scope).filter(pk=payload.area_id).first()
    org = selectors.org_choices(scope).filter(pk=payload.org_id).first()
    missing = gettext("不存在或不在您的管辖范围内。")
    fields = {k: missing for k, v in (("area_id", area), ("org_id", org)) if v is None}
    if area is None or org is None:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=fields)
    n = services.catalogue_load(scope=scope, actor=request_user(request), area=area, org=org)
    return Status(201, {"items": n})


@router.get("/items/{item_id}", response=PowerItemDetailOut, summary="权力事项及其流程")
def item_detail(request: HttpRequest, item_id: int):
    item = selectors.get_item_for(_viewer(request), item_id)
    return {
        "id": item.pk,
        "number": item.number,
        "name": item.name,
        "power_class": item.power_class,
        "basis": item.basis,
        "active": item.active,
        "area_id": item.area_id,
        "area": item.area.name,
        "org_id": item.org_id,
        "org": item.org.name,
        "steps": selectors.steps_of(item),
    }


@router.put("/items/{item_id}", response=PowerItemOut, summary="修改权力事项（名称、依据、启用）")
def item_update(request: HttpRequest, item_id: int, payload: PowerItemIn):
    scope = _manager(request)
    item = selectors.get_item_for(scope, item_id, selectors.MANAGE)
    return services.item_update(
        scope=scope, actor=request_user(request), item=item, **payload.dict()
    )


@router.put("/items/{item_id}/steps/{step_id}", response=PowerStepOut, summary="修改流程环节")
def step_update(request: HttpRequest, item_id: int, step_id: int, payload: PowerStepIn):
    scope = _manager(request)
    item = selectors.get_item_for(scope, item_id, selectors.MANAGE)
    step = next((s for s in selectors.steps_of(item) if s.pk == step_id), None)
    if step is None:
        raise Http404
    return services.step_update(
        scope=scope, actor=request_user(request), step=step, **payload.dict()
    )


# ---- instances ----------------------------------------------------------------------------


@router.get("/instances", response=PowerInstancePage, summary="辖区内的权力运行（可筛选超时滞留）")
@decorate_view(reads_from_replica())
def instance_list(request: HttpRequest, query: Query[PowerInstanceListQuery]):
    qs = selectors.instance_list(
        _viewer(request), status=query.status or "", stuck=query.stuck, area=query.area_id
    )
    page = api_page(qs, query.page)
    today = selectors.local_today()
    page["results"] = [_instance_out(i, today) for i in page["results"]]
    return page


@router.post("/instances", response={201: PowerInstanceOut}, summary="登记一次权力运行（草稿）")
def instance_create(request: HttpRequest, payload: PowerInstanceIn):
    scope = _manager(request)
    item = selectors.item_list(scope, perm=selectors.MANAGE).filter(pk=payload.item_id).first()
    if item is None:
        raise ServiceError(
            gettext("请按提示修改后再提交。"),
            fields={"item_id": gettext("不存在或不在您的管辖范围内。")},
        )
    inst = services.instance_create(
        scope=scope,
        actor=request_user(request),
        item=item,
        title=payload.title,
        applicant=payload.applicant,
    )
    return Status(201, _instance_out(inst, selectors.local_today()))


@router.get("/instances/{instance_id}", response=PowerInstanceOut, summary="权力运行详情")
def instance_detail(request: HttpRequest, instance_id: int):
    inst = selectors.get_instance_for(_viewer(request), instance_id)
    return _instance_out(inst, selectors.local_today())


@router.post(
    "/instances/{instance_id}/start", response=PowerInstanceOut, summary="启动办理（草稿公开）"
)
def instance_start(request: HttpRequest, instance_id: int):
    scope = _manager(request)
    inst = selectors.get_instance_for(scope, instance_id, selectors.MANAGE)
    inst = services.instance_start(scope=scope, actor=request_user(request), instance=inst)
    return _instance_out(selectors.get_instance_for(scope, inst.pk), selectors.local_today())


@router.post(
    "/instances/{instance_id}/documents",
    response={201: PowerDocumentOut},
    summary="上传当前环节所需材料（图片或 PDF）",
)
def document_attach(
    request: HttpRequest,
    instance_id: int,
    step_id: Form[int],
    name: Form[str],
    file: File[UploadedFile],
):
    scope = _manager(request)
    inst = selectors.get_instance_for(scope, instance_id, selectors.MANAGE)
    doc = services.document_attach(
        scope=scope,
        actor=request_user(request),
        instance=inst,
        step=_step_of(inst, step_id),
        name=name,
        f=file,
    )
    return Status(201, doc)


@router.post(
    "/instances/{instance_id}/advance",
    response=PowerInstanceOut,
    summary="办理当前环节（不得跳过环节、缺材料、公示未满或有未答复异议）",
)
def instance_advance(request: HttpRequest, instance_id: int, payload: PowerAdvanceIn):
    scope = _manager(request)
    inst = selectors.get_instance_for(scope, instance_id, selectors.MANAGE)
    services.instance_advance(
        scope=scope,
        actor=request_user(request),
        instance=inst,
        step=_step_of(inst, payload.step_id),
        note=payload.note,
    )
    return _instance_out(selectors.get_instance_for(scope, inst.pk), selectors.local_today())


@router.post(
    "/instances/{instance_id}/objections/{objection_id}/answer",
    response=PowerObjectionOut,
    summary="答复公示异议",
)
def objection_answer(
    request: HttpRequest, instance_id: int, objection_id: int, payload: PowerAnswerIn
):
    scope = _manager(request)
    inst = selectors.get_instance_for(scope, instance_id, selectors.MANAGE)
    objection = next((o for o in selectors.objections_of(inst) if o.pk == objection_id), None)
    if objection is None:
        raise Http404
    o = services.objection_answer(
        scope=scope, actor=request_user(request), objection=objection, answer=payload.answer
    )
    return _objection_out(o)


def _objection_out(o: Objection) -> dict:
    return {
        "id": o.pk,
        "step_id": o.step_id,
        "text": o.text,
        "filer": selectors.public_name(o.filer_name),
        "filed_at": o.filed_at,
        "answer": o.answer,
        "answered_at": o.answered_at,
    }


# ---- the public register --------------------------------------------------------------------


@router.get(
    "/public/instances",
    response=PowerPublicPage,
    auth=None,
    summary="公开栏：权力运行（姓名已遮蔽）",
)
def public_list(request: HttpRequest, query: Query[PowerPublicQuery]):
    page = api_page(selectors.public_instances(area=query.area_id, item=query.item_id), query.page)
    page["results"] = [_public_out(i) for i in page["results"]]
    return page


@router.get(
    "/public/instances/{instance_id}",
    response=PowerPublicInstanceOut,
    auth=None,
    summary="公开栏：一次权力运行",
)
def public_detail(request: HttpRequest, instance_id: int):
    return _public_out(selectors.get_public_instance(instance_id))


@router.get(
    "/public/instances/{instance_id}/objections",
    response=list[PowerObjectionOut],
    auth=None,
    summary="公开栏：公示异议与答复",
)
def public_objections(request: HttpRequest, instance_id: int):
    inst = selectors.get_public_instance(instance_id)
    return [_objection_out(o) for o in selectors.objections_of(inst)]


@router.post(
    "/public/instances/{instance_id}/objections",
    response={201: PowerObjectionOut},
    summary="公示期间提出异议（需登录）",
)
def objection_file(request: HttpRequest, instance_id: int, payload: PowerObjectionIn):
    inst = selectors.get_public_instance(instance_id)
    o = services.objection_file(actor=request_user(request), instance=inst, text=payload.text)
    return Status(201, _objection_out(o))
