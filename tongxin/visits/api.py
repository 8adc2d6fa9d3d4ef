"""三访 API: the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext, gettext_lazy
from ninja import Field, Query, Router, Schema, Status
from pydantic import ConfigDict, StringConstraints

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import Scope, request_scope
from tongxin.orgs.selectors import get_org_for, get_unit_for, units_for_choice
from tongxin.visits import cases_link, selectors, services
from tongxin.visits.models import Visit, VisitProblem

router = Router(tags=["三访"])


def _need(request: HttpRequest, perm: str = "visits.view") -> Scope:
    """The request's scope, when it holds ``perm`` (else 404)."""
    scope = request_scope(request)
    if not scope.has(perm):
        raise Http404
    return scope


class VisitCaseOut(Schema):
    id: int
    tracking_code: str
    state: str
    state_label: str
    light: str


class ProblemOut(Schema):
    id: int
    text: str
    status: str
    resolution: str
    case: VisitCaseOut | None = None


class VisitOut(Schema):
    id: int
    kind: str
    visited_on: dt.date
    visitor_name: str
    org_id: int
    org_name: str
    area_id: int
    area_name: str
    household: str
    people_met: str

    @staticmethod
    def resolve_org_name(obj: Any) -> str:
        return obj["org_name"] if isinstance(obj, dict) else obj.org.name

    @staticmethod
    def resolve_area_name(obj: Any) -> str:
        return obj["area_name"] if isinstance(obj, dict) else obj.area.name


class VisitDetailOut(VisitOut):
    heard: str
    unit_id: int | None = None
    post_id: int | None = None
    problems: list[ProblemOut]


class VisitPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[VisitOut]


class VisitListQuery(PageQuery):
    kind: Literal["", "contact", "home", "patrol"] = ""
    month: str = Field("", description="YYYY-MM", max_length=7)
    org_id: int | None = None


class VisitIn(Schema):
    kind: Literal["contact", "home", "patrol"]
    visited_on: dt.date
    org_id: int
    area_id: int
    people_met: str = Field(..., max_length=200)
    heard: str = Field(..., max_length=4000)
    household: str = Field("", max_length=100)
    unit_id: int | None = None
    post_id: int | None = None
    problems: list[str] = Field(default_factory=list, max_length=50)


class ProblemIn(Schema):
    text: str = Field(..., max_length=2000)


class ToCaseIn(Schema):
    category: str = Field(..., max_length=40, description="事件类别代码（Open311 service_code）")
    priority: Literal["normal", "urgent"] = "normal"


def _problem_out(p: VisitProblem, info: cases_link.CaseInfo | None) -> dict[str, Any]:
    case = None
    if info is not None:
        case = {
            "id": info.pk,
            "tracking_code": info.code,
            "state": info.state,
            "state_label": info.state_label,
            "light": info.light,
        }
    elif p.case_pk is not None:
        case = {
            "id": p.case_pk,
            "tracking_code": p.case_code,
            "state": "",
            "state_label": "",
            "light": "",
        }
    return {
        "id": p.pk,
        "text": p.text,
        "status": p.status,
        "resolution": p.resolution,
        "case": case,
    }


def _detail(visit: Visit) -> dict[str, Any]:
    problems = selectors.visit_problems(visit)
    infos = cases_link.case_infos([p.case_pk for p in problems if p.case_pk is not None])
    out = {
        f: getattr(visit, f)
        for f in (
            "id",
            "kind",
            "visited_on",
            "visitor_name",
            "org_id",
            "area_id",
            "household",
            "people_met",
            "heard",
            "unit_id",
            "post_id",
        )
    }
    out.update(
        org_name=visit.org.name,
        area_name=visit.area.name,
        problems=[_problem_out(p, infos.get(p.case_pk or 0)) for p in problems],
    )
    return out


@router.get("/", response=VisitPage, summary="民情日记（分页；按类型、月份、组织筛选）")
def visit_list(request: HttpRequest, query: Query[VisitListQuery]):
    scope = _need(request)
    month = None
    if query.month:
        try:
            month = dt.date.fromisoformat(f"{query.month}-01")
        except ValueError:
            raise ServiceError(
                gettext("月份格式应为YYYY-MM。"), fields={"month": gettext("月份格式应为YYYY-MM。")}
            ) from None
    org = get_org_for(scope, query.org_id) if query.org_id else None
    qs = selectors.visit_list(scope, selectors.VisitFilters(kind=query.kind, month=month, org=org))
    return api_page(qs, query.page)


@router.get(
    "/{int:visit_id}", response=VisitDetailOut, summary="走访记录详情（含问题及其事件状态）"
)
def visit_detail(request: HttpRequest, visit_id: int):
    return _detail(selectors.get_visit_for(_need(request), visit_id))


@router.post("/", response={201: VisitDetailOut}, summary="记录走访（可同时登记问题）")
def visit_create(request: HttpRequest, payload: VisitIn):
    scope = _need(request, "visits.manage")
    org = get_org_for(scope, payload.org_id, "visits.manage")
    area = selectors.areas_for_recording(scope).filter(pk=payload.area_id).first()
    if area is None:
        raise Http404
    unit = get_unit_for(scope, payload.unit_id) if payload.unit_id else None
    post = (
        selectors.get_post_for(scope, payload.post_id, "visits.manage") if payload.post_id else None
    )
    data = services.VisitInput(
        kind=payload.kind,
        visited_on=payload.visited_on,
        org=org,
        area=area,
        people_met=payload.people_met,
        heard=payload.heard,
        household=payload.household,
        unit=unit,
        post=post,
        problems=tuple(payload.problems),
    )
    visit = services.visit_record(scope=scope, actor=request_user(request), data=data)
    return Status(201, _detail(selectors.get_visit_for(scope, visit.pk)))


