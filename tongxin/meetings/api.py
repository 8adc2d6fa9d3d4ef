"""/api/v1/meetings: the same services and selectors as the pages."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status
from ninja.decorators import decorate_view

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.inputs import LocalTime
from tongxin.core.pagination import PageQuery
from tongxin.core.replica import reads_from_replica
from tongxin.core.scope import request_scope
from tongxin.meetings import selectors, services
from tongxin.meetings.models import Meeting
from tongxin.orgs.selectors import get_org_for

router = Router(tags=["组织生活"])

Kind = Literal["general", "committee", "group", "lecture", "theme_day", "life", "appraisal"]


class MeetingOut(Schema):
    id: int
    org_id: int
    org_name: str = Field(..., alias="org.name")
    kind: str
    title: str
    status: str
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime
    location: str
    presenter: str
    expected_count: int
    present_count: int
    review_status: str


class MeetingDetailOut(MeetingOut):
    recorder: str
    content: str
    decisions: str


class MeetingPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MeetingOut]


class MeetingListQuery(PageQuery):
    org_id: int | None = None
    kind: str = ""
    status: str = ""
    start: dt.date | None = None
    end: dt.date | None = None


class PlanIn(Schema):
    org_id: int
    kind: Kind
    title: str = Field(..., max_length=200)
    date: dt.date
    start_time: LocalTime
    end_time: LocalTime
    location: str = Field("", max_length=200)
    presenter: str = Field("", max_length=50)
    recorder: str = Field("", max_length=50)


class AttendanceIn(Schema):
    member_id: int
    state: Literal["present", "absent", "excused"]
    reason: str = Field("", max_length=200)


class RecordIn(Schema):
    title: str = Field(..., max_length=200)
    presenter: str = Field(..., max_length=50)
    recorder: str = Field(..., max_length=50)
    content: str
    decisions: str = ""
    attendance: list[AttendanceIn] = []


class CheckInIn(Schema):
    code: str = Field(..., max_length=400)


class CheckInOut(Schema):
    member_id: int
    member_name: str
    method: str
    present_count: int


class KindStateOut(Schema):
    kind: str
    state: str
    current: int
    previous: int
    required: int


class BranchComplianceOut(Schema):
    id: int
    name: str
    state: str
    kinds: list[KindStateOut]


class CompliancePage(Schema):
    count: int
    page: int
    page_size: int
    counts: dict[str, int]
    results: list[BranchComplianceOut]


class ComplianceQuery(PageQuery):
    org_id: int | None = None
    state: Literal["", "met", "behind", "overdue"] = ""


def _need(request: HttpRequest, perm: str) -> None:
    from django.http import Http404

    if not request_scope(request).has(perm):
        raise Http404


@router.get("/", response=MeetingPage, summary="会议列表（分页、按组织/类型/状态/日期筛选）")
@decorate_view(reads_from_replica())
def meeting_list(request: HttpRequest, query: Query[MeetingListQuery]):
    scope = request_scope(request)
    _need(request, "meetings.view")
    org = get_org_for(scope, query.org_id) if query.org_id else None
    qs = selectors.meeting_list(
        scope,
        selectors.MeetingFilters(
            org=org, kind=query.kind, status=query.status, start=query.start, end=query.end
        ),
    )
    size = settings.PAGE_SIZE
    start = (query.page - 1) * size
    return {
        "count": qs.count(),
        "page": query.page,
        "page_size": size,
        "results": list(qs[start : start + size]),
    }


@router.post("/", response={201: MeetingDetailOut}, summary="安排会议")
def meeting_create(request: HttpRequest, payload: PlanIn):
    scope = request_scope(request)
    data = payload.dict()
    org = get_org_for(scope, data.pop("org_id"), "meetings.manage")
    try:
        meeting = services.meeting_plan(
            scope=request_scope(request),
            actor=request_user(request),
            data=services.PlanInput(org=org, **data),
        )
    except ServiceError as e:
        if "org" in e.fields:
            e.fields["org_id"] = e.fields.pop("org")
        raise
    return Status(201, selectors.get_meeting_for(scope, meeting.pk))


@router.get("/compliance", response=CompliancePage, summary="各党支部组织生活达标情况（预警）")
@decorate_view(reads_from_replica())
def compliance(request: HttpRequest, query: Query[ComplianceQuery]):
    scope = request_scope(request)
    _need(request, "meetings.view")
    org = get_org_for(scope, query.org_id) if query.org_id else None
    rows = selectors.compliance(scope, org=org)
    counts = dict.fromkeys(selectors.STATE_LABELS, 0)
    for r in rows:
        counts[r.state] += 1
    if query.state:
        rows = [r for r in rows if r.state == query.state]
    size = settings.PAGE_SIZE
    start = (query.page - 1) * size
    return {
        "count": len(rows),
        "page": query.page,
        "page_size": size,
        "counts": counts,
        "results": rows[start : start + size],
    }


@router.get("/{meeting_id}", response=MeetingDetailOut, summary="会议详情")
def meeting_detail(request: HttpRequest, meeting_id: int):
    return _with_counts(selectors.get_meeting_for(request_scope(request), meeting_id))


def _with_counts(meeting: Meeting) -> Meeting:
    """The counts of the roster on the meeting's date, as the pages show them (the stored
    copy serves the aggregates and may lag an import)."""
    counts = selectors.roll_counts(selectors.roll(meeting))
    meeting.expected_count, meeting.present_count = counts.expected, counts.present
    return meeting


@router.post("/{meeting_id}/record", response=MeetingDetailOut, summary="记录会议（记为已召开）")
def meeting_record(request: HttpRequest, meeting_id: int, payload: RecordIn):
    scope = request_scope(request)
    meeting = selectors.get_meeting_for(scope, meeting_id, "meetings.manage")
    data = payload.dict()
    attendance = {a["member_id"]: (a["state"], a["reason"]) for a in data.pop("attendance")}
    services.meeting_record(
        scope=request_scope(request),
        actor=request_user(request),
        meeting=meeting,
        data=services.RecordInput(attendance=attendance, **data),
    )
    return _with_counts(selectors.get_meeting_for(scope, meeting_id))


@router.post(
    "/{meeting_id}/checkin", response=CheckInOut, summary="签到（党员卡二维码内容或6位签到码）"
)
def meeting_check_in(request: HttpRequest, meeting_id: int, payload: CheckInIn):
    scope = request_scope(request)
    meeting = selectors.get_meeting_for(scope, meeting_id, "meetings.manage")
    if not payload.code.strip():
        raise ServiceError(
            gettext("请扫描党员卡二维码或输入签到码。"), fields={"code": gettext("请填写。")}
        )
    att = services.meeting_check_in(
        scope=request_scope(request),
        actor=request_user(request),
        meeting=meeting,
        text=payload.code,
    )
    meeting.refresh_from_db(fields=["present_count"])
    return {
        "member_id": att.member_id,
        "member_name": att.member.name,
        "method": att.method,
        "present_count": meeting.present_count,
    }
