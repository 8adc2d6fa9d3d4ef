"""/api/v1/aid: 党员互助金. The same services and selectors as the pages; every read through
the caller's scope; money in fen."""

from __future__ import annotations

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import Field, Query, Router, Schema, Status

from tongxin.accounts.scope import request_user
from tongxin.aid import selectors
from tongxin.aid.models import AidApplication, AidFund
from tongxin.aid.models import Status as AppStatus
from tongxin.aid.roles import MANAGE
from tongxin.aid.services import applications as app_svc
from tongxin.aid.services import funds as fund_svc
from tongxin.core.errors import ServiceError
from tongxin.core.pagination import PageQuery, api_page
from tongxin.core.scope import request_scope
from tongxin.members.selectors import get_member_for, own_member

router = Router(tags=["党员互助金"])


class BalanceOut(Schema):
    total_fen: int
    cash_fen: int
    held_fen: int
    paid_fen: int
    income_fen: int


class FundOut(Schema):
    id: int
    name: str
    org_id: int
    publicity_days: int
    eligibility: list[str]
    balance: BalanceOut


def _fund_out(f: AidFund) -> dict[str, object]:
    b = selectors.fund_balance(f)
    return {
        "id": f.pk,
        "name": f.name,
        "org_id": f.org_id,
        "publicity_days": f.publicity_days,
        "eligibility": list(f.eligibility),
        "balance": {
            "total_fen": b.total,
            "cash_fen": b.cash,
            "held_fen": b.held,
            "paid_fen": b.paid,
            "income_fen": b.income,
        },
    }


class FundPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[FundOut]


@router.get("/funds", response=FundPage, summary="互助金列表（含余额）")
def fund_list(request: HttpRequest, query: Query[PageQuery]):
    page = api_page(
        selectors.fund_queryset(request_scope(request)).order_by("org_path"), query.page
    )
    page["results"] = [_fund_out(f) for f in page["results"]]
    return page


@router.get("/funds/{fund_id}", response=FundOut, summary="互助金及其余额（由分录汇总）")
def fund_detail(request: HttpRequest, fund_id: int):
    return _fund_out(selectors.get_fund_for(request_scope(request), fund_id))


class ReportQuery(Schema):
    year: int = Field(0, ge=0, le=2100, description="年度，默认今年")


class AidLine(Schema):
    kind: str
    payments: int
    amount_fen: int


class IncomeLine(Schema):
    source: str
    amount_fen: int


class ReportOut(Schema):
    year: int
    income: list[IncomeLine]
    aid: list[AidLine]
    opening_fen: int
    closing_fen: int
    people: int


@router.get("/funds/{fund_id}/report", response=ReportOut, summary="年度报告")
def fund_report(request: HttpRequest, fund_id: int, query: Query[ReportQuery]):
    fund = selectors.get_fund_for(request_scope(request), fund_id)
    r = selectors.year_report(fund, query.year or timezone.localdate().year)
    return {
        "year": r.year,
        "income": [{"source": s, "amount_fen": f} for s, f in r.income],
        "aid": [{"kind": k, "payments": n, "amount_fen": f} for k, n, f in r.aid],
        "opening_fen": r.opening,
        "closing_fen": r.closing,
        "people": r.people,
    }


class MovementOut(Schema):
    id: int
    kind: str
    amount_fen: int | None = None
    on: dt.date
    memo: str
    application_id: int | None = None
    reverses_id: int | None = None


class MovementPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[MovementOut]


@router.get("/funds/{fund_id}/movements", response=MovementPage, summary="收支明细")
def fund_movements(request: HttpRequest, fund_id: int, query: Query[PageQuery]):
    fund = selectors.get_fund_for(request_scope(request), fund_id)
    return api_page(selectors.movements(fund), query.page)


class IncomeIn(Schema):
    source: str = Field(
        ..., max_length=20, description="finance（财政拨款）或 upper（上级党组织支持）"
    )
    amount_fen: int
    on: dt.date
    memo: str = Field("", max_length=200)


@router.post("/funds/{fund_id}/income", response={201: MovementOut}, summary="登记收入（分）")
def fund_income(request: HttpRequest, fund_id: int, payload: IncomeIn):
    scope = request_scope(request)
    fund = selectors.get_fund_for(scope, fund_id, MANAGE)
    m = fund_svc.income_record(
        actor=request_user(request),
        scope=scope,
        fund=fund,
        source=payload.source,
        amount_fen=payload.amount_fen,
        on=payload.on,
        memo=payload.memo,
    )
    return Status(201, m)


class DonationIn(Schema):
    member_id: int
    amount_fen: int
    donated_on: dt.date


class DonationOut(Schema):
    id: int
    member_id: int
    amount_fen: int
    donated_on: dt.date
    certificate_no: str


