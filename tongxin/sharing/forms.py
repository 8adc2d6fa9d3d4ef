from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.sharing.models import Direction, ListingKind, Visibility

DATE = forms.DateInput(attrs={"type": "date"})


class ListingForm(forms.Form):
    direction = forms.ChoiceField(
        label=_("我要"), choices=[(Direction.NEED, _("发布需求")), (Direction.OFFER, _("提供服务"))]
    )
    kind = forms.ChoiceField(label=_("类别"), choices=ListingKind.choices)
    title = forms.CharField(label=_("标题"), max_length=60)
    body = forms.CharField(
        label=_("说明"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("请勿填写电话、微信等联系方式：双方确认对接后系统会互相告知。"),
    )
    visibility = forms.ChoiceField(
        label=_("可见范围"),
        choices=Visibility.choices,
        initial=Visibility.COMPOUND,
        help_text=_("默认只有本小区的邻居能看到。"),
    )
    available_from = forms.DateField(label=_("开始日期"), widget=DATE, required=False)
    available_until = forms.DateField(label=_("结束日期"), widget=DATE, required=False)


class ReportForm(forms.Form):
    reason = forms.CharField(
        label=_("举报理由"), max_length=200, widget=forms.Textarea(attrs={"rows": 3})
    )


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(i, f"{i} ★") for i in range(5, 0, -1)],
        initial=5,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    feedback = forms.CharField(
        label=_("评价"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
    )
