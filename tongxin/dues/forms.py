"""The forms of the 党费 pages: a base, a payment, a reversal (冲正), a file of bases."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongxin.dues.models import DuesCategory
from tongxin.dues.rules import MAX_REASON, parse_month

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MonthField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        month = parse_month(text)
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


class ReverseForm(forms.Form):
    # The service words the refusal of an empty or long reason (a field error under the box).
    reason = forms.CharField(
        label=_("冲正原因"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": MAX_REASON}),
        help_text=_("例如：重复登记、所属月份登记错误、登记到了别的党员名下"),
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("党费基数文件"),
        help_text=_("Excel（.xlsx、.xls）、WPS/LibreOffice（.ods）或CSV，最好使用导入模板。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )
