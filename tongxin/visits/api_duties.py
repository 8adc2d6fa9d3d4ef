"""三访 API, the duties: edit and end 三访责任 and 巡访服务岗 (the same services as the pages
/visits/quotas/<id>/edit/ and /end/, /visits/posts/<id>/edit/ and /end/). Mounted on the visits
router (tongxin.visits.api)."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext, gettext_lazy
from ninja import Field, Router, Schema
from pydantic import ConfigDict, StringConstraints

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.scope import Scope, request_scope
from tongxin.orgs.selectors import units_for_choice
from tongxin.visits import selectors, services

router = Router(tags=["三访"])


def need_scope(request: HttpRequest, perm: str = "visits.view") -> Scope:
    """The request's scope, when it holds ``perm`` (else 404)."""
    scope = request_scope(request)
    if not scope.has(perm):
        raise Http404
    return scope


# --- edit and end 三访责任 and 巡访服务岗 (as the pages /visits/quotas/<id>/edit/ and /end/,
# /visits/posts/<id>/edit/ and /end/) -------------------------------------------------------

Label = Annotated[str, StringConstraints(max_length=100)]


class NamedOut(Schema):
    id: int
    name: str


class HouseholdOut(Schema):
    id: int
    label: str
    area_id: int | None
    area_name: str


class AssignmentOut(Schema):
    id: int
    leader_id: int
    leader_name: str
    org_id: int
    org_name: str
    contact_duty: bool
    home_duty: bool
    active: bool
    units: list[NamedOut]
    households: list[HouseholdOut]


class AssignmentPatchIn(Schema):
    """Fields left out keep their value. ``unit_ids`` and ``households`` (门牌、户主), when
    given, are the complete lists: a household already linked keeps its place and visits,
    a new one is placed in ``household_area_id``. The leader does not change."""

    model_config = ConfigDict(extra="forbid")
    org_id: int | None = None
    contact_duty: bool | None = None
    home_duty: bool | None = None
    unit_ids: list[int] | None = Field(None, max_length=50)
    households: list[Label] | None = Field(None, max_length=500)
    household_area_id: int | None = None


class PostOut(Schema):
    id: int
    name: str
    org_id: int
    org_name: str
    area_id: int
    area_name: str
    place: str
    shifts: str
    active: bool
    members: list[NamedOut]


class PostPatchIn(Schema):
    """Fields left out keep their value. ``member_ids`` (巡访员), when given, is the complete
    list."""

    model_config = ConfigDict(extra="forbid")
    name: str | None = Field(None, max_length=100)
    org_id: int | None = None
    area_id: int | None = None
    place: str | None = Field(None, max_length=200)
    shifts: str | None = Field(None, max_length=200)
    member_ids: list[int] | None = Field(None, max_length=500)


# Service field names that the API calls differently.
API_FIELDS = {
    "org": "org_id",
    "units": "unit_ids",
    "household_area": "household_area_id",
    "area": "area_id",
    "members": "member_ids",
}

NO_ORG = gettext_lazy("编号为%(id)s的党组织不存在或不在您的管辖范围内，请重新选择。")
NO_UNIT = gettext_lazy("编号为%(id)s的单位不存在或不在您的管辖范围内，请重新选择。")
NO_AREA = gettext_lazy("编号为%(id)s的社区或小区不存在或不在您的管辖范围内，请重新选择。")
NO_MEMBER = gettext_lazy("编号为%(id)s的党员不存在或不在您的管辖范围内，请重新选择。")


def _api_fields(err: ServiceError) -> ServiceError:
    err.fields = {API_FIELDS.get(k, k): v for k, v in err.fields.items()}
    return err


def _pick(
    qs: Any,
    ids: list[int],
    kept: dict[int, Any],
    message: object,
    errors: dict[str, str],
    field: str,
) -> list[Any]:
    """The rows with these ids, in the given order: those already chosen (``kept``, which
    stay valid as on the edit pages) and those of ``qs``. An id among neither (unknown, or
    out of reach: the two look alike) is a field error naming it."""
    rows = dict(kept)
    rows.update({o.pk: o for o in qs.filter(pk__in=[i for i in ids if i not in kept])})
    missing = [i for i in ids if i not in rows]
    if missing:
        errors[field] = str(message) % {"id": missing[0]}
    return [rows[i] for i in dict.fromkeys(ids) if i in rows]


def _assignment_out(scope: Scope, pk: int) -> dict[str, Any]:
    a = selectors.get_assignment_for(scope, pk)
    targets = list(selectors.assignment_targets(a))
    return {
        "id": a.pk,
        "leader_id": a.leader_id,
        "leader_name": a.leader.name,
        "org_id": a.org_id,
        "org_name": a.org.name,
        "contact_duty": a.contact_duty,
        "home_duty": a.home_duty,
        "active": a.active,
        "units": [{"id": t.unit.pk, "name": t.unit.name} for t in targets if t.unit is not None],
        "households": [
            {
                "id": t.pk,
                "label": t.label,
                "area_id": t.area_id,
                "area_name": t.area.name if t.area else "",
            }
            for t in targets
            if t.kind == "household"
        ],
    }


