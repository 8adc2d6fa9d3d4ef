"""Pages of 党费: the monthly statement of an organization, its arrears, a member's history
with the forms to enter the base and record a payment, the reversal (冲正) of a payment, the
import of many bases from a spreadsheet, and a member's own page (我的党费)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.accounts.scope import request_user
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.pagination import paginate
from tongxin.core.scope import Scope, request_scope
from tongxin.dues import imports, rules, selectors, services, sheet
from tongxin.dues.forms import BaseForm, ImportForm, PaymentForm, ReverseForm
from tongxin.dues.models import DuesCategory
from tongxin.members.models import Member
from tongxin.members.selectors import get_member_for, own_member
from tongxin.orgs.models import Organization
from tongxin.orgs.selectors import get_org_for, org_queryset, org_roots


def _org(request: HttpRequest, perm: str = "members.view") -> Organization | None:
    scope = request_scope(request)
    if request.GET.get("org"):
        return get_org_for(scope, request.GET["org"], perm)
    # By default the user's highest organization whose members they see (none: a message).
    roots = scope.org_roots(perm)
    if scope.is_superuser:
        return org_roots(scope).first()
    return org_queryset(scope, perm).filter(path=roots[0]).first() if roots else None


@login_required
def dues_statement(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    org = _org(request)
    month = rules.parse_month(request.GET.get("month"), rules.this_month()) or rules.this_month()
    st = selectors.dues_statement(scope, org, month) if org is not None else None
    page = Paginator(st.rows if st else [], 50).get_page(request.GET.get("page"))
    query = f"org={org.pk}&month={month:%Y-%m}" if org else ""
    return render(
        request,
        "dues/statement.html",
        {
            "org": org,
            "month": month,
            "st": st,
            "page": page,
            "query": query,
            "prev": rules.add_months(month, -1),
            "next": rules.add_months(month, 1),
            "can_import": scope.has("members.manage"),
        },
    )


@login_required
def dues_arrears(request: HttpRequest) -> HttpResponse:
    scope = request_scope(request)
    org = _org(request)
    until = rules.parse_month(request.GET.get("until"), rules.this_month()) or rules.this_month()
    rows = selectors.dues_arrears(scope, org, until) if org is not None else []
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    total = rules.fen_text(sum(r.owed_fen for r in rows))
    return render(
        request,
        "dues/arrears.html",
        {
            "org": org,
            "until": until,
            "page": page,
            "total": total,
            "query": f"org={org.pk}&until={until:%Y-%m}" if org else "",
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def dues_member(request: HttpRequest, pk: int) -> HttpResponse:
    scope = request_scope(request)
    member = get_member_for(scope, pk)
    residence = member.residence.path if member.residence else None
    can_manage = scope.reaches_org("members.manage", member.org_path, residence)
    today = timezone.localdate()
    base = selectors.current_base(member)
    base_form = BaseForm(
        initial={
            "effective_from": f"{rules.this_month():%Y-%m}",
            "category": base.category if base else DuesCategory.EMPLOYED,
        },
    )
    pay_form = PaymentForm(initial={"month": f"{rules.this_month():%Y-%m}", "paid_on": today})
    if request.method == "POST":
        member = get_member_for(scope, pk, "members.manage")
        if request.POST.get("which") == "base":
            base_form = BaseForm(request.POST)
            if base_form.is_valid() and _save_base(request, scope, base_form, member):
                return redirect("dues:member", pk=member.pk)
        else:
            pay_form = PaymentForm(request.POST)
            if pay_form.is_valid() and _save_payment(request, scope, pay_form, member):
                return redirect("dues:member", pk=member.pk)
    history = selectors.dues_member_history(member, rules.this_month())
    return render(
        request,
        "dues/member.html",
        {
            "member": member,
            "can_manage": can_manage,
            "base": base,
            "base_rate": rules.rate_text(base.category, base.base_fen) if base else "",
            "base_due": rules.fen_text(rules.dues_amount_fen(base.category, base.base_fen))
            if base
            else "",
            "history": history,
            "bases": selectors.dues_member_bases(member),
            "page": paginate(request, selectors.dues_member_payments(member)),
            "base_form": base_form,
            "pay_form": pay_form,
        },
    )


def _save_base(request: HttpRequest, scope: Scope, form: BaseForm, member: Member) -> bool:
    data = form.cleaned_data
    try:
        text = (data["base"] or "").strip()
        base_fen = rules.parse_yuan(text, "base") if text else None
        services.dues_base_set(
            actor=request_user(request),
            scope=scope,
            member=member,
            effective_from=data["effective_from"],
            category=data["category"],
            base_fen=base_fen,
        )
    except ServiceError as e:
        apply_service_error(form, e)
        return False
    messages.success(request, gettext("已登记党费基数。"))
    return True


def _save_payment(request: HttpRequest, scope: Scope, form: PaymentForm, member: Member) -> bool:
    data = form.cleaned_data
    try:
        amount = rules.parse_yuan(data["amount"], "amount")
        services.dues_payment_record(
            actor=request_user(request),
            scope=scope,
            member=member,
            month=data["month"],
            amount_fen=amount,
            paid_on=data["paid_on"],
            note=data["note"],
        )
    except ServiceError as e:
        apply_service_error(form, e)
        return False
    messages.success(request, gettext("已登记缴纳。"))
    return True


# ---- 冲正 -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def dues_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """Reverse one payment, with a reason: the payment stays in the ledger, marked."""
    scope = request_scope(request)
    payment = selectors.get_payment_for(scope, pk, "members.manage")
    form = ReverseForm(request.POST or None)
    reversal = getattr(payment, "reversal", None)
    if request.method == "POST" and form.is_valid():
        try:
            services.dues_payment_reverse(
                actor=request_user(request),
                scope=scope,
                payment=payment,
                reason=form.cleaned_data["reason"],
            )
        except ServiceError as e:
            if e.fields:
                apply_service_error(form, e)
            else:  # reversed meanwhile: the page shows by whom, when and why
                messages.error(request, e.message)
                return redirect("dues:reverse", pk=payment.pk)
        else:
            messages.success(request, gettext("已冲正这笔缴纳，该月份重新计为未缴。"))
            return redirect("dues:member", pk=payment.member_id)
    return render(
        request,
        "dues/reverse.html",
        {"payment": payment, "member": payment.member, "reversal": reversal, "form": form},
    )


# ---- 党费基数导入 -----------------------------------------------------------------------------------


def _may_import(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not scope.has("members.manage"):
        raise Http404(gettext("页面不存在。"))
    return scope


PREVIEW_ROWS = 200


@login_required
@require_http_methods(["GET", "POST"])
def dues_import_page(request: HttpRequest) -> HttpResponse:
    """Upload → check (nothing written; the report below the form) → confirm (all or nothing).
    The confirmation posts back the signed token of the check, not the file."""
    scope = _may_import(request)
    form = ImportForm()
    report = None
    if request.method == "POST" and "token" in request.POST:
        try:
            result = services.dues_import_commit(
                actor=request_user(request), scope=scope, token=request.POST["token"]
            )
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(
                request,
                gettext(
                    "已导入党费基数“%(file)s”：新增 %(c)d 条，更新 %(u)d 条，%(n)d 条与已登记的相同。"
                )
                % {
                    "file": result.file_name,
                    "c": result.created,
                    "u": result.updated,
                    "n": result.unchanged,
                },
            )
        return redirect("dues:import")
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = imports.dues_import_check(scope=scope, upload=form.cleaned_data["file"])
            except ServiceError as e:
                form.add_error("file", e.message)  # the whole sentence: what is wrong, what to do
    return render(
        request,
        "dues/import.html",
        {
            "form": form,
            "report": report,
            "columns": sheet.COLUMNS,
            "preview": report.plan[:PREVIEW_ROWS] if report else [],
            "preview_limit": PREVIEW_ROWS,
        },
    )


@login_required
@require_GET
def dues_import_template(request: HttpRequest) -> FileResponse:
    _may_import(request)
    return FileResponse(
        sheet.template_file(),
        as_attachment=True,
        filename=gettext("党费基数导入模板.xlsx"),
        content_type=sheet.XLSX,
    )


# ---- 我的党费 ---------------------------------------------------------------------------------------


@login_required
@require_GET
def my_dues(request: HttpRequest) -> HttpResponse:
    """A member's own dues: the user's linked member record and nobody else's (no parameter
    names a member), whatever roles the user holds."""
    member = own_member(request.user)
    context: dict[str, object] = {"member": member}
    if member is not None:
        base = selectors.current_base(member)
        history = selectors.dues_member_history(member, rules.this_month())
        context.update(
            {
                "base": base,
                "base_rate": rules.rate_text(base.category, base.base_fen) if base else "",
                "base_due": rules.fen_text(rules.dues_amount_fen(base.category, base.base_fen))
                if base
                else "",
                "history": history,
                "owed": rules.fen_text(sum(line.owed_fen for line in history)),
                "owed_months": sum(1 for line in history if line.owed_fen),
                "page": paginate(request, selectors.dues_member_payments(member)),
            }
        )
    response = render(request, "dues/mine.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
