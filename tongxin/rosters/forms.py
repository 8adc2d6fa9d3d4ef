from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from tongxin.core.forms import offer
from tongxin.orgs.models import Organization


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("名册文件"),
        help_text=_("Excel（.xlsx、.xls）、WPS/LibreOffice（.ods）或CSV，最好使用导入模板。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )
    org = forms.ModelChoiceField(
        label=_("导入到"),
        queryset=Organization.objects.none(),
        required=False,
        help_text=_("表格中没有“所在党组织”列或留空的党员，登记在这个党组织；填写了的以表格为准。"),
        error_messages={
            "invalid_choice": _("所选党组织不在您的管辖范围内，请从列表中选择您管理的党组织。")
        },
    )

    def __init__(self, *args, orgs=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Any organization in reach is accepted; the list shows the first 500 in tree order
        # (a street's branches), with the default one always among them.
        offer(
            self.fields["org"],
            orgs if orgs is not None else Organization.objects.none(),
            selected=self.initial.get("org"),
        )


class OrgUploadForm(forms.Form):
    file = forms.FileField(
        label=_("党组织名册文件"),
        help_text=_("Excel（.xlsx、.xls）、WPS/LibreOffice（.ods）或CSV，最好使用导入模板。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )
