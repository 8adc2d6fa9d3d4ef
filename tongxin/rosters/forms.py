from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_("名册文件"),
        help_text=_("Excel（.xlsx、.xls）、WPS/LibreOffice（.ods）或CSV，最好使用导入模板。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )


class OrgUploadForm(forms.Form):
    file = forms.FileField(
        label=_("党组织名册文件"),
        help_text=_("Excel（.xlsx、.xls）、WPS/LibreOffice（.ods）或CSV，最好使用导入模板。"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.ods,.csv"}),
    )
