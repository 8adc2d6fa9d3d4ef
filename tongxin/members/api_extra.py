"""/api/v1/members: 组织关系转接 (transfers) and 党费 (dues) (双报到: tongxin.dual_reports.api).
The same services as the pages; every read through a Scope; money in fen."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from tongxin.core.errors import ServiceError
from tongxin.core.scope import request_scope
from tongxin.members import dues, dues_import, selectors, transfers
from tongxin.members.models import Transfer
from tongxin.orgs.selectors import get_org_for

router = Router(tags=["组织关系转接、双报到、党费"])


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


# --- 党费 --------------------------------------------------------------------------------------


class DuesRowOut(Schema):
    member_id: int
    name: str
    org_name: str
    category: str | None = None
    base_fen: int | None = None
    due_fen: int
    paid_fen: int
    owed_fen: int


class StatementOut(Schema):
    org_id: int
    month: str
    due_fen: int
    paid_fen: int
    owed_fen: int
    unpaid_count: int
    no_base_count: int
    rows: list[DuesRowOut]


class StatementQuery(Schema):
    org_id: int
    month: str = Field("", max_length=7, description="YYYY-MM，默认本月")


def _month(text: str, field_name: str) -> dt.date:
    if not text:
        return dues.this_month()
    month = dues.parse_month(text)
    if month is None:
        msg = gettext("月份格式应为YYYY-MM，例如 2026-11。")
        raise ServiceError(msg, fields={field_name: msg})
    return month


@router.get("/dues/statement", response=StatementOut, summary="党费收缴月报（应缴、已缴、未缴）")
def dues_statement(request: HttpRequest, query: Query[StatementQuery]):
    scope = request_scope(request)
    org = get_org_for(scope, query.org_id, "members.view")
    st = dues.dues_statement(scope, org, _month(query.month, "month"))
    return {
        "org_id": org.pk,
        "month": f"{st.month:%Y-%m}",
        "due_fen": st.due_fen,
        "paid_fen": st.paid_fen,
        "owed_fen": st.owed_fen,
        "unpaid_count": st.unpaid_count,
        "no_base_count": st.no_base_count,
        "rows": [{**r.__dict__, "owed_fen": r.owed_fen} for r in st.rows],
    }


class ArrearsOut(Schema):
    member_id: int
    name: str
    org_name: str
    owed_fen: int
    months: list[str]


class ArrearsQuery(Schema):
    org_id: int
    until: str = Field("", max_length=7, description="YYYY-MM，默认本月；统计此前12个月")


@router.get("/dues/arrears", response=list[ArrearsOut], summary="党费欠缴名单（近12个月）")
def dues_arrears(request: HttpRequest, query: Query[ArrearsQuery]):
    scope = request_scope(request)
    org = get_org_for(scope, query.org_id, "members.view")
    rows = dues.dues_arrears(scope, org, _month(query.until, "until"))
    return [
        {
            "member_id": r.member_id,
            "name": r.name,
            "org_name": r.org_name,
            "owed_fen": r.owed_fen,
            "months": [f"{m:%Y-%m}" for m, _o in r.months],
        }
        for r in rows
    ]


class PaymentIn(Schema):
    member_id: int
    month: str = Field(..., max_length=7, description="YYYY-MM")
    amount_fen: int
    paid_on: dt.date
    note: str = Field("", max_length=200)


class ReversalOut(Schema):
    reason: str
    reversed_at: dt.datetime = Field(..., alias="created_at")
    reversed_by: str | None = None

    @staticmethod
    def resolve_reversed_by(obj) -> str | None:
        return str(obj.reversed_by) if obj.reversed_by_id else None


class PaymentOut(Schema):
    id: int
    member_id: int
    month: dt.date
    amount_fen: int
    paid_on: dt.date
    note: str
    # A reversed payment (冲正) stays listed but no longer counts as paid.
    reversed: bool = False
    reversal: ReversalOut | None = None

    @staticmethod
    def resolve_reversed(obj) -> bool:
        return getattr(obj, "reversal", None) is not None

    @staticmethod
    def resolve_reversal(obj):
        return getattr(obj, "reversal", None)


@router.post("/dues/payments", response={201: PaymentOut}, summary="登记党费缴纳（分）")
def dues_pay(request: HttpRequest, payload: PaymentIn):
    member = selectors.get_member_for(request_scope(request), payload.member_id, "members.manage")
    try:
        p = dues.dues_payment_record(
            actor=request.user,
            member=member,
            month=_month(payload.month, "month"),
            amount_fen=payload.amount_fen,
            paid_on=payload.paid_on,
            note=payload.note,
        )
    except ServiceError as e:
        if "amount" in e.fields:
            e.fields["amount_fen"] = e.fields.pop("amount")
        raise
    return Status(201, p)


class BaseIn(Schema):
    member_id: int
    effective_from: str = Field(..., max_length=7, description="YYYY-MM")
    category: Literal["employed", "retired", "student", "unemployed", "subsistence"]
    base_fen: int | None = None


class BaseOut(Schema):
    id: int
    member_id: int
    effective_from: dt.date
    category: str
    base_fen: int
    monthly_due_fen: int

    @staticmethod
    def resolve_monthly_due_fen(obj) -> int:
        return dues.dues_amount_fen(obj.category, obj.base_fen)


@router.post("/dues/bases", response={201: BaseOut}, summary="登记党费基数（分）")
def dues_base(request: HttpRequest, payload: BaseIn):
    member = selectors.get_member_for(request_scope(request), payload.member_id, "members.manage")
    try:
        b = dues.dues_base_set(
            actor=request.user,
            member=member,
            effective_from=_month(payload.effective_from, "effective_from"),
            category=payload.category,
            base_fen=payload.base_fen,
        )
    except ServiceError as e:
        if "base" in e.fields:
            e.fields["base_fen"] = e.fields.pop("base")
        raise
    return Status(201, b)


class MonthOut(Schema):
    month: dt.date
    due_fen: int | None = None
    paid_fen: int
    owed_fen: int


@router.get("/{member_id}/dues", response=list[MonthOut], summary="党员近12个月党费")
def dues_member(request: HttpRequest, member_id: int):
    member = selectors.get_member_for(request_scope(request), member_id)
    return dues.dues_member_history(member, dues.this_month())


class PaymentPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PaymentOut]


class MemberPageQuery(Schema):
    page: int = Field(1, ge=1, le=1_000_000)


@router.get(
    "/{member_id}/dues/payments",
    response=PaymentPage,
    summary="党员的缴纳记录（含已冲正的，注明冲正原因）",
)
def dues_member_payments(request: HttpRequest, member_id: int, query: Query[MemberPageQuery]):
    member = selectors.get_member_for(request_scope(request), member_id)
    return _page(dues.dues_member_payments(member), query.page)


class ReverseIn(Schema):
    reason: str = Field("", max_length=200)


@router.post(
    "/dues/payments/{payment_id}/reverse",
    response=PaymentOut,
    summary="冲正一笔党费缴纳（须写明原因；记录保留，该月重新计为未缴）",
)
def dues_reverse(request: HttpRequest, payment_id: int, payload: ReverseIn):
    scope = request_scope(request)
    payment = dues.get_payment_for(scope, payment_id, "members.manage")
    dues.dues_payment_reverse(actor=request.user, payment=payment, reason=payload.reason)
    return dues.get_payment_for(scope, payment_id, "members.manage")


# --- 党费基数导入 ----------------------------------------------------------------------------------


class ImportRowError(Schema):
    row: int
    name: str
    field: str
    column: str
    message: str


class ImportPlanRow(Schema):
    row: int
    member_id: int
    name: str
    month: str
    category: str
    base_fen: int
    monthly_due_fen: int
    action: Literal["create", "update", "unchanged"]


class ImportCheckOut(Schema):
    file_name: str
    rows: int
    error_rows: int
    errors: list[ImportRowError]
    to_create: int
    to_update: int
    unchanged: int
    plan: list[ImportPlanRow]
    token: str = Field(..., description="检查全部通过时给出；1小时内用它确认导入")


class ImportCommitIn(Schema):
    token: str = Field(..., max_length=2_000_000)


class ImportResultOut(Schema):
    file_name: str
    rows: int
    created: int
    updated: int
    unchanged: int


def _may_import(request: HttpRequest):
    scope = request_scope(request)
    if not scope.has("members.manage"):
        raise Http404(gettext("页面不存在。"))
    return scope


@router.post(
    "/dues/bases/import/check",
    response=ImportCheckOut,
    summary="检查党费基数表（xlsx/xls/ods/csv；不写入，逐行逐列报告错误）",
)
def dues_import_check(request: HttpRequest, file: File[UploadedFile]):
    report = dues_import.dues_import_check(scope=_may_import(request), upload=file)
    return {
        "file_name": report.file_name,
        "rows": report.rows,
        "error_rows": report.error_rows,
        "errors": report.errors,
        "to_create": report.to_create,
        "to_update": report.to_update,
        "unchanged": report.unchanged,
        "token": report.token,
        "plan": [
            {
                "row": p.row,
                "member_id": p.member_id,
                "name": p.name,
                "month": f"{p.month:%Y-%m}",
                "category": p.category,
                "base_fen": p.base_fen,
                "monthly_due_fen": p.monthly_due_fen,
                "action": p.action,
            }
            for p in report.plan
        ],
    }


@router.post(
    "/dues/bases/import/commit",
    response=ImportResultOut,
    summary="确认导入党费基数（用检查给出的 token；全部写入或全部不写）",
)
def dues_import_commit(request: HttpRequest, payload: ImportCommitIn):
    result = dues_import.dues_import_commit(
        actor=request.user, scope=_may_import(request), token=payload.token
    )
    return result.__dict__


# --- 我的党费 --------------------------------------------------------------------------------------


class MyDuesOut(Schema):
    member_id: int
    name: str
    org_name: str
    category: str | None = None
    base_fen: int | None = None
    monthly_due_fen: int | None = None
    owed_fen: int = Field(..., description="近12个月欠缴合计")
    months: list[MonthOut]
    payments: list[PaymentOut] = Field(..., description="最近50笔缴纳（含已冲正的）")


@router.get(
    "/dues/mine", response=MyDuesOut, summary="我的党费（本人：基数、每月应缴、欠缴、缴纳记录）"
)
def my_dues(request: HttpRequest):
    member = selectors.own_member(request.user)
    if member is None:
        raise Http404(gettext("您的账号尚未关联党员信息。"))
    base = dues.current_base(member)
    history = dues.dues_member_history(member, dues.this_month())
    return {
        "member_id": member.pk,
        "name": member.name,
        "org_name": member.org.name,
        "category": base.category if base else None,
        "base_fen": base.base_fen if base else None,
        "monthly_due_fen": dues.dues_amount_fen(base.category, base.base_fen) if base else None,
        "owed_fen": sum(line.owed_fen for line in history),
        "months": history,
        "payments": list(dues.dues_member_payments(member)[:50]),
    }
