from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import offer, set_choices
from tongxin.geo.models import Area
from tongxin.orgs.models import Organization


class LoadForm(forms.Form):
    area = forms.ModelChoiceField(label=_("村/社区"), queryset=Area.objects.none())
    org = forms.ModelChoiceField(
        label=_("责任党组织"),
        queryset=Organization.objects.none(),
        help_text=_("村（社区）党组织，清单的所有者。"),
    )

    def __init__(self, *args, areas=None, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["area"], areas)
        offer(self.fields["org"], orgs)


class ItemForm(forms.Form):
    name = forms.CharField(label=_("权力事项名称"), max_length=100)
    basis = forms.CharField(label=_("依据"), max_length=300, required=False)
    active = forms.BooleanField(label=_("启用"), required=False)


class StepForm(forms.Form):
    name = forms.CharField(label=_("环节名称"), max_length=60)
    role = forms.CharField(label=_("责任主体"), max_length=60)
    documents = forms.CharField(
        label=_("所需材料"),
        max_length=700,
        required=False,
        help_text=_("多项用顿号或逗号分隔，例如：申请书、户口簿。"),
    )
    publicity_days = forms.IntegerField(
        label=_("公示天数"), min_value=0, max_value=90, help_text=_("0 表示本环节不是公示。")
    )
    limit_days = forms.IntegerField(label=_("办理时限（天）"), min_value=1, max_value=365)


def split_documents(text: str) -> list[str]:
    for sep in ("，", ",", "；", ";", "\n"):
        text = text.replace(sep, "、")
    return [d.strip() for d in text.split("、") if d.strip()]


class InstanceForm(forms.Form):
    title = forms.CharField(
        label=_("事由"), max_length=100, help_text=_("公开显示，例如“2026年村道硬化工程”。")
    )
    applicant = forms.CharField(
        label=_("申请人"),
        max_length=30,
        required=False,
        help_text=_("个人申请的事项填写；公开时只显示姓氏。"),
    )


class DocumentForm(forms.Form):
    name: forms.ChoiceField = forms.ChoiceField(label=_("材料"), choices=())
    file = forms.FileField(label=_("文件（图片或 PDF，10 MB 以内）"))

    def __init__(self, *args, names=(), **kwargs):
        super().__init__(*args, **kwargs)
        set_choices(self.fields["name"], [(n, n) for n in names])


class AdvanceForm(forms.Form):
    note = forms.CharField(
        label=_("办理说明"), max_length=300, required=False, widget=forms.Textarea({"rows": 2})
    )


class ObjectionForm(forms.Form):
    text = forms.CharField(
        label=_("异议内容"),
        max_length=500,
        widget=forms.Textarea({"rows": 3}),
        help_text=_("请写明对公示内容的具体意见；电话号码等联系方式会被隐藏。"),
    )


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("答复"), max_length=500, widget=forms.Textarea({"rows": 2}))
