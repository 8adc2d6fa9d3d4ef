"""Staff pages of the 互助金 (desktop first): the funds in scope, a fund with its balance,
income and donation forms and its ledger, the donation import, the applications and one
application with the step its viewer may take, the 捐助证, and the year report (page and
xlsx)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from tongxin.accounts.scope import request_user
from tongxin.aid import imports, qr, report_xlsx, selectors
from tongxin.aid.forms import (
    AnswerForm,
    DonationForm,
    ImportForm,
    IncomeForm,
    NoteForm,
    ReverseForm,
    fen,
)
from tongxin.aid.models import AidFund, Status, fen_text
from tongxin.aid.roles import DECIDE, MANAGE, PAY, REVIEW
from tongxin.aid.services import applications as app_svc
from tongxin.aid.services import funds as fund_svc
from tongxin.aid.services.imports import donation_import_commit
from tongxin.core import uploads
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.pagination import paginate
from tongxin.core.scope import request_scope


@login_required
def fund_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    page = paginate(request, selectors.fund_queryset(scope).order_by("org_path"))
    rows = [(f, selectors.fund_balance(f)) for f in page]
    return render(request, "aid/funds.html", {"page": page, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def fund_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    fund = selectors.get_fund_for(scope, pk)
    can_manage = scope.reaches_org(MANAGE, fund.org_path)
    income_form, donation_form = IncomeForm(prefix="in"), DonationForm(prefix="don")
    if request.method == "POST":
        fund = selectors.get_fund_for(scope, pk, MANAGE)
        actor = request_user(request)
        try:
            if "in-amount" in request.POST:
                income_form = IncomeForm(request.POST, prefix="in")
                if income_form.is_valid():
                    d = income_form.cleaned_data
                    fund_svc.income_record(
                        actor=actor,
                        scope=scope,
                        fund=fund,
                        source=d["source"],
                        amount_fen=fen(d["amount"]),
                        on=d["on"],
                        memo=d["memo"],
                    )
                    messages.success(request, gettext("已登记收入。"))
                    return redirect("aid:fund", pk=fund.pk)
            else:
                donation_form = DonationForm(request.POST, prefix="don")
                if donation_form.is_valid():
                    d = donation_form.cleaned_data
                    member = selectors.fund_member_by_id_number(fund, d["id_number"])
                    if member is None:
                        donation_form.add_error(
                            "id_number", gettext("本党组织中没有这个身份证号码的党员，请核对。")
                        )
                    else:
                        don = fund_svc.donation_record(
                            actor=actor,
                            scope=scope,
                            fund=fund,
                            member=member,
                            amount_fen=fen(d["amount"]),
                            donated_on=d["donated_on"],
                        )
                        messages.success(
                            request,
                            gettext("已登记捐助，捐助证编号 %(no)s。") % {"no": don.certificate_no},
                        )
                        return redirect("aid:certificate", pk=don.pk)
        except ServiceError as e:
            apply_service_error(income_form if "in-amount" in request.POST else donation_form, e)
    page = paginate(request, selectors.movements(fund))
    return render(
        request,
        "aid/fund.html",
        {
            "fund": fund,
            "balance": selectors.fund_balance(fund),
            "page": page,
            "can_manage": can_manage,
            "income_form": income_form,
            "donation_form": donation_form,
            "kinds": list(fund.kinds.filter(active=True)),
            "year": timezone.localdate().year,
            "waiting": selectors.application_queryset(scope)
            .filter(fund=fund, status__in=[Status.SUBMITTED, Status.REVIEWED, Status.PUBLICITY])
            .count(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def movement_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    m = selectors.get_movement_for(scope, pk)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fund_svc.movement_reverse(
                actor=request_user(request),
                scope=scope,
                movement=m,
                reason=form.cleaned_data["reason"],
            )
            messages.success(request, gettext("已冲正。"))
            return redirect("aid:fund", pk=m.fund_id)
        except ServiceError as e:
            apply_service_error(form, e)
    return render(request, "aid/reverse.html", {"m": m, "form": form})


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    qs = selectors.application_queryset(scope).order_by("-created_at", "-id")
    status = request.GET.get("status", "")
    if status in Status.values:
        qs = qs.filter(status=status)
    page = paginate(request, qs)
    return render(
        request,
        "aid/applications.html",
        {
            "page": page,
            "status": status,
            "statuses": Status.choices,
            "query": f"status={status}" if status else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def application_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    a = selectors.get_application_for(scope, pk)
    user = request_user(request)
    form = NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        step, note = request.POST.get("step", ""), form.cleaned_data["note"]
        approve = request.POST.get("approve") == "1"
        try:
            if step == "review":
                app_svc.application_review(
                    actor=user, scope=scope, application=a, approve=approve, note=note
                )
            elif step == "decide":
                app_svc.application_decide(
                    actor=user, scope=scope, application=a, approve=approve, note=note
                )
            elif step == "pay":
                app_svc.application_pay(actor=user, scope=scope, application=a)
            else:
                raise ServiceError(gettext("请选择要办理的步骤。"))
            messages.success(request, gettext("已办理。"))
            return redirect("aid:application", pk=a.pk)
        except ServiceError as e:
            apply_service_error(form, e)
    fund_path = a.fund.org_path
    approvals = list(a.approvals.select_related("approver"))
    decided = any(ap.approver_id == user.pk for ap in approvals)
    return render(
        request,
        "aid/application.html",
        {
            "a": a,
            "form": form,
            "approvals": approvals,
            "objections": list(a.objections.all()),
            "documents": list(a.documents.all()),
            "answer_form": AnswerForm(),
            "can_review": a.status == Status.SUBMITTED and scope.reaches_org(REVIEW, a.org_path),
            "can_decide": a.status == Status.REVIEWED
            and not decided
            and scope.reaches_org(DECIDE, fund_path),
            "can_pay": a.status == Status.PUBLICITY and scope.reaches_org(PAY, fund_path),
            "can_answer": scope.reaches_org(MANAGE, fund_path)
            or scope.reaches_org(DECIDE, fund_path),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    o = selectors.get_objection_for(scope, pk)
    form = AnswerForm(request.POST)
    try:
        if not form.is_valid():
            raise ServiceError(gettext("请填写答复。"))
        app_svc.objection_answer(
            actor=request_user(request),
            scope=scope,
            objection=o,
            answer=form.cleaned_data["answer"],
            upheld=form.cleaned_data["upheld"],
        )
        messages.success(request, gettext("已答复异议。"))
    except ServiceError as e:
        messages.error(request, e.message)
    return redirect("aid:application", pk=o.application_id)


@login_required
def document(request: HttpRequest, pk: int) -> FileResponse:
    scope = request_scope(request)
    d = selectors.get_document_for(scope, pk)
    return uploads.serve(d.stored_name, d.content_type, f"aid-{d.application_id}-{d.pk}")


@login_required
def certificate(request: HttpRequest, pk: int) -> HttpResponse:
    """The printable 捐助证 with the QR code of its public check."""
    scope = request_scope(request)
    d = selectors.get_donation_for(scope, pk)
    url = request.build_absolute_uri(reverse("aid:verify", args=[d.verify_code]))
    return render(
        request, "aid/certificate.html", {"d": d, "qr": qr.data_uri(url), "verify_url": url}
    )


@login_required
@require_http_methods(["GET", "POST"])
def donation_import(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    fund = selectors.get_fund_for(scope, pk, MANAGE)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["token"]:
                n = donation_import_commit(
                    actor=request_user(request),
                    scope=scope,
                    fund=fund,
                    token=form.cleaned_data["token"],
                )
                messages.success(request, gettext("已导入%(n)d笔捐助。") % {"n": n})
                return redirect("aid:fund", pk=fund.pk)
            upload = form.cleaned_data["file"]
            if upload is None:
                raise ServiceError(gettext("请选择要上传的捐助表格。"))
            report = imports.donation_import_check(scope=scope, fund=fund, upload=upload)
        except ServiceError as e:
            apply_service_error(form, e)
    return render(request, "aid/import.html", {"fund": fund, "form": form, "report": report})


def _report_args(request: HttpRequest, pk: int) -> tuple[AidFund, int]:
    scope = request_scope(request)
    fund = selectors.get_fund_for(scope, pk)
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= today.year:
        year = today.year
    return fund, year


@login_required
def year_report(request: HttpRequest, pk: int) -> HttpResponse:
    fund, year = _report_args(request, pk)
    r = selectors.year_report(fund, year)
    today = timezone.localdate()
    return render(
        request,
        "aid/report.html",
        {
            "r": r,
            "years": range(today.year - 4, today.year + 1),
            "income": [(label, fen_text(f)) for label, f in r.income],
            "aid": [(kind, n, fen_text(f)) for kind, n, f in r.aid],
            "income_total": fen_text(r.income_total),
            "aid_total": fen_text(r.aid_total),
            "opening": fen_text(r.opening),
            "closing": fen_text(r.closing),
        },
    )


@login_required
def year_report_file(request: HttpRequest, pk: int) -> FileResponse:
    fund, year = _report_args(request, pk)
    r = selectors.year_report(fund, year)
    return FileResponse(
        report_xlsx.workbook(r),
        as_attachment=True,
        filename=f"aid-report-{year}.xlsx",
        content_type=report_xlsx.XLSX,
    )
