"""居民注册: residents register themselves (name, mobile number, home compound, password) and
land on their compound's 共享小区 board. The phone is stored encrypted with a blind index
(Resident.set_phone); one account per mobile number."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import login, password_validation
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tongxin.accounts.selectors import home_choices
from tongxin.accounts.services import resident_register
from tongxin.core import ratelimit
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error, offer
from tongxin.core.request_context import client_ip
from tongxin.geo.models import Area

# Registration attempts per address per hour: enough for a family or a community worker
# registering neighbours at the service centre, not for a script filling the resident list.
REGISTER_PER_HOUR = 20


class ResidentRegisterForm(forms.Form):
    username = forms.CharField(
        label=_("登录名"), max_length=30, help_text=_("字母、数字或下划线，登录时使用。")
    )
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(
        label=_("手机号码"), max_length=20, help_text=_("仅在您与邻居确认对接后向对方显示。")
    )
    home = forms.ModelChoiceField(label=_("居住小区"), queryset=Area.objects.none())
    password1 = forms.CharField(
        label=_("密码"),
        widget=forms.PasswordInput,
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput)

    def __init__(self, *args, homes=None, **kwargs):
        super().__init__(*args, **kwargs)
        offer(self.fields["home"], homes if homes is not None else home_choices())
        self.fields["password1"].help_text = gettext("至少10位，须同时包含字母和数字。")


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("sharing:home")
    search = request.GET.get("q", "")
    form = ResidentRegisterForm(request.POST or None, homes=home_choices(search))
    if request.method == "POST" and (
        ratelimit.hit("register", client_ip(request) or "unknown", window=3600) > REGISTER_PER_HOUR
    ):
        form.is_valid()  # keep what was typed on the page
        form.add_error(
            None,
            gettext("这台设备一小时内注册次数过多，请一小时后再试，或联系社区工作人员帮您登记。"),
        )
        return render(
            request, "accounts/resident_register.html", {"form": form, "q": search}, status=429
        )
    if request.method == "POST" and form.is_valid():
        data: dict[str, Any] = dict(form.cleaned_data)
        try:
            resident = resident_register(**data)
        except ServiceError as e:
            apply_service_error(form, e)
        else:
            login(request, resident.user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("sharing:home")
    return render(request, "accounts/resident_register.html", {"form": form, "q": search})
