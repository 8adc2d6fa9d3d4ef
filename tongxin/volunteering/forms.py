from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.geo.models import Area
from tongxin.orgs.models import Organization
from tongxin.volunteering.models import VolunteerTeam


class TeamForm(forms.Form):
    name = forms.CharField(label=_("队伍名称"), max_length=200)
    org = forms.ModelChoiceField(label=_("所属党组织"), queryset=Organization.objects.none())
    area = forms.ModelChoiceField(label=_("服务社区"), queryset=Area.objects.none(), required=False)
    is_party_member_team = forms.BooleanField(
        label=_("党员志愿服务队"), required=False, initial=True
    )
    description = forms.CharField(label=_("简介"), max_length=300, required=False)


class ActivityForm(forms.Form):
    team = forms.ModelChoiceField(label=_("志愿服务队"), queryset=VolunteerTeam.objects.none())
    title = forms.CharField(label=_("活动名称"), max_length=200)
    place = forms.CharField(label=_("地点"), max_length=200)
    start = forms.DateTimeField(
        label=_("开始时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = forms.DateTimeField(
        label=_("结束时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    slots = forms.IntegerField(label=_("名额"), initial=10)
    description = forms.CharField(
        label=_("活动内容"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    waitlist = forms.BooleanField(label=_("允许候补"), required=False, initial=True)
    open_to_residents = forms.BooleanField(label=_("居民可报名"), required=False, initial=True)


class HoursForm(forms.Form):
    minutes = forms.IntegerField(label=_("时长（分钟）"))
    note = forms.CharField(label=_("说明"), max_length=200, required=False)
