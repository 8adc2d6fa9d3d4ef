"""The forms of 组织关系转接's pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.transfers.models import TransferReason


class TransferForm(forms.Form):
    target = forms.IntegerField(label=_("转入党组织"), required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("转接原因"),
        max_length=200,
        required=False,
        help_text=_("例如：工作调动、升学、迁居"),
    )


DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OwnRequestForm(forms.Form):
    target = forms.IntegerField(label=_("转入党组织"), required=False, widget=forms.HiddenInput)
    reason_kind = forms.ChoiceField(
        label=_("转接事由"),
        choices=[("", _("请选择")), *TransferReason.choices],
        required=False,
        error_messages={"invalid_choice": _("请选择转接事由（工作调动、迁居搬家、升学等）。")},
    )
    reason = forms.CharField(
        label=_("说明"),
        max_length=200,
        required=False,
        help_text=_("选填，例如新单位、新住址所在社区或就读学校；选“其他”时必填。"),
        error_messages={"max_length": _("转接说明请控制在200字以内。")},
    )
    moved_on = forms.DateField(
        label=_("迁移日期"),
        required=False,
        widget=DATE,
        help_text=_("工作调动、迁居或入学的日期。"),
    )
