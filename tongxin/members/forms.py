from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import offer
from tongxin.geo.models import Area
from tongxin.members.models import Education, MemberStatus, Standing
from tongxin.orgs.models import Unit

DATE = forms.DateInput(attrs={"type": "date"})


class MemberForm(forms.Form):
    name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(label=_("身份证号码"), max_length=30)
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    ethnicity = forms.CharField(label=_("民族"), max_length=20, initial="汉族", required=False)
    education = forms.ChoiceField(
        label=_("学历"), choices=[("", _("未登记")), *Education.choices], required=False
    )
    status = forms.ChoiceField(label=_("党员类别"), choices=MemberStatus.choices)
    standing = forms.ChoiceField(label=_("党籍状态"), choices=Standing.choices, initial="normal")
    joined_on = forms.DateField(label=_("入党日期"), widget=DATE)
    confirmed_on = forms.DateField(label=_("转正日期"), required=False, widget=DATE)
    residence = forms.ModelChoiceField(
        label=_("居住地（小区/楼栋）"), queryset=Area.objects.none(), required=False
    )
    work_unit = forms.ModelChoiceField(
        label=_("工作单位"), queryset=Unit.objects.none(), required=False
    )
    is_floating = forms.BooleanField(label=_("流动党员"), required=False)
    is_lost_contact = forms.BooleanField(label=_("失联党员"), required=False)
    is_model_post = forms.BooleanField(label=_("党员示范岗"), required=False)
    is_party_household = forms.BooleanField(label=_("共产党员户"), required=False)
    floating_to = forms.CharField(
        label=_("流动去向"), max_length=200, required=False, help_text=_("流动党员必填")
    )

    def __init__(self, *args, areas=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(
            self.fields["residence"],
            areas if areas is not None else Area.objects.none(),
            selected=self.initial.get("residence"),
        )
        offer(
            self.fields["work_unit"],
            units if units is not None else Unit.objects.none(),
            selected=self.initial.get("work_unit"),
        )
