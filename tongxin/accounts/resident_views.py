"""居民注册: residents register themselves (name, mobile number, home compound, password) and
land on their compound's 共享小区 board. The phone is stored encrypted with a blind index
(Resident.set_phone); one account per mobile number."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import login, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from tongxin.accounts.models import Resident, User
from tongxin.core import pii
from tongxin.core.audit import audit
from tongxin.core.errors import ServiceError
from tongxin.core.forms import apply_service_error, offer
from tongxin.geo.models import Area
from tongxin.geo.selectors import RESIDENCE_LEVELS


def home_choices(text: str = ""):  # type: ignore[no-untyped-def]
    """Compounds and buildings a resident may call home; narrowed by a name search."""
    qs = Area.objects.filter(level__in=RESIDENCE_LEVELS)
    if text.strip():
        qs = qs.filter(name__contains=text.strip())
    return qs.order_by("path")


class ResidentRegisterForm(forms.Form):
    username = forms.CharField(label=_("登录名"), max_length=30,
                               help_text=_("字母、数字或下划线，登录时使用。"))  # fmt: skip
    name = forms.CharField(label=_("姓名"), max_length=50)
    phone = forms.CharField(label=_("手机号码"), max_length=20,
                            help_text=_("仅在您与邻居确认对接后向对方显示。"))  # fmt: skip
    home = forms.ModelChoiceField(label=_("居住小区"), queryset=Area.objects.none())
    password1 = forms.CharField(label=_("密码"), widget=forms.PasswordInput,
                                help_text=password_validation.password_validators_help_text_html)  # fmt: skip
    password2 = forms.CharField(label=_("确认密码"), widget=forms.PasswordInput)

    def __init__(self, *args, homes=None, **kwargs):  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        offer(self.fields["home"], homes if homes is not None else home_choices())
        self.fields["password1"].help_text = gettext("至少10位，须同时包含字母和数字。")


@transaction.atomic
def resident_register(*, username: str, name: str, phone: str, home: Area | None,
                      password1: str, password2: str) -> Resident:  # fmt: skip
    """The registration's one write: the user and the resident profile, or nothing."""
    errors: dict[str, str] = {}
    username = username.strip()
    if not username or not username.replace("_", "").isalnum() or not username.isascii():
        errors["username"] = gettext("登录名只能包含字母、数字和下划线。")
    elif User.objects.filter(username__iexact=username).exists():
        errors["username"] = gettext("该登录名已被使用，请换一个。")
    if not name.strip():
        errors["name"] = gettext("请填写姓名。")
    number = pii.normalize_phone(phone)
    if not pii.is_mobile(number):
        errors["phone"] = gettext("手机号码应为11位、以1开头的数字，请核对。")
    elif Resident.objects.filter(phone_index__in=pii.blind_indexes(number)).exists():
        errors["phone"] = gettext("该手机号已注册，请直接登录；忘记密码请联系社区工作人员。")
    if home is None or home.level not in RESIDENCE_LEVELS:
        errors["home"] = gettext("请选择您居住的小区或楼栋。")
    if password1 != password2:
        errors["password2"] = gettext("两次输入的密码不一致。")
    else:
        try:
            password_validation.validate_password(
                password1, User(username=username, display_name=name)
            )
        except ValidationError as e:
            errors["password1"] = " ".join(e.messages)
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    assert home is not None
    try:
        with transaction.atomic():
            user = User.objects.create_user(username=username, password=password1,
                                            display_name=name.strip())  # fmt: skip
    except IntegrityError:
        message = gettext("该登录名已被使用，请换一个。")
        raise ServiceError(message, fields={"username": message}) from None
    resident = Resident(user=user, name=name.strip(), home=home)
    resident.set_phone(number)
    resident.save()
    audit(actor=user, action="accounts.resident_register", obj=resident,
          diff={"home": home.pk, "phone": resident.phone_masked})  # fmt: skip
    return resident


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("sharing:home")
    search = request.GET.get("q", "")
    form = ResidentRegisterForm(request.POST or None, homes=home_choices(search))
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
