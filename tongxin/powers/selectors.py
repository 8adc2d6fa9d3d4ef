"""Every read of the 小微权力清单. Staff reach powers and their instances by the owning
organization's path (org grants) or the village's or community's area (area grants): a 街道's
working committee reaches the flows of all its villages and communities. The register of
instances is public: anyone reads every instance past its draft, with personal names masked.
A draft is its author's alone."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.core.registry import StoredFigures
from tongxin.core.scope import NOTHING, Scope
from tongxin.geo.models import Area, AreaLevel
from tongxin.orgs.models import Organization
from tongxin.powers.models import (
    InstanceStatus,
    Objection,
    PowerClass,
    PowerInstance,
    PowerItem,
    PowerStep,
    StepDocument,
)
from tongxin.transfers.selectors import masked_name

VIEW = "powers.view"
MANAGE = "powers.manage"


def reach_q(scope: Scope, perm: str = VIEW) -> Q:
    """Items or instances in reach: their org_path under an org grant or their area_path
    under an area grant."""
    if scope.is_superuser:
        return Q()
    grants = scope.grants.get(perm, [])
    parts = [g.q("org_path") for g in grants if g.kind == "org"]
    parts += [g.q("area_path") for g in grants if g.kind == "area"]
    if not parts:
        return NOTHING
    out = parts[0]
    for p in parts[1:]:
        out |= p
    return out


def local_today() -> dt.date:
    return timezone.localdate()


# ---- catalogue ----------------------------------------------------------------------------


def item_list(
    scope: Scope, *, area: int | None = None, power_class: str = "", perm: str = VIEW
) -> QuerySet[PowerItem]:
    qs = PowerItem.objects.filter(reach_q(scope, perm))
    if area:
        qs = qs.filter(area_id=area)
    if power_class:
        qs = qs.filter(power_class=power_class)
    return qs.select_related("area", "org").order_by("area_path", "number")


def get_item_for(scope: Scope, pk: object, perm: str = VIEW) -> PowerItem:
    try:
        return (
            PowerItem.objects.filter(reach_q(scope, perm))
            .select_related("area", "org")
            .get(pk=int(str(pk)))
        )
    except (PowerItem.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("权力事项不存在或不在您的管辖范围内。")) from None


def get_public_item(pk: object) -> PowerItem:
    try:
        return PowerItem.objects.select_related("area", "org").get(pk=int(str(pk)), active=True)
    except (PowerItem.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("权力事项不存在。")) from None


def steps_of(item: PowerItem) -> list[PowerStep]:
    return list(item.steps.order_by("order"))


def catalogue_areas(scope: Scope, perm: str = VIEW) -> QuerySet[Area]:
    """Villages and communities with a catalogue in reach, with counts (one query)."""
    items = PowerItem.objects.filter(reach_q(scope, perm)).values("area_id")
    return (
        Area.objects.filter(pk__in=items)
        .annotate(n_items=Count("id"))
        .order_by("path")
        .only("id", "name", "path")
    )


def area_choices(scope: Scope) -> QuerySet[Area]:
    """Villages and communities (社区/村) where the user may load a catalogue: those in reach
    by an area grant, or where an organization in reach is anchored."""
    if scope.is_superuser:
        return Area.objects.filter(level=AreaLevel.COMMUNITY).order_by("path")
    q = NOTHING
    for g in scope.grants.get(MANAGE, []):
        if g.kind == "area":
            q |= g.q("path")
    orgs = Organization.objects.filter(scope.org_grants_q(MANAGE, "path")).values("area_id")
    return Area.objects.filter(q | Q(pk__in=orgs), level=AreaLevel.COMMUNITY).order_by("path")


def org_choices(scope: Scope, area: Area | None = None) -> QuerySet[Organization]:
    qs = Organization.objects.filter(scope.orgs_q(MANAGE)).exclude(kind="group")
    if area is not None:
        qs = qs.filter(area_id=area.pk)
    return qs.order_by("path")


def public_areas() -> QuerySet[Area]:
    """The villages and communities whose catalogue is published."""
    return Area.objects.filter(
        pk__in=PowerItem.objects.filter(active=True).values("area_id")
    ).order_by("path")


def public_items(area: Area) -> list[tuple[object, list[PowerItem]]]:
    """A village's active powers grouped by class, in class order."""
    by_class: dict[str, list[PowerItem]] = {}
    for item in PowerItem.objects.filter(area=area, active=True).order_by("number"):
        by_class.setdefault(item.power_class, []).append(item)
    return [(label, by_class[value]) for value, label in PowerClass.choices if value in by_class]


