"""Pages of 党费: the monthly statement of an organization, its arrears, a member's history
with the forms to enter the base and record a payment, the reversal (冲正) of a payment, the
import of many bases from a spreadsheet, and a member's own page (我的党费)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error
from tongxin.core.pagination import paginate
from tongxin.members import dues, dues_import, selectors
from tongxin.members.models import DuesCategory
from tongxin.orgs.selectors import get_org_for, org_queryset, org_roots

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MonthField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        month = dues.parse_month(text)
        if month is None:
            raise forms.ValidationError(gettext("月份格式应为YYYY-MM，例如 2026-11。"))
        return month


class BaseForm(forms.Form):
    effective_from = MonthField(
        label=_("起始月份"), widget=forms.TextInput(attrs={"type": "month"})
    )
    category = forms.ChoiceField(label=_("收入类别"), choices=DuesCategory.choices)
    base = forms.CharField(
        label=_("月工资收入基数（元）"),
        max_length=20,
        required=False,
        help_text=_("税后固定收入；学生、下岗失业、低保可不填"),
    )


class PaymentForm(forms.Form):
    month = MonthField(label=_("所属月份"), widget=forms.TextInput(attrs={"type": "month"}))
    amount = forms.CharField(label=_("缴纳金额（元）"), max_length=20)
    paid_on = forms.DateField(label=_("缴纳日期"), widget=DATE)
    note = forms.CharField(label=_("备注"), max_length=200, required=False)


def _org(request: HttpRequest, perm: str = "members.view"):
    scope = request.scope  # type: ignore[attr-defined]
    if request.GET.get("org"):
        return get_org_for(scope, request.GET["org"], perm)
    # By default the user's highest organization whose members they see (none: a message).
    roots = scope.org_roots(perm)
    if scope.is_superuser:
        return org_roots(scope).first()
    return org_queryset(scope, perm).filter(path=roots[0]).first() if roots else None


@login_required
def dues_statement(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    org = _org(request)
    month = dues.parse_month(request.GET.get("month"), dues.this_month()) or dues.this_month()
    st = dues.dues_statement(scope, org, month) if org is not None else None
    page = Paginator(st.rows if st else [], 50).get_page(request.GET.get("page"))
    query = f"org={org.pk}&month={month:%Y-%m}" if org else ""
    return render(
        request,
        "members/dues/statement.html",
        {
            "org": org,
            "month": month,
            "st": st,
            "page": page,
            "query": query,
            "prev": dues.add_months(month, -1),
            "next": dues.add_months(month, 1),
            "can_import": scope.has("members.manage"),
        },
    )


@login_required
def dues_arrears(request: HttpRequest) -> HttpResponse:
    scope = request.scope  # type: ignore[attr-defined]
    org = _org(request)
    until = dues.parse_month(request.GET.get("until"), dues.this_month()) or dues.this_month()
    rows = dues.dues_arrears(scope, org, until) if org is not None else []
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    total = dues.fen_text(sum(r.owed_fen for r in rows))
    return render(
        request,
        "members/dues/arrears.html",
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
    scope = request.scope  # type: ignore[attr-defined]
    member = selectors.get_member_for(scope, pk)
    residence = member.residence.path if member.residence else None
    can_manage = scope.reaches_org("members.manage", member.org_path, residence)
    today = timezone.localdate()
    base = dues.current_base(member)
    base_form = BaseForm(
        initial={
            "effective_from": f"{dues.this_month():%Y-%m}",
            "category": base.category if base else DuesCategory.EMPLOYED,
        },
    )
    pay_form = PaymentForm(initial={"month": f"{dues.this_month():%Y-%m}", "paid_on": today})
    if request.method == "POST":
        member = selectors.get_member_for(scope, pk, "members.manage")
        if request.POST.get("which") == "base":
            base_form = BaseForm(request.POST)
            if base_form.is_valid() and _save_base(request, base_form, member):
                return redirect("members:dues_member", pk=member.pk)
        else:
            pay_form = PaymentForm(request.POST)
            if pay_form.is_valid() and _save_payment(request, pay_form, member):
                return redirect("members:dues_member", pk=member.pk)
    history = dues.dues_member_history(member, dues.this_month())
    return render(
        request,
        "members/dues/member.html",
        {
            "member": member,
            "can_manage": can_manage,
            "base": base,
            "base_rate": dues.rate_text(base.category, base.base_fen) if base else "",
            "base_due": dues.fen_text(dues.dues_amount_fen(base.category, base.base_fen))
            if base
            else "",
            "history": history,
            "bases": dues.dues_member_bases(member),
            "page": paginate(request, dues.dues_member_payments(member)),
            "base_form": base_form,
            "pay_form": pay_form,
        },
    )


def _save_base(request: HttpRequest, form: BaseForm, member) -> bool:
    data = form.cleaned_data
    try:
        text = (data["base"] or "").strip()
        base_fen = dues.parse_yuan(text, "base") if text else None
        dues.dues_base_set(
            actor=request.user,
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


def _save_payment(request: HttpRequest, form: PaymentForm, member) -> bool:
    data = form.cleaned_data
    try:
        amount = dues.parse_yuan(data["amount"], "amount")
        dues.dues_payment_record(
            actor=request.user,
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


class ReverseForm(forms.Form):
    # The service words the refusal of an empty or long reason (a field error under the box).
    reason = forms.CharField(
        label=_("冲正原因"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": dues.MAX_REASON}),
        help_text=_("例如：重复登记、所属月份登记错误、登记到了别的党员名下"),
    )


@login_required
@require_http_methods(["GET", "POST"])
def dues_reverse(request: HttpRequest, pk: int) -> HttpResponse:
    """Reverse one payment, with a reason: the payment stays in the ledger, marked."""
    payment = dues.get_payment_for(request.scope, pk, "members.manage")  # type: ignore[attr-defined]
    form = ReverseForm(request.POST or None)
    reversal = getattr(payment, "reversal", None)
    if request.method == "POST" and form.is_valid():
        try:
            dues.dues_payment_reverse(
                actor=request.user, payment=payment, reason=form.cleaned_data["reason"]
            )
        except ServiceError as e:
            if e.fields:
                apply_service_error(form, e)
            else:  # reversed meanwhile: the page shows by whom, when and why
                messages.error(request, e.message)
                return redirect("members:dues_reverse", pk=payment.pk)
        else:
            messages.success(request, gettext("已冲正这笔缴纳，该月份重新计为未缴。"))
            return redirect("members:dues_member", pk=payment.member_id)
    return render(
        request,
        "members/dues/reverse.html",
        {"payment": payment, "member": payment.member, "reversal": reversal, "form": form},
    )


# ---- 党费基数导入 -----------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("党费基数文件"),
        help_text=_("Excel（.xlsx、.xls）、WPS/LibreOffice（.ods）或CSV，最好使用导入模板。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )


def _may_import(request: HttpRequest) -> None:
    if not request.scope.has("members.manage"):  # type: ignore[attr-defined]
        raise Http404(gettext("页面不存在。"))


PREVIEW_ROWS = 200


@login_required
@require_http_methods(["GET", "POST"])
def dues_import_page(request: HttpRequest) -> HttpResponse:
    """Upload → check (nothing written; the report below the form) → confirm (all or nothing).
    The confirmation posts back the signed token of the check, not the file."""
    scope = request.scope  # type: ignore[attr-defined]
    _may_import(request)
    form = ImportForm()
    report = None
    if request.method == "POST" and "token" in request.POST:
        try:
            result = dues_import.dues_import_commit(
                actor=request.user, scope=scope, token=request.POST["token"]
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
        return redirect("members:dues_import")
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                report = dues_import.dues_import_check(
                    scope=scope, upload=form.cleaned_data["file"]
                )
            except ServiceError as e:
                form.add_error("file", e.message)  # the whole sentence: what is wrong, what to do
    return render(
        request,
        "members/dues/import.html",
        {
            "form": form,
            "report": report,
            "columns": dues_import.COLUMNS,
            "preview": report.plan[:PREVIEW_ROWS] if report else [],
            "preview_limit": PREVIEW_ROWS,
        },
    )


@login_required
@require_GET
def dues_import_template(request: HttpRequest) -> FileResponse:
    _may_import(request)
    return FileResponse(
        dues_import.template_file(),
        as_attachment=True,
        filename=gettext("党费基数导入模板.xlsx"),
        content_type=dues_import.XLSX,
    )


# ---- 我的党费 ---------------------------------------------------------------------------------------


@login_required
@require_GET
def my_dues(request: HttpRequest) -> HttpResponse:
    """A member's own dues: the user's linked member record and nobody else's (no parameter
    names a member), whatever roles the user holds."""
    member = selectors.own_member(request.user)
    context: dict[str, object] = {"member": member}
    if member is not None:
        base = dues.current_base(member)
        history = dues.dues_member_history(member, dues.this_month())
        context.update(
            {
                "base": base,
                "base_rate": dues.rate_text(base.category, base.base_fen) if base else "",
                "base_due": dues.fen_text(dues.dues_amount_fen(base.category, base.base_fen))
                if base
                else "",
                "history": history,
                "owed": dues.fen_text(sum(line.owed_fen for line in history)),
                "owed_months": sum(1 for line in history if line.owed_fen),
                "page": paginate(request, dues.dues_member_payments(member)),
            }
        )
    response = render(request, "members/dues/mine.html", context)
    response["Cache-Control"] = "private, no-store"
    return response
