"""三访 API: the same selectors and services as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.orgs.selectors import get_org_for, get_unit_for
from tongxin.visits import cases_link, selectors, services
from tongxin.visits.api_duties import need_scope as _need
from tongxin.visits.api_duties import router as duties_router
from tongxin.visits.models import Visit, VisitProblem

router = Router(tags=["三访"])


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


# Editing and ending 三访责任 and 巡访服务岗: tongxin.visits.api_duties.
router.add_router("", duties_router)
