"""双报到 forms: a report filed by the member's organization, a member's own report, and the
hours a community logs (entered in hours, kept in minutes)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from tongxin.core.errors import ServiceError
from tongxin.geo.models import Area

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class DualReportForm(forms.Form):
    community = forms.ModelChoiceField(label=_("报到社区（村）"), queryset=Area.objects.none())
    reported_on = forms.DateField(label=_("报到日期"), widget=DATE)
    note = forms.CharField(label=_("说明"), max_length=200, required=False)


class OwnReportForm(forms.Form):
    community = forms.ModelChoiceField(
        label=_("报到社区（村）"),
        queryset=Area.objects.none(),
        help_text=_("请选择您居住地所在的社区（村）；社区接收后会为您安排服务岗位。"),
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=200,
        required=False,
        help_text=_("选填，例如可服务的时间、特长。"),
    )


class HoursForm(forms.Form):
    served_on = forms.DateField(label=_("服务日期"), widget=DATE)
    hours = forms.CharField(
        label=_("服务时长（小时）"), max_length=10, help_text=_("例如 1.5 表示1小时30分钟")
    )
    note = forms.CharField(label=_("服务内容"), max_length=200, required=False)


def parse_hours(text: str) -> int:
    """ "2", "1.5", "0.25" hours → minutes; anything else → ServiceError on field hours."""
    msg = gettext("服务时长请填写0.1至24之间的小时数，例如 1.5。")
    try:
        value = Decimal(str(text).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(msg, fields={"hours": msg}) from None
    if not value.is_finite() or value <= 0 or value > 24:
        raise ServiceError(msg, fields={"hours": msg})
    minutes = int((value * 60).to_integral_value())
    if minutes < 1:
        raise ServiceError(msg, fields={"hours": msg})
    return minutes
