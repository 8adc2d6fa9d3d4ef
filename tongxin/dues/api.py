"""/api/v1/dues: 党费. The same services and selectors as the pages; every read through the
caller's scope; money in fen."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import Scope, request_scope
from tongxin.dues import imports, rules, selectors, services
from tongxin.dues.models import DuesBase, DuesPayment, DuesReversal
from tongxin.members.selectors import get_member_for, own_member
from tongxin.orgs.selectors import get_org_for

router = Router(tags=["党费"])


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
        return rules.this_month()
    month = rules.parse_month(text)
    if month is None:
        msg = gettext("月份格式应为YYYY-MM，例如 2026-11。")
        raise ServiceError(msg, fields={field_name: msg})
    return month


@router.get("/statement", response=StatementOut, summary="党费收缴月报（应缴、已缴、未缴）")
def dues_statement(request: HttpRequest, query: Query[StatementQuery]):
    scope = request_scope(request)
    org = get_org_for(scope, query.org_id, "members.view")
    st = selectors.dues_statement(scope, org, _month(query.month, "month"))
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


@router.get("/arrears", response=list[ArrearsOut], summary="党费欠缴名单（近12个月）")
def dues_arrears(request: HttpRequest, query: Query[ArrearsQuery]):
    scope = request_scope(request)
    org = get_org_for(scope, query.org_id, "members.view")
    rows = selectors.dues_arrears(scope, org, _month(query.until, "until"))
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
    def resolve_reversed_by(obj: DuesReversal) -> str | None:
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
    def resolve_reversed(obj: DuesPayment) -> bool:
        return getattr(obj, "reversal", None) is not None

    @staticmethod
    def resolve_reversal(obj: DuesPayment) -> DuesReversal | None:
        return getattr(obj, "reversal", None)


@router.post("/payments", response={201: PaymentOut}, summary="登记党费缴纳（分）")
def dues_pay(request: HttpRequest, payload: PaymentIn):
    scope = request_scope(request)
    member = get_member_for(scope, payload.member_id, "members.manage")
    try:
        p = services.dues_payment_record(
            actor=request_user(request),
            scope=scope,
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
    def resolve_monthly_due_fen(obj: DuesBase) -> int:
        return rules.dues_amount_fen(obj.category, obj.base_fen)


@router.post("/bases", response={201: BaseOut}, summary="登记党费基数（分）")
def dues_base(request: HttpRequest, payload: BaseIn):
    scope = request_scope(request)
    member = get_member_for(scope, payload.member_id, "members.manage")
    try:
        b = services.dues_base_set(
            actor=request_user(request),
            scope=scope,
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


@router.get("/members/{member_id}", response=list[MonthOut], summary="党员近12个月党费")
def dues_member(request: HttpRequest, member_id: int):
    member = get_member_for(request_scope(request), member_id)
    return selectors.dues_member_history(member, rules.this_month())


class PaymentPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[PaymentOut]


@router.get(
    "/members/{member_id}/payments",
    response=PaymentPage,
    summary="党员的缴纳记录（含已冲正的，注明冲正原因）",
)
def dues_member_payments(request: HttpRequest, member_id: int, query: Query[PageQuery]):
    member = get_member_for(request_scope(request), member_id)
    return api_page(selectors.dues_member_payments(member), query.page)


class ReverseIn(Schema):
    reason: str = Field("", max_length=200)


@router.post(
    "/payments/{payment_id}/reverse",
    response=PaymentOut,
    summary="冲正一笔党费缴纳（须写明原因；记录保留，该月重新计为未缴）",
)
def dues_reverse(request: HttpRequest, payment_id: int, payload: ReverseIn):
    scope = request_scope(request)
    payment = selectors.get_payment_for(scope, payment_id, "members.manage")
    services.dues_payment_reverse(
        actor=request_user(request), scope=scope, payment=payment, reason=payload.reason
    )
    return selectors.get_payment_for(scope, payment_id, "members.manage")


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


def _may_import(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not scope.has("members.manage"):
        raise Http404(gettext("页面不存在。"))
    return scope


@router.post(
    "/bases/import/check",
    response=ImportCheckOut,
    summary="检查党费基数表（xlsx/xls/ods/csv；不写入，逐行逐列报告错误）",
)
def dues_import_check(request: HttpRequest, file: File[UploadedFile]):
    report = imports.dues_import_check(scope=_may_import(request), upload=file)
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
    "/bases/import/commit",
    response=ImportResultOut,
    summary="确认导入党费基数（用检查给出的 token；全部写入或全部不写）",
)
def dues_import_commit(request: HttpRequest, payload: ImportCommitIn):
    result = services.dues_import_commit(
        actor=request_user(request), scope=_may_import(request), token=payload.token
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


@router.get("/mine", response=MyDuesOut, summary="我的党费（本人：基数、每月应缴、欠缴、缴纳记录）")
def my_dues(request: HttpRequest):
    member = own_member(request.user)
    if member is None:
        raise Http404(gettext("您的账号尚未关联党员信息。"))
    base = selectors.current_base(member)
    history = selectors.dues_member_history(member, rules.this_month())
    return {
        "member_id": member.pk,
        "name": member.name,
        "org_name": member.org.name,
        "category": base.category if base else None,
        "base_fen": base.base_fen if base else None,
        "monthly_due_fen": rules.dues_amount_fen(base.category, base.base_fen) if base else None,
        "owed_fen": sum(line.owed_fen for line in history),
        "months": history,
        "payments": list(selectors.dues_member_payments(member)[:50]),
    }
