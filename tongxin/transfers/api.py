"""/api/v1/transfers: 组织关系转接, the same services and selectors as the pages; every read
through a Scope. (Before transfers became their own app these paths were under
/api/v1/members/transfers; those answer a permanent redirect here, see legacy_urls.)"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import request_scope
from tongxin.members import selectors as member_selectors
from tongxin.members.models import Member
from tongxin.transfers import selectors, services
from tongxin.transfers.models import Transfer

router = Router(tags=["组织关系转接"])


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
        return "expired" if selectors.is_lapsed(obj) else obj.status


class TransferDetailOut(TransferOut):
    steps: list[StepOut]

    @staticmethod
    def resolve_steps(obj: Transfer) -> list[StepOut]:
        return selectors.transfer_steps(obj)  # type: ignore[return-value]


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


class TransferQuery(PageQuery):
    tab: Literal["todo", "outgoing", "incoming", "all"] = "all"


@router.get("/", response=TransferPage, summary="组织关系转接列表")
def transfer_list(request: HttpRequest, query: Query[TransferQuery]):
    return api_page(selectors.transfer_list(request_scope(request), query.tab), query.page)


@router.post("/", response={201: TransferDetailOut}, summary="发起组织关系转接")
def transfer_create(request: HttpRequest, payload: TransferIn):
    scope = request_scope(request)
    member = member_selectors.get_member_for(scope, payload.member_id, "members.manage")
    target = selectors.target_get(payload.target_org_id)
    try:
        t = services.transfer_create(
            actor=request_user(request),
            scope=scope,
            member=member,
            target=target,
            reason=payload.reason,
            submit=payload.submit,
        )
    except ServiceError as e:
        if "target" in e.fields:
            e.fields["target_org_id"] = e.fields.pop("target")
        raise
    return Status(201, selectors.get_transfer_for(scope, t.pk))


# 我的组织关系 (党员申请转接): the member's own transfers; before /{transfer_id}.


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
        return "expired" if selectors.is_lapsed(obj) else obj.status

    @staticmethod
    def resolve_can_withdraw(obj: Transfer) -> bool:
        return selectors.may_withdraw_own(obj)

    @staticmethod
    def resolve_steps(obj: Transfer) -> list[OwnStepOut]:
        return selectors.own_progress(obj)  # type: ignore[return-value]


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


def _own_member_or_404(request: HttpRequest) -> Member:
    member = member_selectors.own_member(request.user)
    if member is None:
        raise Http404(gettext("您的账号尚未关联党员信息。"))
    return member


@router.get(
    "/mine",
    response=MyTransfersOut,
    summary="我的组织关系（本人：现所在组织、转接及审批进度）",
)
def my_transfers(request: HttpRequest):
    member = _own_member_or_404(request)
    mine = selectors.own_transfers_with_steps(request.user)
    return {
        "member_id": member.pk,
        "org_id": member.org_id,
        "org_name": member.org.name,
        "open": next((t for t in mine if t.is_open), None),
        "transfers": mine,
    }


@router.get(
    "/mine/targets",
    response=list[TargetOut],
    summary="按名称查找可转入的党支部（本人申请用；只有名称和上级名称）",
)
def my_transfer_targets(request: HttpRequest, query: Query[TargetQuery]):
    member = _own_member_or_404(request)
    return selectors.target_search(query.q, source=member.org)


@router.post(
    "/mine",
    response={201: OwnTransferOut},
    summary="本人申请转接组织关系（提交后由所在党支部审批；同一时间只能有一条）",
)
def my_transfer_request(request: HttpRequest, payload: OwnTransferIn):
    # As on the page: only among the targets her search offers (nothing else is told apart).
    member = member_selectors.own_member(request.user)
    target = selectors.target_get(payload.target_org_id, source=member.org) if member else None
    try:
        t = services.transfer_request_own(
            actor=request_user(request),
            target=target,
            reason_kind=payload.reason_kind,
            reason=payload.reason,
            moved_on=payload.moved_on,
        )
    except ServiceError as e:
        e.fields = {"target_org_id" if k == "target" else k: v for k, v in e.fields.items()}
        raise
    return Status(201, selectors.get_own_transfer(request.user, t.pk))


@router.post(
    "/mine/{transfer_id}/withdraw",
    response=OwnTransferOut,
    summary="本人撤回转接申请（所在党支部审批前）",
)
def my_transfer_withdraw(request: HttpRequest, transfer_id: int, payload: DecisionIn):
    t = selectors.get_own_transfer(request.user, transfer_id)
    services.transfer_withdraw_own(actor=request_user(request), transfer=t, note=payload.note)
    return selectors.get_own_transfer(request.user, t.pk)


@router.get("/{transfer_id}", response=TransferDetailOut, summary="转接详情与审批链")
def transfer_detail(request: HttpRequest, transfer_id: int):
    return selectors.get_transfer_for(request_scope(request), transfer_id)


@router.post(
    "/{transfer_id}/{action}",
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
    t = selectors.get_transfer_for(scope, transfer_id)
    kw: dict[str, Any] = {"actor": request_user(request), "scope": scope, "transfer": t}
    if action == "submit":
        services.transfer_submit(**kw)
    elif action == "approve":
        services.transfer_approve(**kw, position=payload.position, note=payload.note)
    elif action == "reject":
        services.transfer_reject(**kw, position=payload.position, note=payload.note)
    elif action == "withdraw":
        services.transfer_withdraw(**kw, note=payload.note)
    else:
        services.transfer_complete(**kw)
    return selectors.get_transfer_for(scope, t.pk)
