"""/api/v1/members: 组织关系转接 (transfers) and 双报到 (dual-reports). The same services as the
pages; every read through a Scope. (党费 is at /api/v1/dues, the dues app's.)"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from tongxin.core.errors import ServiceError
from tongxin.core.scope import request_scope
from tongxin.members import dual_report, selectors, transfers
from tongxin.members.models import DualReport, Transfer
from tongxin.orgs.selectors import get_org_for

router = Router(tags=["组织关系转接、双报到"])


def _page(qs, page: int) -> dict:
    size = settings.PAGE_SIZE
    start = (page - 1) * size
    return {
        "count": qs.count(),
        "page": page,
        "page_size": size,
        "results": list(qs[start : start + size]),
    }


# --- transfers ---------------------------------------------------------------------------------


class StepOut(Schema):
    position: int
    org_id: int
    org_name: str
    role: str
    decision: str
    decided_at: dt.datetime | None = None
    note: str


class TransferOut(Schema):
    id: int
    member_id: int
    member_name: str
    source_id: int
    source_name: str = Field(..., alias="source.name")
    target_id: int
    target_name: str = Field(..., alias="target.name")
    status: str
    reason: str
    current_step: int
    letter_no: str
    issued_on: dt.date | None = None
    valid_until: dt.date | None = None
    completed_on: dt.date | None = None

    @staticmethod
    def resolve_status(obj: Transfer) -> str:
        return "expired" if transfers.is_lapsed(obj) else obj.status


class TransferDetailOut(TransferOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj: Transfer) -> list[StepOut]:
        return transfers.transfer_steps(obj)  # type: ignore[return-value]


class TransferPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[TransferOut]


class TransferIn(Schema):
    member_id: int
    target_org_id: int
    reason: str = Field("", max_length=200)
    submit: bool = False


class DecisionIn(Schema):
    note: str = Field("", max_length=200)
    # The step the caller saw (optional): a decision on a step already decided is refused.
    position: int | None = None


class TransferQuery(Schema):
    tab: Literal["todo", "outgoing", "incoming", "all"] = "all"
    page: int = Field(1, ge=1, le=1_000_000)


@router.get("/transfers/", response=TransferPage, summary="组织关系转接列表")
def transfer_list(request: HttpRequest, query: Query[TransferQuery]):
    return _page(transfers.transfer_list(request_scope(request), query.tab), query.page)


@router.post("/transfers/", response={201: TransferDetailOut}, summary="发起组织关系转接")
def transfer_create(request: HttpRequest, payload: TransferIn):
    scope = request_scope(request)
    member = selectors.get_member_for(scope, payload.member_id, "members.manage")
    target = transfers.target_get(payload.target_org_id)
    try:
        t = transfers.transfer_create(
            actor=request.user,
            member=member,
            target=target,
            reason=payload.reason,
            submit=payload.submit,
        )
    except ServiceError as e:
        if "target" in e.fields:
            e.fields["target_org_id"] = e.fields.pop("target")
        raise
    return Status(201, transfers.get_transfer_for(scope, t.pk))


# 我的组织关系 (党员申请转接): the member's own transfers; before /transfers/{transfer_id}.


class OwnStepOut(Schema):
    position: int
    org_name: str
    role: str
    decision: str
    decided_at: dt.datetime | None = None
    decided_by: str = Field("", description="审批人显示名")
    note: str
    waiting: bool = Field(..., description="当前等待这一步审批")


class OwnTransferOut(Schema):
    id: int
    source_name: str = Field(..., alias="source.name")
    target_name: str = Field(..., alias="target.name")
    status: str
    origin: str
    reason_kind: str
    reason: str
    moved_on: dt.date | None = None
    current_step: int
    letter_no: str
    issued_on: dt.date | None = None
    valid_until: dt.date | None = None
    closing_note: str
    can_withdraw: bool
    steps: list[OwnStepOut]

    @staticmethod
    def resolve_status(obj: Transfer) -> str:
        return "expired" if transfers.is_lapsed(obj) else obj.status

    @staticmethod
    def resolve_can_withdraw(obj: Transfer) -> bool:
        return transfers.may_withdraw_own(obj)

    @staticmethod
    def resolve_steps(obj: Transfer) -> list[OwnStepOut]:
        return transfers.own_progress(obj)  # type: ignore[return-value]


class MyTransfersOut(Schema):
    member_id: int
    org_id: int
    org_name: str
    open: OwnTransferOut | None = None
    transfers: list[OwnTransferOut] = Field(..., description="最近20条，最新的在前")


class OwnTransferIn(Schema):
    target_org_id: int
    reason_kind: str = Field(
        ..., max_length=16, description="job, relocation, study, graduation, retirement, other"
    )
    reason: str = Field("", max_length=200)
    moved_on: dt.date | None = None


class TargetOut(Schema):
    id: int
    name: str
    parent_name: str


class TargetQuery(Schema):
    q: str = Field(..., min_length=1, max_length=50)


def _own_member_or_404(request: HttpRequest):
    member = selectors.own_member(request.user)
    if member is None:
        raise Http404(gettext("您的账号尚未关联党员信息。"))
    return member


@router.get(
    "/transfers/mine",
    response=MyTransfersOut,
    summary="我的组织关系（本人：现所在组织、转接及审批进度）",
)
def my_transfers(request: HttpRequest):
    member = _own_member_or_404(request)
    mine = transfers.own_transfers_with_steps(request.user)
    return {
        "member_id": member.pk,
        "org_id": member.org_id,
        "org_name": member.org.name,
        "open": next((t for t in mine if t.is_open), None),
        "transfers": mine,
    }


@router.get(
    "/transfers/mine/targets",
    response=list[TargetOut],
    summary="按名称查找可转入的党支部（本人申请用；只有名称和上级名称）",
)
def my_transfer_targets(request: HttpRequest, query: Query[TargetQuery]):
    member = _own_member_or_404(request)
    return transfers.target_search(query.q, source=member.org)


@router.post(
    "/transfers/mine",
    response={201: OwnTransferOut},
    summary="本人申请转接组织关系（提交后由所在党支部审批；同一时间只能有一条）",
)
def my_transfer_request(request: HttpRequest, payload: OwnTransferIn):
    # As on the page: only among the targets her search offers (nothing else is told apart).
    member = selectors.own_member(request.user)
    target = transfers.target_get(payload.target_org_id, source=member.org) if member else None
    try:
        t = transfers.transfer_request_own(
            actor=request.user,
            target=target,
            reason_kind=payload.reason_kind,
            reason=payload.reason,
            moved_on=payload.moved_on,
        )
    except ServiceError as e:
        e.fields = {"target_org_id" if k == "target" else k: v for k, v in e.fields.items()}
        raise
    return Status(201, transfers.get_own_transfer(request.user, t.pk))


@router.post(
    "/transfers/mine/{transfer_id}/withdraw",
    response=OwnTransferOut,
    summary="本人撤回转接申请（所在党支部审批前）",
)
def my_transfer_withdraw(request: HttpRequest, transfer_id: int, payload: DecisionIn):
    t = transfers.get_own_transfer(request.user, transfer_id)
    transfers.transfer_withdraw_own(actor=request.user, transfer=t, note=payload.note)
    return transfers.get_own_transfer(request.user, t.pk)


@router.get("/transfers/{transfer_id}", response=TransferDetailOut, summary="转接详情与审批链")
def transfer_detail(request: HttpRequest, transfer_id: int):
    return transfers.get_transfer_for(request_scope(request), transfer_id)


@router.post(
    "/transfers/{transfer_id}/{action}",
    response=TransferDetailOut,
    summary="提交、审批（当前一步）、退回、撤回、办结",
)
def transfer_act(
    request: HttpRequest,
    transfer_id: int,
    action: Literal["submit", "approve", "reject", "withdraw", "complete"],
    payload: DecisionIn,
):
    scope = request_scope(request)
    t = transfers.get_transfer_for(scope, transfer_id)
    kw: dict[str, Any] = {"actor": request.user, "scope": scope, "transfer": t}
    if action == "submit":
        transfers.transfer_submit(**kw)
    elif action == "approve":
        transfers.transfer_approve(**kw, position=payload.position, note=payload.note)
    elif action == "reject":
        transfers.transfer_reject(**kw, position=payload.position, note=payload.note)
    elif action == "withdraw":
        transfers.transfer_withdraw(**kw, note=payload.note)
    else:
        transfers.transfer_complete(**kw)
    return transfers.get_transfer_for(scope, t.pk)


# --- 双报到 ------------------------------------------------------------------------------------


class DualReportOut(Schema):
    id: int
    member_id: int
    member_name: str = Field(..., alias="member.name")
    org_name: str = Field(..., alias="member.org.name")
    community_id: int
    community_name: str = Field(..., alias="community.name")
    status: str
    reported_on: dt.date
    accepted_on: dt.date | None = None
    service_post: str
    note: str
    total_minutes: int


class DualReportPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[DualReportOut]


class DualReportIn(Schema):
    member_id: int
    community_id: int
    reported_on: dt.date | None = None
    note: str = Field("", max_length=200)


class AcceptIn(Schema):
    service_post: str = Field(..., max_length=100)


class NoteIn(Schema):
    note: str = Field("", max_length=200)


class HoursIn(Schema):
    served_on: dt.date
    minutes: int
    note: str = Field("", max_length=200)


class MemberHoursOut(Schema):
    id: int
    served_on: dt.date
    minutes: int
    note: str
    source: str


class DualQuery(Schema):
    tab: Literal["members", "community"] = "members"
    org_id: int | None = None
    page: int = Field(1, ge=1, le=1_000_000)


@router.get("/dual-reports/", response=DualReportPage, summary="双报到列表（含服务时长）")
def dual_list(request: HttpRequest, query: Query[DualQuery]):
    scope = request_scope(request)
    org = get_org_for(scope, query.org_id) if query.org_id else None
    return _page(dual_report.dual_report_list(scope, query.tab, org), query.page)


@router.post("/dual-reports/", response={201: DualReportOut}, summary="登记双报到")
def dual_create(request: HttpRequest, payload: DualReportIn):
    scope = request_scope(request)
    member = selectors.get_member_for(scope, payload.member_id, "members.manage")
    community = dual_report.community_choices().filter(pk=payload.community_id).first()
    r = dual_report.dual_report_create(
        actor=request.user,
        member=member,
        community=community,
        reported_on=payload.reported_on,
        note=payload.note,
    )
    return Status(201, dual_report.get_dual_report_for(scope, r.pk))


class OwnReportIn(Schema):
    community_id: int
    note: str = Field("", max_length=200)


class OwnPageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000)


@router.get("/dual-reports/mine", response=DualReportPage, summary="我的双报到（本人，含服务时长）")
def dual_mine(request: HttpRequest, query: Query[OwnPageQuery]):
    qs = dual_report.own_dual_reports(request.user).select_related("member__org")
    return _page(qs, query.page)


@router.post(
    "/dual-reports/mine",
    response={201: DualReportOut},
    summary="本人向居住地社区报到（一名党员同时只能有一条未结束的报到）",
)
def dual_file_own(request: HttpRequest, payload: OwnReportIn):
    community = dual_report.community_choices().filter(pk=payload.community_id).first()
    try:
        r = dual_report.dual_report_file_own(
            actor=request.user, community=community, note=payload.note
        )
    except ServiceError as e:
        e.fields = {"community_id" if k == "community" else k: v for k, v in e.fields.items()}
        raise
    return Status(201, dual_report.get_own_dual_report(request.user, r.pk))


@router.get("/dual-reports/{report_id}", response=DualReportOut, summary="双报到详情")
def dual_detail(request: HttpRequest, report_id: int):
    return dual_report.get_dual_report_for(request_scope(request), report_id)


def _dual_for(request: HttpRequest, report_id: int) -> DualReport:
    return dual_report.get_dual_report_for(request_scope(request), report_id)


@router.post(
    "/dual-reports/{report_id}/accept", response=DualReportOut, summary="社区接收并安排岗位"
)
def dual_accept(request: HttpRequest, report_id: int, payload: AcceptIn):
    scope = request_scope(request)
    r = _dual_for(request, report_id)
    dual_report.dual_report_accept(
        actor=request.user, scope=scope, report=r, service_post=payload.service_post
    )
    return dual_report.get_dual_report_for(scope, r.pk)


@router.post("/dual-reports/{report_id}/decline", response=DualReportOut, summary="社区不接收")
def dual_decline(request: HttpRequest, report_id: int, payload: NoteIn):
    scope = request_scope(request)
    r = _dual_for(request, report_id)
    dual_report.dual_report_decline(actor=request.user, scope=scope, report=r, note=payload.note)
    return dual_report.get_dual_report_for(scope, r.pk)


@router.post("/dual-reports/{report_id}/end", response=DualReportOut, summary="结束双报到")
def dual_end(request: HttpRequest, report_id: int, payload: NoteIn):
    scope = request_scope(request)
    r = _dual_for(request, report_id)
    dual_report.dual_report_end(actor=request.user, scope=scope, report=r, note=payload.note)
    return dual_report.get_dual_report_for(scope, r.pk)


@router.post(
    "/dual-reports/{report_id}/hours",
    response={201: MemberHoursOut},
    summary="登记服务时长（分钟）",
)
def dual_hours(request: HttpRequest, report_id: int, payload: HoursIn):
    r = dual_report.get_dual_report_for(request_scope(request), report_id, "community")
    h = dual_report.dual_report_hours_log(
        actor=request.user,
        dual_report=r,
        served_on=payload.served_on,
        minutes=payload.minutes,
        note=payload.note,
    )
    return Status(201, h)