@router.post("/{int:visit_id}/problems", response={201: ProblemOut}, summary="登记走访中反映的问题")
def problem_raise(request: HttpRequest, visit_id: int, payload: ProblemIn):
    scope = _need(request, "visits.manage")
    visit = selectors.get_visit_for(scope, visit_id, "visits.manage")
    problem = services.problem_raise(
        scope=scope, actor=request_user(request), visit=visit, text=payload.text
    )
    return Status(201, _problem_out(problem, None))


@router.post("/problems/{int:problem_id}/case", response=ProblemOut, summary="问题转为事件（一次）")
def problem_to_case(request: HttpRequest, problem_id: int, payload: ToCaseIn):
    scope = _need(request, "visits.manage")
    problem = selectors.get_problem_for(scope, problem_id, "visits.manage")
    category = cases_link.category_for(payload.category)
    if category is None:
        msg = gettext("没有这个事件类别，请从事件类别中选择。")
        raise ServiceError(msg, fields={"category": msg})
    problem = services.problem_to_case(
        scope=scope,
        actor=request_user(request),
        problem=problem,
        category=category,
        priority=payload.priority,
    )
    case_pk = problem.case_pk or 0
    return _problem_out(problem, cases_link.case_infos([case_pk]).get(case_pk))


class ProgressOut(Schema):
    assignment_id: int
    leader_id: int
    leader_name: str
    org_id: int
    org_name: str
    contact_duty: bool
    home_duty: bool
    units_visited: int
    units_target: int
    households_visited: int
    households_target: int
    home_visits: int
    home_target: int
    complete: bool


class ProgressPage(Schema):
    count: int
    page: int
    page_size: int
    quarter_start: dt.date
    month_start: dt.date
    results: list[ProgressOut]


class ProgressQuery(PageQuery):
    on: dt.date | None = None
    org_id: int | None = None


@router.get(
    "/quotas", response=ProgressPage, summary="三访配额进度（每人：本季度联系走访、本月家访）"
)
def quotas(request: HttpRequest, query: Query[ProgressQuery]):
    scope = _need(request)
    day = query.on or selectors.today()
    org = get_org_for(scope, query.org_id) if query.org_id else None
    page = api_page(selectors.assignment_progress(scope, day, org), query.page)
    rows = selectors.progress_rows(page["results"], selectors.quota_rules())
    page["results"] = [
        {
            "assignment_id": p.assignment.pk,
            "leader_id": p.assignment.leader.pk,
            "leader_name": p.assignment.leader.name,
            "org_id": p.assignment.org.pk,
            "org_name": p.assignment.org.name,
            "contact_duty": p.assignment.contact_duty,
            "home_duty": p.assignment.home_duty,
            "units_visited": p.units[0],
            "units_target": p.units[1],
            "households_visited": p.households[0],
            "households_target": p.households[1],
            "home_visits": p.home[0],
            "home_target": p.home[1],
            "complete": p.complete,
        }
        for p in rows
    ]
    page["quarter_start"] = selectors.quarter_bounds(day)[0]
    page["month_start"] = selectors.month_bounds(day)[0]
    return page


class BriefingRow(ProblemOut):
    visit_id: int
    visited_on: dt.date
    area_name: str
    visitor_name: str


class BriefingGroupOut(Schema):
    key: str
    label: str
    problems: list[BriefingRow]


class BriefingOut(Schema):
    start: dt.date
    end: dt.date
    visits: int
    total: int
    truncated: bool
    groups: list[BriefingGroupOut]


class BriefingQuery(Schema):
    on: dt.date | None = Field(None, description="两周内的任一天，默认今天")
    org_id: int | None = None


@router.get("/briefing", response=BriefingOut, summary="双周通报会：两周内走访反映的问题及办理情况")
def briefing(request: HttpRequest, query: Query[BriefingQuery]):
    scope = _need(request)
    start, _end = selectors.briefing_window(query.on or selectors.today())
    org = get_org_for(scope, query.org_id) if query.org_id else None
    report = selectors.briefing(scope, start, org=org)
    groups = []
    for g in report.groups:
        rows = []
        for p, info in g.rows:
            row = _problem_out(p, info)
            row.update(
                visit_id=p.visit_id,
                visited_on=p.visited_on,
                area_name=p.visit.area.name,
                visitor_name=p.visit.visitor_name,
            )
            rows.append(row)
        groups.append({"key": g.key, "label": g.label, "problems": rows})
    return {
        "start": report.start,
        "end": report.end,
        "visits": report.visits,
        "total": report.total,
        "truncated": report.truncated,
        "groups": groups,
    }


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
    scope = _need(request, "visits.manage")
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
    scope = _need(request, "visits.manage")
    a = selectors.get_assignment_for(scope, assignment_id, "visits.manage")
    services.assignment_end(scope=scope, actor=request_user(request), assignment=a)
    return _assignment_out(scope, a.pk)


@router.patch(
    "/posts/{int:post_id}",
    response=PostOut,
    summary="修改巡访服务岗：名称、党组织、区域、地点、值守时间、巡访员（完整名单）",
)
def post_update(request: HttpRequest, post_id: int, payload: PostPatchIn):
    scope = _need(request, "visits.manage")
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
    scope = _need(request, "visits.manage")
    p = selectors.get_post_for(scope, post_id, "visits.manage")
    services.patrol_post_end(scope=scope, actor=request_user(request), post=p)
    return _post_out(scope, p.pk)
