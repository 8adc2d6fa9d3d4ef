from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.accounts.models import User
from tongxin.core.forms import offer
from tongxin.geo.models import Area
from tongxin.grids.models import Grid, GridWorkerRole
from tongxin.grids.selectors import user_label
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, Unit


class CommunityForm(forms.Form):
    community = forms.ModelChoiceField(label=_("所在社区/村"), queryset=Area.objects.none())

    def __init__(self, *args, communities=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(
            self.fields["community"],
            communities if communities is not None else Area.objects.none(),
        )


class GridForm(forms.Form):
    name = forms.CharField(label=_("网格名称"), max_length=100)
    code = forms.CharField(label=_("网格编号"), max_length=40, required=False)
    serving_branch = forms.ModelChoiceField(
        label=_("服务党支部"),
        queryset=Organization.objects.none(),
        help_text=_("一个网格由一个党支部服务；一个党支部可服务多个网格。"),
    )
    compounds = forms.ModelMultipleChoiceField(
        label=_("覆盖小区"),
        queryset=Area.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    units = forms.ModelMultipleChoiceField(
        label=_("覆盖单位"),
        queryset=Unit.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("单位网格（专属网格）按单位划分：本单位的党员可按工作单位编入。"),
    )

    def __init__(self, *args, branches=None, compounds=None, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(
            self.fields["serving_branch"],
            branches if branches is not None else Organization.objects.none(),
            selected=self.initial.get("serving_branch"),
        )
        cast(forms.ModelMultipleChoiceField, self.fields["compounds"]).queryset = (
            compounds if compounds is not None else Area.objects.none()
        )
        cast(forms.ModelChoiceField, self.fields["units"]).queryset = (
            units if units is not None else Unit.objects.none()
        )


class InstructorForm(forms.Form):
    member = forms.ModelChoiceField(label=_("网格党建指导员"), queryset=Member.objects.none())
    replace = forms.BooleanField(
        label=_("更换现任指导员"),
        required=False,
        help_text=_("一个网格只能有一名指导员；已有指导员时须勾选此项才能更换。"),
    )

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["member"], members if members is not None else Member.objects.none())


class WorkerForm(forms.Form):
    """网格员 are accounts: the form offers the accounts the user reaches, near ones first."""

    role = forms.ChoiceField(label=_("职责"), choices=GridWorkerRole.choices)
    user = forms.ModelChoiceField(
        label=_("账号"),
        queryset=User.objects.none(),
        help_text=_("网格员用自己的账号上报事件、登记走访；列出您管辖范围内的账号，本社区的在前。"),
    )

    def __init__(self, *args, users=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(
            self.fields["user"],
            users if users is not None else User.objects.none(),
            label=user_label,
        )


class MoveMemberForm(forms.Form):
    """On a grid's assignment page: a member to bring into this grid."""

    member = forms.ModelChoiceField(label=_("党员"), queryset=Member.objects.none())

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["member"], members if members is not None else Member.objects.none())


class MemberGridForm(forms.Form):
    """On a member's page: the grid to put them in."""

    grid = forms.ModelChoiceField(label=_("网格"), queryset=Grid.objects.none())

    def __init__(self, *args, grids=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(
            self.fields["grid"],
            grids if grids is not None else Grid.objects.none(),
            selected=self.initial.get("grid"),
        )
