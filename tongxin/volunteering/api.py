"""/api/v1/volunteering: teams, activities, sign-up, check-in/out, hours and rankings."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import Scope, request_scope
from tongxin.orgs.selectors import get_org_for
from tongxin.volunteering import selectors, services

router = Router(tags=["志愿服务"])
PERM = selectors.PERM


def _manager(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not scope.has(PERM):
        raise Http404
    return scope


class TeamOut(Schema):
    id: int
    name: str
    org_id: int
    area_id: int | None = None
    is_party_member_team: bool
    description: str


class TeamPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[TeamOut]


class TeamIn(Schema):
    name: str = Field(..., max_length=200)
    org_id: int
    area_id: int | None = None  # the community served, inside the organization's area
    is_party_member_team: bool = True
    description: str = Field("", max_length=300)


@router.get("/teams/", response=TeamPage, summary="志愿服务队（管理范围内）")
def team_list(request: HttpRequest, query: Query[PageQuery]):
    return api_page(selectors.team_list(_manager(request)), query.page)


@router.post("/teams/", response={201: TeamOut}, summary="建立志愿服务队")
def team_create(request: HttpRequest, payload: TeamIn):
    scope = _manager(request)
    org = selectors.team_org_choices(scope).filter(pk=payload.org_id).first()
    if org is None:
        raise Http404
    area = None
    if payload.area_id is not None:
        # Only communities the user may serve; one out of reach reads like an unknown one.
        area = selectors.community_choices(scope).filter(pk=payload.area_id).first()
        if area is None:
            raise ServiceError(
                gettext("请选择一个社区（村）作为服务社区。"),
                fields={"area_id": gettext("请选择社区（村）。")},
            )
    team = services.team_create(
        scope=request_scope(request),
        actor=request_user(request),
        name=payload.name,
        org=org,
        area=area,
        is_party_member_team=payload.is_party_member_team,
        description=payload.description,
    )
    return Status(201, team)


class ActivityOut(Schema):
    """The public view: no check-in code."""

    id: int
    team_id: int
    title: str
    description: str
    place: str
    start: dt.datetime
    end: dt.datetime
    slots: int
    waitlist: bool
    open_to_residents: bool
    status: str


class ActivityManagedOut(ActivityOut):
    checkin_code: str


class ActivityPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ActivityOut]


class ActivityIn(Schema):
    team_id: int
    title: str = Field(..., max_length=200)
    place: str = Field(..., max_length=200)
    start: dt.datetime
    end: dt.datetime
    slots: int
    description: str = Field("", max_length=4000)
    waitlist: bool = True
    open_to_residents: bool = True


@router.get("/activities/", response=ActivityPage, summary="报名中的志愿服务活动")
def activity_list(request: HttpRequest, query: Query[PageQuery]):
    return api_page(selectors.activity_public_list(), query.page)


@router.post("/activities/", response={201: ActivityManagedOut}, summary="发布志愿服务活动")
def activity_create(request: HttpRequest, payload: ActivityIn):
    scope = _manager(request)
    team = selectors.get_team_for(scope, payload.team_id)
    data = payload.dict()
    data.pop("team_id")
    return Status(
        201,
        services.activity_create(
            scope=request_scope(request), actor=request_user(request), team=team, **data
        ),
    )


@router.get("/activities/{activity_id}", response=ActivityOut, summary="活动详情")
def activity_detail(request: HttpRequest, activity_id: int):
    return selectors.get_activity(activity_id)


class SignUpOut(Schema):
    id: int
    activity_id: int
    name: str
    status: str
    checked_in_at: dt.datetime | None = None
    checked_out_at: dt.datetime | None = None


@router.post(
    "/activities/{activity_id}/signup", response={201: SignUpOut}, summary="报名（满员进入候补）"
)
def signup(request: HttpRequest, activity_id: int):
    a = selectors.get_activity(activity_id)
    return Status(
        201,
        services.signup_create(
            scope=request_scope(request), actor=request_user(request), activity=a
        ),
    )


@router.get(
    "/activities/{activity_id}/roster", response=list[SignUpOut], summary="报名名单（管理）"
)
def roster(request: HttpRequest, activity_id: int):
    a = selectors.get_activity_for(request_scope(request), activity_id)
    return list(selectors.roster(a)[:500])


class CodeIn(Schema):
    code: str = Field(..., max_length=400)


@router.post(
    "/activities/{activity_id}/check-in", response=SignUpOut, summary="本人输入现场签到码签到"
)
def check_in(request: HttpRequest, activity_id: int, payload: CodeIn):
    a = selectors.get_activity(activity_id)
    return services.check_in_by_code(
        scope=request_scope(request), actor=request_user(request), activity=a, code=payload.code
    )


@router.post(
    "/activities/{activity_id}/card-check-in",
    response=SignUpOut,
    summary="组织者扫描党员卡二维码或输入党员卡签到码签到",
)
def card_check_in(request: HttpRequest, activity_id: int, payload: CodeIn):
    a = selectors.get_activity_for(request_scope(request), activity_id)
    return services.check_in_by_card(
        scope=request_scope(request), actor=request_user(request), activity=a, text=payload.code
    )


class HoursOut(Schema):
    id: int
    activity_id: int | None = None
    team_id: int
    name: str
    member_id: int | None = None
    on: dt.date
    minutes: int
    reverses_id: int | None = None
    note: str


@router.get("/signups/mine", response=list[SignUpOut], summary="我的报名")
def my_signups(request: HttpRequest):
    return list(selectors.my_signups(request_user(request))[:100])


@router.post(
    "/signups/{signup_id}/cancel",
    response=SignUpOut,
    summary="取消我的报名（空出的名额由候补递补）",
)
def signup_cancel(request: HttpRequest, signup_id: int):
    s = selectors.get_my_signup(request_user(request), signup_id)
    services.signup_cancel(scope=request_scope(request), actor=request_user(request), signup=s)
    return s


@router.post(
    "/signups/{signup_id}/check-out",
    response=HoursOut,
    summary="签退（本人或组织者），时长计入台账",
)
def check_out(request: HttpRequest, signup_id: int):
    try:
        s = selectors.get_my_signup(request_user(request), signup_id)
    except Http404:
        s = selectors.get_signup_for(request_scope(request), signup_id)
    return services.check_out(scope=request_scope(request), actor=request_user(request), signup=s)


class MinutesIn(Schema):
    minutes: int
    note: str = Field("", max_length=200)


@router.post("/signups/{signup_id}/hours", response={201: HoursOut}, summary="组织者补记服务时长")
def hours_record(request: HttpRequest, signup_id: int, payload: MinutesIn):
    s = selectors.get_signup_for(request_scope(request), signup_id)
    entry = services.hours_record(
        scope=request_scope(request),
        actor=request_user(request),
        signup=s,
        minutes=payload.minutes,
        note=payload.note,
    )
    return Status(201, entry)


class HoursPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[HoursOut]


class HoursQuery(PageQuery):
    org_id: int | None = None


@router.get("/hours/", response=HoursPage, summary="时长台账（只增不改）")
def hours_ledger(request: HttpRequest, query: Query[HoursQuery]):
    scope = _manager(request)
    org = get_org_for(scope, query.org_id) if query.org_id else None
    return api_page(selectors.hours_ledger(scope, org), query.page)


@router.get("/hours/mine", response=list[HoursOut], summary="我的服务时长")
def my_hours(request: HttpRequest):
    return list(selectors.my_hours(request_user(request))[:200])


@router.post(
    "/hours/{entry_id}/correct", response={201: list[HoursOut]}, summary="更正时长（记冲正记录）"
)
def hours_correct(request: HttpRequest, entry_id: int, payload: MinutesIn):
    scope = _manager(request)
    entry = selectors.get_hours_for(scope, entry_id)
    reversal, fresh = services.hours_correct(
        scope=request_scope(request),
        actor=request_user(request),
        entry=entry,
        minutes=payload.minutes,
        note=payload.note,
    )
    return Status(201, [reversal] + ([fresh] if fresh else []))


class RankRow(Schema):
    name: str
    minutes: int


class RankOut(Schema):
    members: list[RankRow]
    teams: list[RankRow]


@router.get("/ranking", response=RankOut, summary="排行：志愿者和服务队按时长（本级及下级）")
def ranking(request: HttpRequest, org_id: int | None = None, since: dt.date | None = None):
    scope = _manager(request)
    org = get_org_for(scope, org_id) if org_id else None
    return {
        "members": [
            {"name": r["name"], "minutes": r["minutes"]}
            for r in selectors.ranking_members(scope, org, since)
        ],
        "teams": [
            {"name": r["team__name"], "minutes": r["minutes"]}
            for r in selectors.ranking_teams(scope, org, since)
        ],
    }