def _post_out(scope: Scope, pk: int) -> dict[str, Any]:
    p = selectors.get_post_for(scope, pk)
    return {
        "id": p.pk,
        "name": p.name,
        "org_id": p.org_id,
        "org_name": p.org.name,
        "area_id": p.area_id,
        "area_name": p.area.name,
        "place": p.place,
        "shifts": p.shifts,
        "active": p.active,
        "members": [{"id": m.pk, "name": m.name} for m in selectors.post_members(p)],
    }


@router.patch(
    "/quotas/{int:assignment_id}",
    response=AssignmentOut,
    summary="修改三访责任：所在党组织、责任、联系单位和联系户（名单为完整名单）",
)
def assignment_update(request: HttpRequest, assignment_id: int, payload: AssignmentPatchIn):
    scope = need_scope(request, "visits.manage")
    a = selectors.get_assignment_for(scope, assignment_id, "visits.manage")
    if not a.active:  # before the ids are checked: nothing to fix would make it editable
        raise ConflictError(gettext("该三访责任已停用，不能再修改；如需继续，请重新登记。"))
    targets = list(selectors.assignment_targets(a))
    errors: dict[str, str] = {}
    org = a.org
    if payload.org_id is not None and payload.org_id != a.org_id:
        found = _pick(
            selectors.orgs_for_recording(scope), [payload.org_id], {}, NO_ORG, errors, "org_id"
        )
        org = found[0] if found else a.org
    linked = {t.unit.pk: t.unit for t in targets if t.unit is not None}
    units = list(linked.values())
    if payload.unit_ids is not None:
        units = _pick(
            units_for_choice(scope), payload.unit_ids, linked, NO_UNIT, errors, "unit_ids"
        )
    area = None
    if payload.household_area_id is not None:
        found = _pick(
            selectors.areas_for_recording(scope),
            [payload.household_area_id],
            {},
            NO_AREA,
            errors,
            "household_area_id",
        )
        area = found[0] if found else None
    labels = [t.label for t in targets if t.kind == "household"]
    if payload.households is not None:
        labels = list(payload.households)
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    try:
        services.assignment_update(
            scope=scope,
            actor=request_user(request),
            assignment=a,
            org=org,
            units=units,
            household_labels=labels,
            household_area=area,
            contact_duty=a.contact_duty if payload.contact_duty is None else payload.contact_duty,
            home_duty=a.home_duty if payload.home_duty is None else payload.home_duty,
        )
    except ServiceError as e:
        raise _api_fields(e) from None
    return _assignment_out(scope, a.pk)


@router.post(
    "/quotas/{int:assignment_id}/end",
    response=AssignmentOut,
    summary="停用三访责任（联系记录和走访记录保留）",
)
def assignment_end(request: HttpRequest, assignment_id: int):
    scope = need_scope(request, "visits.manage")
    a = selectors.get_assignment_for(scope, assignment_id, "visits.manage")
    services.assignment_end(scope=scope, actor=request_user(request), assignment=a)
    return _assignment_out(scope, a.pk)


@router.patch(
    "/posts/{int:post_id}",
    response=PostOut,
    summary="修改巡访服务岗：名称、党组织、区域、地点、值守时间、巡访员（完整名单）",
)
def post_update(request: HttpRequest, post_id: int, payload: PostPatchIn):
    scope = need_scope(request, "visits.manage")
    p = selectors.get_post_for(scope, post_id, "visits.manage")
    if not p.active:
        raise ConflictError(gettext("该巡访服务岗已停用，不能再修改；如需恢复，请重新设立。"))
    errors: dict[str, str] = {}
    org, area = p.org, p.area
    if payload.org_id is not None and payload.org_id != p.org_id:
        found = _pick(
            selectors.orgs_for_recording(scope), [payload.org_id], {}, NO_ORG, errors, "org_id"
        )
        org = found[0] if found else p.org
    if payload.area_id is not None and payload.area_id != p.area_id:
        found = _pick(
            selectors.areas_for_recording(scope), [payload.area_id], {}, NO_AREA, errors, "area_id"
        )
        area = found[0] if found else p.area
    on_duty = {m.pk: m for m in selectors.post_members(p)}
    members = list(on_duty.values())
    if payload.member_ids is not None:
        members = _pick(
            selectors.members_for_choice(scope),
            payload.member_ids,
            on_duty,
            NO_MEMBER,
            errors,
            "member_ids",
        )
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    try:
        services.patrol_post_update(
            scope=scope,
            actor=request_user(request),
            post=p,
            org=org,
            area=area,
            members=members,
            name=p.name if payload.name is None else payload.name,
            place=p.place if payload.place is None else payload.place,
            shifts=p.shifts if payload.shifts is None else payload.shifts,
        )
    except ServiceError as e:
        raise _api_fields(e) from None
    return _post_out(scope, p.pk)


@router.post(
    "/posts/{int:post_id}/end", response=PostOut, summary="停用巡访服务岗（已记录的巡访保留）"
)
def post_end(request: HttpRequest, post_id: int):
    scope = need_scope(request, "visits.manage")
    p = selectors.get_post_for(scope, post_id, "visits.manage")
    services.patrol_post_end(scope=scope, actor=request_user(request), post=p)
    return _post_out(scope, p.pk)
