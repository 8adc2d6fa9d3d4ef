from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.centers.hours import format_closed_dates, format_opening_hours
from tongxin.redmap.models import RedSite, SiteKind


class SiteForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=SiteKind.choices)
    org: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("管理党组织"), queryset=None)
    area: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("所在区域"), queryset=None)
    address = forms.CharField(label=_("地址"), max_length=200)
    latitude = forms.FloatField(label=_("纬度"), help_text=_("如 29.874556"))
    longitude = forms.FloatField(label=_("经度"), help_text=_("如 121.550357"))
    radius_m = forms.IntegerField(label=_("打卡半径（米）"), initial=200)
    capacity = forms.IntegerField(label=_("同时段接待人数"), initial=50)
    hours_text = forms.CharField(
        label=_("开放时间"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("每行一组，如“周二-周日 09:00-16:30”；留空表示不限。"),
    )
    closed_text = forms.CharField(
        label=_("闭馆日期"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("每行一个日期或区间，如“2026-10-01~2026-10-07 国庆节”。"),
    )
    story = forms.CharField(
        label=_("红色故事"), required=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    is_active = forms.BooleanField(label=_("开放"), required=False, initial=True)

    @staticmethod
    def initial_for(site: RedSite) -> dict[str, object]:
        return {
            "name": site.name,
            "kind": site.kind,
            "org": site.org_id,
            "area": site.area_id,
            "address": site.address,
            "latitude": site.latitude,
            "longitude": site.longitude,
            "radius_m": site.radius_m,
            "capacity": site.capacity,
            "hours_text": format_opening_hours(site.opening_hours or {}),
            "closed_text": format_closed_dates(site.closed_dates or []),
            "story": site.story,
            "is_active": site.is_active,
        }


class BookForm(forms.Form):
    branch: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("党支部"), queryset=None)
    date = forms.DateField(label=_("参观日期"), widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label=_("开始时间"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(label=_("结束时间"), widget=forms.TimeInput(attrs={"type": "time"}))
    people = forms.IntegerField(label=_("参观人数"), min_value=1, max_value=100000)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("打卡码"),
        required=False,
        max_length=40,
        help_text=_("门口屏幕或二维码上的6位打卡码；扫描门口二维码会自动填入。"),
    )
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput)
    accuracy = forms.FloatField(required=False, widget=forms.HiddenInput)


class LessonForm(forms.Form):
    title = forms.CharField(label=_("课程名称"), max_length=200)
    body = forms.CharField(label=_("课程内容"), widget=forms.Textarea(attrs={"rows": 8}))


class FileForm(forms.Form):
    file = forms.FileField(
        label=_("文件"), help_text=_("图片（JPG、PNG、GIF、WebP）或PDF，最大10 MB")
    )


ROUTE_STOPS = 6


class RouteForm(forms.Form):
    """初心之旅: a name, the publishing organization and up to six stops in order."""

    name = forms.CharField(label=_("线路名称"), max_length=100)
    org: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("发布党组织"), queryset=None)
    description = forms.CharField(
        label=_("线路介绍"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, sites: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(1, ROUTE_STOPS + 1):
            self.fields[f"stop_{i}"] = forms.ModelChoiceField(
                label=_("第%(n)s站") % {"n": i}, queryset=sites, required=False
            )

    def stops(self) -> list[Any]:
        return [
            self.cleaned_data[f"stop_{i}"]
            for i in range(1, ROUTE_STOPS + 1)
            if self.cleaned_data.get(f"stop_{i}") is not None
        ]
