from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import offer
from tongxin.meetings.models import MeetingKind, Recurrence
from tongxin.members.models import Member
from tongxin.orgs.models import Organization

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
WEEKDAYS = [
    (i, label)
    for i, label in enumerate(
        [_("星期一"), _("星期二"), _("星期三"), _("星期四"), _("星期五"), _("星期六"), _("星期日")]
    )
]


class PlanForm(forms.Form):
    org = forms.ModelChoiceField(label=_("党组织"), queryset=Organization.objects.none())
    kind = forms.ChoiceField(label=_("会议类型"), choices=MeetingKind.choices)
    title = forms.CharField(label=_("主题"), max_length=200)
    date = forms.DateField(label=_("日期"), widget=DATE)
    start_time = forms.TimeField(label=_("开始时间"), widget=TIME)
    end_time = forms.TimeField(label=_("结束时间"), widget=TIME)
    location = forms.CharField(label=_("地点"), max_length=200, required=False)
    presenter = forms.CharField(label=_("主持人/主讲人"), max_length=50, required=False)
    recorder = forms.CharField(label=_("记录人"), max_length=50, required=False)

    def __init__(self, *args, orgs=None, fixed_org=False, **kwargs):
        super().__init__(*args, **kwargs)
        offer(
            self.fields["org"],
            orgs if orgs is not None else Organization.objects.none(),
            selected=self.initial.get("org"),
        )
        if fixed_org:
            del self.fields["org"]


class SeriesForm(forms.Form):
    org = forms.ModelChoiceField(label=_("党组织"), queryset=Organization.objects.none())
    kind = forms.ChoiceField(
        label=_("会议类型"), choices=MeetingKind.choices, initial=MeetingKind.LECTURE
    )
    title = forms.CharField(label=_("名称"), max_length=200, initial=_("周二夜学"))
    recurrence = forms.ChoiceField(label=_("周期"), choices=Recurrence.choices)
    weekday = forms.TypedChoiceField(
        label=_("每周的星期"), choices=WEEKDAYS, coerce=int, required=False, initial=1
    )
    day_of_month = forms.IntegerField(
        label=_("每月的日期"), min_value=1, max_value=31, required=False
    )
    start_time = forms.TimeField(label=_("开始时间"), widget=TIME, initial="19:00")
    end_time = forms.TimeField(label=_("结束时间"), widget=TIME, initial="20:30")
    location = forms.CharField(label=_("地点"), max_length=200, required=False)
    starts_on = forms.DateField(label=_("起始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("截止日期"), widget=DATE)

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["org"], orgs if orgs is not None else Organization.objects.none())


class RecordForm(forms.Form):
    title = forms.CharField(label=_("主题"), max_length=200)
    presenter = forms.CharField(label=_("主持人/主讲人"), max_length=50)
    recorder = forms.CharField(label=_("记录人"), max_length=50)
    content = forms.CharField(label=_("会议内容"), widget=forms.Textarea(attrs={"rows": 6}))
    decisions = forms.CharField(
        label=_("决议事项"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CheckInForm(forms.Form):
    code = forms.CharField(label=_("二维码内容或签到码"), max_length=400)


class AttachmentForm(forms.Form):
    file = forms.FileField(label=_("附件（图片或PDF，10 MB以内）"))


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核结果"), choices=[("approve", _("通过")), ("return", _("退回补正"))]
    )
    note = forms.CharField(label=_("审核意见"), max_length=500, required=False)


class GuestForm(forms.Form):
    member = forms.ModelChoiceField(label=_("列席党员"), queryset=Member.objects.none())

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(
            self.fields["member"],
            members if members is not None else Member.objects.none(),
            limit=300,
        )
