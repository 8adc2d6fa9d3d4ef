"""Forms of the deliberation pages: parse only; the services validate and refuse."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.deliberation.models import Forum, ForumKind, OwnerKind, PartyKind, Satisfaction
from tongxin.geo.models import Area
from tongxin.orgs.models import Organization

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
DATE = forms.DateInput(attrs={"type": "date"})


class RaiseForm(forms.Form):
    forum = forms.ModelChoiceField(Forum.objects.none(), label=_("议事平台"))
    title = forms.CharField(label=_("想议的事"), max_length=200)
    body = forms.CharField(
        label=_("详细说明"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    public = forms.BooleanField(label=_("公开（邻居可以看到并参与）"), required=False, initial=True)


class EnterForm(forms.Form):
    title = forms.CharField(label=_("议题"), max_length=200)
    body = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    raised_by_name = forms.CharField(label=_("提出人"), max_length=50, required=False)


class ForumForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=60)
    kind = forms.ModelChoiceField(ForumKind.objects.all(), label=_("类型"))
    area = forms.ModelChoiceField(Area.objects.none(), label=_("所在社区/村/小区"))
    host_org = forms.ModelChoiceField(Organization.objects.none(), label=_("主持党组织"))
    meeting_days = forms.CharField(label=_("说事日（每月几日）"), max_length=40, required=False)


class SessionForm(forms.Form):
    held_at = forms.DateTimeField(label=_("时间"), widget=DT)
    place = forms.CharField(label=_("地点"), max_length=100)
    topics = forms.MultipleChoiceField(label=_("议程（议事中的议题）"), choices=[])
    parties = forms.MultipleChoiceField(
        label=_("邀请参加"), choices=PartyKind.choices, widget=forms.CheckboxSelectMultiple
    )
    invited_note = forms.CharField(label=_("邀请单位/人员"), max_length=300, required=False)


class VoteForm(forms.Form):
    question = forms.CharField(label=_("表决事项"), max_length=200)
    options = forms.CharField(
        label=_("选项（每行一个）"),
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="同意\n不同意\n弃权",
    )
    closes_at = forms.DateTimeField(label=_("截止时间"), widget=DT)


class ActionForm(forms.Form):
    title = forms.CharField(label=_("办理事项"), max_length=100)
    owner_kind = forms.ChoiceField(label=_("责任方类型"), choices=OwnerKind.choices)
    owner_name = forms.CharField(label=_("责任方"), max_length=60)
    deadline = forms.DateField(label=_("完成期限"), widget=DATE)


class RateForm(forms.Form):
    value = forms.ChoiceField(
        label=_("您对办理结果的评价"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
