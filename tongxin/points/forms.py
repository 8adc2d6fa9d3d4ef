from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tongxin.points.models import Rule


class AwardForm(forms.Form):
    rule = forms.TypedChoiceField(label=_("积分项"), coerce=int)
    on = forms.DateField(
        label=_("事迹日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reason = forms.CharField(
        label=_("事由"), max_length=300, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.FileField(
        label=_("证明材料（照片或PDF）"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/*,application/pdf"}),
    )

    def __init__(self, *args: Any, rules: list[Rule], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rules = {r.pk: r for r in rules}
        field = self.fields["rule"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(r.pk, f"{r.label}（+{r.points}）") for r in rules]
        self.fields["on"].initial = timezone.localdate()


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审批"), choices=[("approve", _("批准")), ("reject", _("不予批准"))]
    )
    note = forms.CharField(label=_("审批意见"), max_length=200, required=False)


class ReverseForm(forms.Form):
    reason = forms.CharField(label=_("更正原因"), max_length=200)


class CloseForm(forms.Form):
    month = forms.DateField(
        label=_("月份"), input_formats=["%Y-%m"], widget=forms.DateInput(attrs={"type": "month"})
    )

    def clean_month(self) -> dt.date:
        month: dt.date = self.cleaned_data["month"]
        return month.replace(day=1)
