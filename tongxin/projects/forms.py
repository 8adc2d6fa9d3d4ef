from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import offer, set_queryset
from tongxin.projects.models import NeedCategory, Suggestion

DATE = forms.DateInput(attrs={"type": "date"})


class YuanField(forms.DecimalField):
    """An amount in yuan: never negative, to the fen."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=Decimal("0"), max_digits=12, decimal_places=2, **kwargs)


def to_fen(value: Decimal | None) -> int:
    return int((value or Decimal(0)) * 100)


class CategoryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: NeedCategory) -> str:
        return f"{obj.aspect.name} · {obj.name}"


class SuggestionForm(forms.Form):
    title = forms.CharField(
        label=_("您的建议"),
        max_length=100,
        help_text=_("一句话说明希望社区解决的问题，例如“楼道灯经常不亮”。"),
    )
    category = CategoryChoiceField(label=_("需求类别"), queryset=NeedCategory.objects.none())
    body = forms.CharField(
        label=_("详细说明"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, categories=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["category"], categories)


class MeetingSuggestionForm(SuggestionForm):
    area = forms.ModelChoiceField(label=_("社区/小区"), queryset=NeedCategory.objects.none())
    meeting = forms.CharField(
        label=_("提出的会议"), max_length=100, help_text=_("例如：11月墙门月光会、居民说事厅")
    )

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["title"].label = _("居民建议")
        offer(self.fields["area"], areas)


class ProjectForm(forms.Form):
    name = forms.CharField(label=_("项目名称"), max_length=100)
    category = CategoryChoiceField(label=_("回应需求类别"), queryset=NeedCategory.objects.none())
    lead_org = forms.ModelChoiceField(
        label=_("牵头党组织（大掌柜）"), queryset=NeedCategory.objects.none()
    )
    operator = forms.ModelChoiceField(
        label=_("运营社会组织（店小二）"), required=False, queryset=NeedCategory.objects.none()
    )
    area = forms.ModelChoiceField(label=_("服务区域"), queryset=NeedCategory.objects.none())
    budget = YuanField(label=_("预算（元）"))
    starts_on = forms.DateField(label=_("开始日期"), required=False, widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), required=False, widget=DATE)
    summary = forms.CharField(
        label=_("项目内容"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    suggestions = forms.ModelMultipleChoiceField(
        label=_("纳入的居民建议"),
        required=False,
        queryset=Suggestion.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    def __init__(
        self,
        *args,
        categories=None,
        orgs=None,
        operators=None,
        areas=None,
        suggestions=None,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        offer(self.fields["category"], categories)
        offer(self.fields["lead_org"], orgs)
        offer(self.fields["operator"], operators)
        offer(self.fields["area"], areas)
        set_queryset(self.fields["suggestions"], suggestions)


class BudgetLineForm(forms.Form):
    item = forms.CharField(label=_("支出事项"), max_length=100)
    amount = YuanField(label=_("金额（元）"))


class ActivityForm(forms.Form):
    title = forms.CharField(label=_("活动名称"), max_length=100)
    held_on = forms.DateField(label=_("日期"), widget=DATE)
    place = forms.CharField(label=_("地点"), max_length=100, required=False)
    participants = forms.IntegerField(label=_("参与人次"), min_value=0, initial=0)


class OutcomeForm(forms.Form):
    outcome = forms.CharField(
        label=_("项目成效"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("评分"), coerce=int, choices=[(i, f"{i} ★") for i in range(5, 0, -1)], initial=5
    )
    comment = forms.CharField(
        label=_("评价（选填）"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