@router.post(
    "/funds/{fund_id}/donations", response={201: DonationOut}, summary="登记党员捐助（分）"
)
def fund_donation(request: HttpRequest, fund_id: int, payload: DonationIn):
    scope = request_scope(request)
    fund = selectors.get_fund_for(scope, fund_id, MANAGE)
    member = get_member_for(scope, payload.member_id)
    d = fund_svc.donation_record(
        actor=request_user(request),
        scope=scope,
        fund=fund,
        member=member,
        amount_fen=payload.amount_fen,
        donated_on=payload.donated_on,
    )
    return Status(201, d)


class ApplicationOut(Schema):
    id: int
    fund_id: int
    member_id: int
    kind: str
    amount_fen: int
    status: str
    by_branch: bool
    publicity_from: dt.date | None = None
    publicity_until: dt.date | None = None
    paid_on: dt.date | None = None
    created_at: dt.datetime

    @staticmethod
    def resolve_kind(obj: AidApplication) -> str:
        return obj.kind.name


class ApplicationPage(Schema):
    count: int
    page: int
    page_size: int
    results: list[ApplicationOut]


class ApplicationQuery(PageQuery):
    status: str = Field("", max_length=12)


@router.get("/applications", response=ApplicationPage, summary="互助金申请（管辖范围内）")
def application_list(request: HttpRequest, query: Query[ApplicationQuery]):
    qs = selectors.application_queryset(request_scope(request)).order_by("-created_at", "-id")
    if query.status:
        if query.status not in AppStatus.values:
            msg = gettext("状态只能是 submitted、reviewed、publicity、paid 或 rejected。")
            raise ServiceError(msg, fields={"status": msg})
        qs = qs.filter(status=query.status)
    return api_page(qs, query.page)


@router.get("/applications/{application_id}", response=ApplicationOut, summary="一份申请")
def application_detail(request: HttpRequest, application_id: int):
    return selectors.get_application_for(request_scope(request), application_id)


@router.get("/mine", response=list[ApplicationOut], summary="我的互助金申请")
def mine(request: HttpRequest):
    return list(selectors.own_applications(request.user)[:50])


class ApplyIn(Schema):
    fund_id: int
    kind_id: int
    amount_fen: int
    reason: str = Field(..., max_length=2000)
    member_id: int | None = Field(None, description="支部代为申请时填写；本人申请不填")


@router.post(
    "/applications", response={201: ApplicationOut}, summary="申请互助金（本人或支部代为）"
)
def application_submit(request: HttpRequest, payload: ApplyIn):
    scope = request_scope(request)
    actor = request_user(request)
    if payload.member_id is None:
        member = own_member(actor)
        if member is None:
            raise ServiceError(gettext("您的账号尚未关联党员信息，请由支部代为申请。"))
        fund = next(
            (f for f in selectors.funds_for_member(member) if f.pk == payload.fund_id), None
        )
        if fund is None:
            raise Http404(gettext("互助金不存在。"))
    else:
        member = get_member_for(scope, payload.member_id)
        fund = selectors.get_fund_for_member(member, payload.fund_id)
    kind = selectors.kind_of_fund(fund, payload.kind_id)
    if kind is None:
        msg = gettext("请选择这个互助金的补助类别。")
        raise ServiceError(msg, fields={"kind_id": msg})
    a = app_svc.application_submit(
        actor=actor,
        scope=scope,
        fund=fund,
        member=member,
        kind=kind,
        amount_fen=payload.amount_fen,
        reason=payload.reason,
    )
    return Status(201, a)


class StepIn(Schema):
    approve: bool = True
    note: str = Field("", max_length=200)


@router.post("/applications/{application_id}/review", response=ApplicationOut, summary="支部审核")
def application_review(request: HttpRequest, application_id: int, payload: StepIn):
    scope = request_scope(request)
    a = selectors.get_application_for(scope, application_id)
    return app_svc.application_review(
        actor=request_user(request),
        scope=scope,
        application=a,
        approve=payload.approve,
        note=payload.note,
    )


@router.post("/applications/{application_id}/decide", response=ApplicationOut, summary="管委会审批")
def application_decide(request: HttpRequest, application_id: int, payload: StepIn):
    scope = request_scope(request)
    a = selectors.get_application_for(scope, application_id)
    return app_svc.application_decide(
        actor=request_user(request),
        scope=scope,
        application=a,
        approve=payload.approve,
        note=payload.note,
    )


@router.post("/applications/{application_id}/pay", response=ApplicationOut, summary="出纳发放")
def application_pay(request: HttpRequest, application_id: int):
    scope = request_scope(request)
    a = selectors.get_application_for(scope, application_id)
    app_svc.application_pay(actor=request_user(request), scope=scope, application=a)
    a.refresh_from_db()
    return a
