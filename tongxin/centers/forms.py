from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.centers.models import CenterLevel, EventKind, SocialOrgKind
from tongxin.geo.models import Area
from tongxin.orgs.models import Organization


class CenterForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    level = forms.ChoiceField(label=_("层级"), choices=CenterLevel.choices)
    org = forms.ModelChoiceField(label=_("运行党组织"), queryset=Organization.objects.none())
    area = forms.ModelChoiceField(label=_("所在区域"), queryset=Area.objects.none())
    address = forms.CharField(label=_("地址"), max_length=200, required=False)
    latitude = forms.DecimalField(label=_("纬度"), required=False, max_digits=9, decimal_places=6)
    longitude = forms.DecimalField(label=_("经度"), required=False, max_digits=9, decimal_places=6)
    opening_text = forms.CharField(
        label=_("开放时间"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一组，例如“周一-周五 08:30-12:00 14:00-17:30”，“周六 09:00-12:00”。"),
    )
    services = forms.CharField(
        label=_("服务内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    closed_text = forms.CharField(
        label=_("休息日（节假日）"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一天或一段，例如“2026-10-01~2026-10-07 国庆节”；这些日子不接受预约。"),
    )
    phone = forms.CharField(
        label=_("联系电话（公开）"),
        max_length=20,
        required=False,
        help_text=_("中心的对外电话，向所有人完整显示。"),
    )
    contact_name = forms.CharField(label=_("联系人"), max_length=50, required=False)
    contact_phone = forms.CharField(
        label=_("联系人手机（不公开）"),
        max_length=20,
        required=False,
        help_text=_("个人手机号加密保存，只向本中心的管理人员显示。"),
    )


class RoomForm(forms.Form):
    name = forms.CharField(label=_("场地名称"), max_length=100)
    capacity = forms.IntegerField(label=_("容纳人数"), initial=20)


class ItemForm(forms.Form):
    name = forms.CharField(label=_("服务事项"), max_length=100)
    category = forms.CharField(label=_("类别"), max_length=50, required=False)
    bookable = forms.BooleanField(label=_("可预约"), required=False)
    duration_minutes = forms.IntegerField(label=_("办理时长（分钟）"), initial=30)


class EventForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=EventKind.choices,
        widget=forms.Select(attrs={"class": "form-select form-select-sm", "id": "ev-kind"}),
    )
    title = forms.CharField(label=_("名称"), max_length=200)
    starts_on = forms.DateField(label=_("开始日期"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=_("结束日期"), widget=forms.DateInput(attrs={"type": "date"}))


class BookingForm(forms.Form):
    target = forms.ChoiceField(label=_("预约场地或服务"))
    purpose = forms.CharField(label=_("用途"), max_length=200)
    start = forms.DateTimeField(
        label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = forms.DateTimeField(
        label=_("结束时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


class SocialOrgForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=SocialOrgKind.choices)
    area = forms.ModelChoiceField(label=_("所在区域"), queryset=Area.objects.none())
    guiding_org = forms.ModelChoiceField(
        label=_("指导党组织"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("留空则按“属地为主、行业为辅、区域兜底”自动确定。"),
    )
    services = forms.CharField(label=_("服务领域"), max_length=300, required=False)