# ---- instances ----------------------------------------------------------------------------


def _instances() -> QuerySet[PowerInstance]:
    return PowerInstance.objects.select_related("item", "item__area")


def visible_q(scope: Scope) -> Q:
    """Drafts are their author's alone (and the installation's: the demo, system tasks)."""
    if scope.is_superuser:
        return Q()
    return ~Q(status=InstanceStatus.DRAFT) | Q(created_by_id=scope.user_id or 0)


def instance_list(
    scope: Scope,
    *,
    status: str = "",
    stuck: bool = False,
    area: int | None = None,
    perm: str = VIEW,
) -> QuerySet[PowerInstance]:
    qs = _instances().filter(reach_q(scope, perm)).filter(visible_q(scope))
    if status:
        qs = qs.filter(status=status)
    if stuck:
        qs = qs.filter(stuck_q())
    if area:
        qs = qs.filter(item__area_id=area)
    return qs.order_by("-id")


def stuck_q(today: dt.date | None = None) -> Q:
    """Running instances whose current step is past its 公示 and its 办理时限."""
    return Q(status=InstanceStatus.RUNNING, step_due_on__lt=today or local_today())


def get_instance_for(scope: Scope, pk: object, perm: str = VIEW) -> PowerInstance:
    try:
        return (
            _instances().filter(reach_q(scope, perm)).filter(visible_q(scope)).get(pk=int(str(pk)))
        )
    except (PowerInstance.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("权力运行记录不存在或不在您的管辖范围内。")) from None


def public_instances(*, area: int | None = None, item: int | None = None) -> QuerySet:
    qs = _instances().exclude(status=InstanceStatus.DRAFT)
    if area:
        qs = qs.filter(item__area_id=area)
    if item:
        qs = qs.filter(item_id=item)
    return qs.order_by("-id")


def objection_refusal(instance: PowerInstance) -> str:
    """Why someone who is not of the power's place (members.selectors.belongs_to_place) may
    not object to its 公示: the service's refusal, and the sentence the page shows instead of
    the form."""
    return gettext(
        "只有%(place)s的居民和当地党员可以对这项公示提出异议。"
        "住在这里的居民，请先登记居民档案并选择所住的小区。"
    ) % {"place": instance.item.area.name}


def get_public_instance(pk: object) -> PowerInstance:
    try:
        return public_instances().get(pk=int(str(pk)))
    except (PowerInstance.DoesNotExist, ValueError, OverflowError):
        raise Http404(gettext("权力运行记录不存在。")) from None


@dataclass
class FlowNode:
    """A step of the flow as the flowchart draws it."""

    step: PowerStep
    index: int
    state: str  # done | current | pending | template
    started_at: dt.datetime | None = None
    done_at: dt.datetime | None = None
    note: str = ""
    attached: tuple[str, ...] = ()
    publicity_ends_on: dt.date | None = None


def publicity_ends_on(step: PowerStep, started_at: dt.datetime) -> dt.date:
    """The last day of a 公示 that started at ``started_at``: it runs ``publicity_days`` whole
    days counting the day it started (5 days from 12-01 end on 12-05)."""
    start = timezone.localtime(started_at).date()
    return start + dt.timedelta(days=step.publicity_days - 1)


def flow_of(instance: PowerInstance | None, steps: list[PowerStep]) -> list[FlowNode]:
    """The flowchart's nodes: for a template (instance None) or an instance's progress."""
    if instance is None:
        return [FlowNode(s, i + 1, "template") for i, s in enumerate(steps)]
    records = {r.step_id: r for r in instance.records.all()}
    docs: dict[int, list[str]] = {}
    for d in StepDocument.objects.filter(instance=instance).only("step_id", "name"):
        docs.setdefault(d.step_id, []).append(d.name)
    nodes = []
    for i, s in enumerate(steps):
        r = records.get(s.pk)
        if r is not None:
            state = "done"
        elif instance.status == InstanceStatus.RUNNING and i == instance.done_steps:
            state = "current"
        else:
            state = "pending"
        started = r.started_at if r is not None else None
        if state == "current":
            started = instance.step_started_at
        node = FlowNode(
            s,
            i + 1,
            state,
            started_at=started,
            done_at=r.done_at if r is not None else None,
            note=r.note if r is not None else "",
            attached=tuple(docs.get(s.pk, ())),
        )
        if s.is_publicity and started is not None:
            node.publicity_ends_on = publicity_ends_on(s, started)
        nodes.append(node)
    return nodes


