from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.cases.models import Category, Priority
from tongxin.core.forms import offer
from tongxin.geo.models import Area

_NONE_AREA = Area.objects.none()
_NONE_CATEGORY = Category.objects.none()


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class ReportForm(forms.Form):
    """Staff (grid worker, street) report; residents use ResidentReportForm."""

    area = forms.ModelChoiceField(label=_("地点（社区/小区/楼栋）"), queryset=_NONE_AREA)
    category = forms.ModelChoiceField(label=_("类别"), queryset=_NONE_CATEGORY)
    priority = forms.ChoiceField(label=_("紧急程度"), choices=Priority.choices)
    title = forms.CharField(label=_("标题"), max_length=100, required=False)
    description = forms.CharField(label=_("问题描述"), widget=forms.Textarea(attrs={"rows": 4}))
    address = forms.CharField(label=_("详细位置"), max_length=200, required=False)
    reporter_name = forms.CharField(label=_("反映人"), max_length=50, required=False)
    reporter_phone = forms.CharField(label=_("反映人电话"), max_length=20, required=False)
    photos = MultipleFileField(label=_("照片（最多6张，每张不超过10 MB）"), required=False)

    def __init__(self, *args: Any, areas: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        offer(self.fields["area"], areas)
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = categories


class CoordinateField(forms.CharField):
    """A latitude or longitude as typed (or filled in by the map): a Decimal, or None."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off", "maxlength": 20}),
        )
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        text = (super().to_python(value) or "").strip()
        if not text:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            number = Decimal("NaN")
        if not number.is_finite():
            raise forms.ValidationError(
                _("%(label)s应为数字（如 29.868336），请在地图上重新点选。"),
                params={"label": self.label},
            )
        return number


class ResidentReportForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("什么问题"), queryset=_NONE_CATEGORY, empty_label=_("请选择类别")
    )
    area = forms.ModelChoiceField(
        label=_("在哪里"),
        queryset=_NONE_AREA,
        empty_label=_("请选择小区或楼栋"),
        required=False,
        help_text=_("可从列表选择，也可在下方地图上点选位置（只点地图时自动匹配最近的小区）。"),
    )
    latitude = CoordinateField(label=_("纬度"))
    longitude = CoordinateField(label=_("经度"))
    address = forms.CharField(
        label=_("具体位置"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：3号楼东侧")}),
    )
    description = forms.CharField(
        label=_("问题描述"),
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": _("请描述问题的情况、持续时间等")}),
    )
    photos = MultipleFileField(label=_("照片（可选，最多6张）"), required=False)

    def __init__(self, *args: Any, areas: Any, categories: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["area"]).queryset = areas
        cast(forms.ModelChoiceField, self.fields["category"]).queryset = categories


class ApiKeyForm(forms.Form):
    name = forms.CharField(label=_("应用名称"), max_length=100)
    area = forms.ModelChoiceField(label=_("管辖区域"), queryset=_NONE_AREA)
    per_minute = forms.IntegerField(label=_("每分钟请求上限"), initial=600, min_value=1)

    def __init__(self, *args: Any, areas: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        offer(self.fields["area"], areas)
