"""Forms of the 互助金 pages: amounts are typed in 元 and handed to the services in fen."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.aid.models import AidKind
from tongxin.core.forms import set_queryset


class YuanField(forms.DecimalField):
    def __init__(self, **kw: Any) -> None:
        kw.setdefault("max_digits", 14)
        kw.setdefault("decimal_places", 2)
        kw.setdefault("error_messages", {"invalid": _("请填写金额（元），例如 200.00。")})
        super().__init__(**kw)


def fen(value: Decimal) -> int:
    return int(value * 100)


class IncomeForm(forms.Form):
    source = forms.ChoiceField(
        label=_("来源"), choices=[("finance", _("财政拨款")), ("upper", _("上级党组织支持"))]
    )
    amount = YuanField(label=_("金额（元）"))
    on = forms.DateField(label=_("到账日期"), initial=timezone.localdate)
    memo = forms.CharField(label=_("摘要"), max_length=200, required=False)


class DonationForm(forms.Form):
    id_number = forms.CharField(label=_("捐助党员身份证号码"), max_length=18)
    amount = YuanField(label=_("金额（元）"))
    donated_on = forms.DateField(label=_("捐助日期"), initial=timezone.localdate)


class ApplyForm(forms.Form):
    kind = forms.ModelChoiceField(label=_("补助类别"), queryset=AidKind.objects.none())
    amount = YuanField(label=_("申请金额（元）"))
    reason = forms.CharField(label=_("申请理由"), widget=forms.Textarea(attrs={"rows": 4}))
    documents = forms.FileField(label=_("证明材料（图片或PDF，可不传）"), required=False)

    def __init__(self, *args: Any, kinds: Any = None, **kw: Any) -> None:
        super().__init__(*args, **kw)
        if kinds is not None:
            set_queryset(self.fields["kind"], kinds)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("意见"), max_length=200, required=False)


class ObjectionForm(forms.Form):
    text = forms.CharField(label=_("异议内容"), widget=forms.Textarea(attrs={"rows": 3}))
    contact = forms.CharField(label=_("联系方式（可不填）"), max_length=50, required=False)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), widget=forms.Textarea(attrs={"rows": 2}))
    upheld = forms.BooleanField(label=_("异议成立，撤销这笔补助"), required=False)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("冲正原因"), max_length=200)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("捐助表格（xlsx、xls、ods 或 csv）"), required=False)
    token = forms.CharField(widget=forms.HiddenInput, required=False)