def current_step(instance: PowerInstance, steps: list[PowerStep]) -> PowerStep | None:
    if instance.status != InstanceStatus.RUNNING or instance.done_steps >= len(steps):
        return None
    return steps[instance.done_steps]


def objections_of(instance: PowerInstance) -> list[Objection]:
    return list(instance.objections.select_related("step").order_by("id"))


def documents_of(instance: PowerInstance) -> QuerySet[StepDocument]:
    return StepDocument.objects.filter(instance=instance).select_related("step")


def public_name(name: str) -> str:
    return masked_name(name) if name else ""


# ---- figures ------------------------------------------------------------------------------


def power_figures(scope: Scope) -> dict[str, object] | None:
    """The 工作台 card: powers in the catalogue, instances exercised this year, running,
    stuck, objections open (four queries)."""
    if not scope.has(VIEW):
        return None
    reach = reach_q(scope)
    items = PowerItem.objects.filter(reach, active=True).count()
    if not items:
        return None
    today = local_today()
    year_start = dt.date(today.year, 1, 1)
    counts = PowerInstance.objects.filter(reach).aggregate(
        running=Count("id", filter=Q(status=InstanceStatus.RUNNING)),
        completed=Count(
            "id", filter=Q(status=InstanceStatus.COMPLETED, completed_at__date__gte=year_start)
        ),
        stuck=Count("id", filter=stuck_q(today)),
    )
    objections = Objection.objects.filter(
        answered_at__isnull=True,
        instance__in=PowerInstance.objects.filter(reach, status=InstanceStatus.RUNNING),
    ).count()
    return {"items": items, **counts, "objections": objections}


def area_item_counts(scope: Scope, perm: str = VIEW) -> QuerySet:
    """Per village or community in reach: its powers, in path order (one grouped query; a
    page of it is what the overview shows)."""
    return (
        PowerItem.objects.filter(reach_q(scope, perm))
        .values("area_id", "area__name", "area_path", "org__name")
        .annotate(items=Count("id"))
        .order_by("area_path", "org__name")
    )


def instance_counts(
    scope: Scope, *, area_ids: list[int] | None = None, perm: str = VIEW
) -> dict[int, dict[str, int]]:
    """Instances running, completed and stuck per village or community in reach (one grouped
    query), for the given areas only when ``area_ids`` is passed."""
    qs = PowerInstance.objects.filter(reach_q(scope, perm)).exclude(status=InstanceStatus.DRAFT)
    if area_ids is not None:
        qs = qs.filter(item__area_id__in=area_ids)
    stats = qs.values("item__area_id").annotate(
        running=Count("id", filter=Q(status=InstanceStatus.RUNNING)),
        completed=Count("id", filter=Q(status=InstanceStatus.COMPLETED)),
        stuck=Count("id", filter=stuck_q(local_today())),
    )
    return {s["item__area_id"]: {k: s[k] for k in ("running", "completed", "stuck")} for s in stats}


def with_instance_counts(
    scope: Scope, rows: Iterable[dict[str, object]], perm: str = VIEW
) -> list[dict[str, object]]:
    """``rows`` of area_item_counts with their instance counts (one query for all of them)."""
    out = [dict(r) for r in rows]
    counts = instance_counts(scope, area_ids=[int(str(r["area_id"])) for r in out], perm=perm)
    for r in out:
        r.update(counts.get(int(str(r["area_id"])), {}))
    return out


def area_overview(scope: Scope, perm: str = VIEW) -> list[dict[str, object]]:
    """Per village or community in reach: its powers, instances running, completed and stuck
    (two queries) — what a 街道 watches. The page shows it a page at a time."""
    return with_instance_counts(scope, area_item_counts(scope, perm), perm)


STORED_KEYS = (
    "powers.items",
    "powers.running",
    "powers.stuck",
    "powers.completed_year",
    "powers.objections_open",
)


def stored_power_figures(
    request: object, scope: Scope, f: StoredFigures
) -> dict[str, object] | None:
    """``power_figures``' card from the stored figures of the user's top of scope."""
    if not scope.has(VIEW) or not f.count("powers.items"):
        return None
    return {
        "items": f.count("powers.items"),
        "running": f.count("powers.running"),
        "completed": f.count("powers.completed_year"),
        "stuck": f.count("powers.stuck"),
        "objections": f.count("powers.objections_open"),
    }
