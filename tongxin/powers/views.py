"""小微权力清单 staff pages (desktop first): the 街道's overview of its villages' and
communities' flows with late or stuck instances flagged, a village's catalogue, a power's
flowchart and settings, and an instance walking its flow."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from tongxin.accounts.scope import request_user
from tongxin.core import uploads
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.pagination import paginate
from tongxin.core.scope import Scope, request_scope
from tongxin.powers import selectors, services
from tongxin.powers.forms import (
    AdvanceForm,
    AnswerForm,
    DocumentForm,
    InstanceForm,
    ItemForm,
    LoadForm,
    StepForm,
    split_documents,
)
from tongxin.powers.models import InstanceStatus


def _need(request: HttpRequest, perm: str = selectors.VIEW) -> Scope:
    scope = request_scope(request)
    if not scope.has(perm):
        raise Http404
    return scope


def pk_param(value: str) -> int | None:
    """A primary key from a query string, or None (never an integer the database refuses)."""
    return int(value) if value.isdigit() and len(value) < 10 else None


@login_required
def index(request: HttpRequest) -> HttpResponse:
    scope = _need(request)
    stuck = selectors.instance_list(scope, stuck=True)[:20]
    # A city has about 1,500 villages and communities: fifty at a time, in path order.
    page = paginate(request, selectors.area_item_counts(scope), per_page=50)
    return render(
        request,
        "powers/index.html",
        {
            "areas": selectors.with_instance_counts(scope, page.object_list),
            "page": page,
            "stuck": list(stuck),
            "today": selectors.local_today(),
            "can_manage": scope.has(selectors.MANAGE),
        },
    )


@login_required
def catalogue(request: HttpRequest, area_pk: int) -> HttpResponse:
    scope = _need(request)
    items = list(selectors.item_list(scope, area=area_pk))
    if not items:
        raise Http404(gettext("该村（社区）没有您可查看的权力清单。"))
    groups: dict[str, list] = {}
    for item in items:
        groups.setdefault(item.get_power_class_display(), []).append(item)
    return render(
        request,
        "powers/catalogue.html",
        {"area": items[0].area, "org": items[0].org, "groups": groups.items()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def load(request: HttpRequest) -> HttpResponse:
    scope = _need(request, selectors.MANAGE)
    form = LoadForm(
        request.POST or None,
        areas=selectors.area_choices(scope),
        orgs=selectors.org_choices(scope),
    )
    if request.method == "POST" and form.is_valid():
        area = form.cleaned_data["area"]
        try:
            n = services.catalogue_load(
                scope=scope, actor=request_user(request), area=area, org=form.cleaned_data["org"]
            )
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            messages.success(request, gettext("已载入%(n)s项小微权力。") % {"n": n})
            return redirect("powers:catalogue", area_pk=area.pk)
    return render(request, "powers/load.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def item_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _need(request)
    item = selectors.get_item_for(scope, pk)
    can_manage = (
        scope.has(selectors.MANAGE)
        and selectors.item_list(scope, perm=selectors.MANAGE).filter(pk=item.pk).exists()
    )
    steps = selectors.steps_of(item)
    item_form = ItemForm(initial={"name": item.name, "basis": item.basis, "active": item.active})
    new_form = InstanceForm()
    step_form, step_pk = None, None
    action = request.POST.get("action", "")
    if request.method == "POST":
        if not can_manage:
            raise Http404
        actor = request_user(request)
        try:
            if action == "item":
                item_form = ItemForm(request.POST)
                if item_form.is_valid():
                    services.item_update(
                        scope=scope, actor=actor, item=item, **item_form.cleaned_data
                    )
                    messages.success(request, gettext("已保存。"))
                    return redirect("powers:item", pk=item.pk)
            elif action == "step":
                step_pk = pk_param(request.POST.get("step", ""))
                step = next((s for s in steps if s.pk == step_pk), None)
                if step is None:
                    raise Http404
                step_form = StepForm(request.POST, prefix=f"s{step.pk}")
                if step_form.is_valid():
                    data = dict(step_form.cleaned_data)
                    data["documents"] = split_documents(data["documents"])
                    services.step_update(scope=scope, actor=actor, step=step, **data)
                    messages.success(request, gettext("流程已修改。"))
                    return redirect("powers:item", pk=item.pk)
            elif action == "new":
                new_form = InstanceForm(request.POST)
                if new_form.is_valid():
                    inst = services.instance_create(
                        scope=scope, actor=actor, item=item, **new_form.cleaned_data
                    )
                    messages.success(request, gettext("已登记为草稿，核对后启动办理。"))
                    return redirect("powers:instance", pk=inst.pk)
        except ServiceError as e:
            form = {"item": item_form, "step": step_form, "new": new_form}.get(action)
            if form is not None:
                apply_service_error(form, e)
            else:
                messages.error(request, e.message)
    rows = []
    for node in selectors.flow_of(None, steps):
        s = node.step
        form = (
            step_form
            if step_form is not None and s.pk == step_pk
            else StepForm(
                initial={
                    "name": s.name,
                    "role": s.role,
                    "documents": "、".join(s.documents),
                    "publicity_days": s.publicity_days,
                    "limit_days": s.limit_days,
                },
                prefix=f"s{s.pk}",
            )
        )
        rows.append((s, form))
    return render(
        request,
        "powers/item.html",
        {
            "item": item,
            "nodes": selectors.flow_of(None, steps),
            "step_rows": rows,
            "item_form": item_form,
            "new_form": new_form,
            "can_manage": can_manage,
            "instances": list(selectors.instance_list(scope).filter(item=item)[:20]),
        },
    )


@login_required
def instance_list(request: HttpRequest) -> HttpResponse:
    scope = _need(request)
    status = request.GET.get("status", "")
    status = status if status in InstanceStatus.values else ""
    stuck = request.GET.get("stuck") == "1"
    area = pk_param(request.GET.get("area", ""))
    page = paginate(request, selectors.instance_list(scope, status=status, stuck=stuck, area=area))
    return render(
        request,
        "powers/instances.html",
        {
            "page": page,
            "status": status,
            "stuck": stuck,
            "statuses": InstanceStatus.choices,
            "today": selectors.local_today(),
            "query": f"status={status}&stuck={'1' if stuck else ''}&area={area or ''}",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def instance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _need(request)
    instance = selectors.get_instance_for(scope, pk)
    steps = selectors.steps_of(instance.item)
    current = selectors.current_step(instance, steps)
    can_manage = (
        selectors.instance_list(scope, perm=selectors.MANAGE).filter(pk=instance.pk).exists()
    )
    doc_form = DocumentForm(names=current.documents if current else ())
    advance_form = AdvanceForm()
    answer_forms: dict[int, AnswerForm] = {}
    if request.method == "POST":
        if not can_manage:
            raise Http404
        actor = request_user(request)
        action = request.POST.get("action", "")
        try:
            if action == "start":
                services.instance_start(scope=scope, actor=actor, instance=instance)
                messages.success(request, gettext("已启动办理，本事项已在公开栏公示。"))
                return redirect("powers:instance", pk=instance.pk)
            if current is None:
                raise ServiceError(gettext("该事项当前没有可办理的环节。"))
            if action == "document":
                doc_form = DocumentForm(request.POST, request.FILES, names=current.documents)
                if doc_form.is_valid():
                    services.document_attach(
                        scope=scope,
                        actor=actor,
                        instance=instance,
                        step=current,
                        name=doc_form.cleaned_data["name"],
                        f=doc_form.cleaned_data["file"],
                    )
                    messages.success(request, gettext("材料已上传。"))
                    return redirect("powers:instance", pk=instance.pk)
            elif action == "advance":
                advance_form = AdvanceForm(request.POST)
                step_pk = pk_param(request.POST.get("step", ""))
                step = next((s for s in steps if s.pk == step_pk), None)
                if step is None:
                    raise ServiceError(gettext("请选择要办理的环节。"))
                if advance_form.is_valid():
                    services.instance_advance(
                        scope=scope,
                        actor=actor,
                        instance=instance,
                        step=step,
                        note=advance_form.cleaned_data["note"],
                    )
                    messages.success(request, gettext("“%(s)s”已办理。") % {"s": step.name})
                    return redirect("powers:instance", pk=instance.pk)
            elif action == "answer":
                opk = pk_param(request.POST.get("objection", ""))
                objection = next(
                    (o for o in selectors.objections_of(instance) if o.pk == opk), None
                )
                if objection is None:
                    raise Http404
                form = AnswerForm(request.POST, prefix=f"o{objection.pk}")
                answer_forms[objection.pk] = form
                if form.is_valid():
                    services.objection_answer(
                        scope=scope,
                        actor=actor,
                        objection=objection,
                        answer=form.cleaned_data["answer"],
                    )
                    messages.success(request, gettext("已答复异议。"))
                    return redirect("powers:instance", pk=instance.pk)
        except ServiceError as e:
            messages.error(request, e.message)
    objections = selectors.objections_of(instance)
    return render(
        request,
        "powers/instance.html",
        {
            "instance": instance,
            "nodes": selectors.flow_of(instance, steps),
            "current": current,
            "can_manage": can_manage,
            "doc_form": doc_form,
            "advance_form": advance_form,
            "objections": [
                (o, answer_forms.get(o.pk) or AnswerForm(prefix=f"o{o.pk}")) for o in objections
            ],
            "documents": list(selectors.documents_of(instance)),
            "today": selectors.local_today(),
        },
    )


@login_required
def document(request: HttpRequest, pk: int, doc_pk: int) -> FileResponse:
    instance = selectors.get_instance_for(_need(request), pk)
    doc = next((d for d in selectors.documents_of(instance) if d.pk == doc_pk), None)
    if doc is None:
        raise Http404
    return uploads.serve(doc.file, doc.content_type, f"power-{pk}-document-{doc.pk}")
