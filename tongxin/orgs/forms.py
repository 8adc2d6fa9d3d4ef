from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import offer
from tongxin.geo.models import Area
from tongxin.orgs.hooks import member_reader
from tongxin.orgs.models import (
    Establishment,
    LeadershipRole,
    Organization,
    OrgKind,
    Sector,
    Unit,
)


class OrgForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=200)
    kind = forms.ChoiceField(label=_("类型"), choices=OrgKind.choices)
    establishment = forms.ChoiceField(label=_("设置方式"), choices=Establishment.choices)
    sector = forms.ChoiceField(label=_("领域"), choices=Sector.choices)
    is_joint = forms.BooleanField(label=_("联合党组织"), required=False)
    is_temporary = forms.BooleanField(label=_("临时党组织"), required=False)
    area = forms.ModelChoiceField(label=_("所在区域"), queryset=Area.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("所在单位"), queryset=Unit.objects.none(), required=False)
    founded_on = forms.DateField(
        label=_("成立日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, areas=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(
            self.fields["area"],
            areas if areas is not None else Area.objects.none(),
            selected=self.initial.get("area"),
        )
        offer(
            self.fields["unit"],
            units if units is not None else Unit.objects.none(),
            selected=self.initial.get("unit"),
        )


class LeadershipForm(forms.Form):
    member: forms.ModelChoiceField[Any] = forms.ModelChoiceField(label=_("党员"), queryset=None)
    role = forms.ChoiceField(label=_("职务"), choices=LeadershipRole.choices)
    term_start = forms.DateField(
        label=_("任期开始"), widget=forms.DateInput(attrs={"type": "date"})
    )
    term_end = forms.DateField(label=_("任期结束"), widget=forms.DateInput(attrs={"type": "date"}))
    holds_dual_role = forms.BooleanField(
        label=_("一肩挑（兼任村/社区主任或单位负责人）"), required=False
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Any member of the subtree validates; the list offers the first 500 by name.
        offer(self.fields["member"], members if members is not None else member_reader().none())


class MoveForm(forms.Form):
    parent = forms.ModelChoiceField(label=_("新的上级组织"), queryset=Organization.objects.none())

    def __init__(self, *args, parents=None, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["parent"]).queryset = parents


class UnitForm(forms.Form):
    name = forms.CharField(label=_("单位名称"), max_length=200)
    sector = forms.ChoiceField(label=_("领域"), choices=Sector.choices)
    credit_code = forms.CharField(label=_("统一社会信用代码"), max_length=30, required=False)
    area = forms.ModelChoiceField(label=_("所在区域"), queryset=Area.objects.none(), required=False)
    address = forms.CharField(label=_("地址"), max_length=200, required=False)

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(
            self.fields["area"],
            areas if areas is not None else Area.objects.none(),
            selected=self.initial.get("area"),
        )
