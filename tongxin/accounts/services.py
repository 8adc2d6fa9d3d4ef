from __future__ import annotations

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import ApiToken, Resident, User
from tongxin.core import pii
from tongxin.core.audit import audit
from tongxin.core.errors import ForbiddenError, ServiceError
from tongxin.geo.models import Area
from tongxin.geo.selectors import RESIDENCE_LEVELS


def _check_own_token(actor: User | None, user: User) -> None:
    """A user manages only their own API tokens (a system task, ``actor=None``, any)."""
    if actor is not None and actor.pk != user.pk:
        raise ForbiddenError(gettext("只能管理自己的接口令牌。"))


@transaction.atomic
def api_token_create(*, actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token and its clear key, which is shown once and never stored."""
    _check_own_token(actor, user)
    if not name.strip():
        message = gettext("请填写令牌用途。")
        raise ServiceError(message, fields={"name": message})
    raw, prefix, key_hash = ApiToken.generate()
    token = ApiToken.objects.create(user=user, name=name.strip(), prefix=prefix, key_hash=key_hash)
    audit(actor=actor, action="accounts.token_create", obj=token)
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User | None, token: ApiToken) -> None:
    _check_own_token(actor, token.user)
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit(actor=actor, action="accounts.token_revoke", obj=token)


def api_token_user(raw: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash(raw), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


@transaction.atomic
def resident_register(
    *, username: str, name: str, phone: str, home: Area | None, password1: str, password2: str
) -> Resident:
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
            user = User.objects.create_user(
                username=username, password=password1, display_name=name.strip()
            )
    except IntegrityError:
        message = gettext("该登录名已被使用，请换一个。")
        raise ServiceError(message, fields={"username": message}) from None
    resident = Resident(user=user, name=name.strip(), home=home)
    resident.set_phone(number)
    resident.save()
    audit(
        actor=user,
        action="accounts.resident_register",
        obj=resident,
        diff={"home": home.pk, "phone": resident.phone_masked},
    )
    return resident
