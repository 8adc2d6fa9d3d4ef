from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.core import pii


class User(AbstractUser):
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    member = models.OneToOneField(
        "members.Member",
        verbose_name=_("对应党员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="user",
    )

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def __str__(self) -> str:
        return self.display_name or self.username


class Role(models.Model):
    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50)
    permissions = models.JSONField(_("权限"), default=list)

    class Meta:
        verbose_name = _("角色")
        verbose_name_plural = _("角色")

    def __str__(self) -> str:
        return self.name


class Reach(models.TextChoices):
    NODE = "node", _("仅本级")
    SUBTREE = "subtree", _("本级及下级")


class RoleAssignment(models.Model):
    """A role held at an anchor (an Organization or an Area) over the node or its subtree."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="assignments")
    role = models.ForeignKey(Role, verbose_name=_("角色"), on_delete=models.PROTECT)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("党组织"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("区域"), null=True, blank=True, on_delete=models.CASCADE
    )
    reach = models.CharField(_("范围"), max_length=8, choices=Reach.choices, default=Reach.SUBTREE)
    active = models.BooleanField(_("有效"), default=True)

    class Meta:
        verbose_name = _("角色分配")
        verbose_name_plural = _("角色分配")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(org__isnull=False, area__isnull=True)
                    | models.Q(org__isnull=True, area__isnull=False)
                ),
                name="assignment_one_anchor",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.role} @ {self.org or self.area}"


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the API; only its hash is stored, shown once when created."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("用途"), max_length=100)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> tuple[str, str, str]:
        raw = "tx_" + secrets.token_urlsafe(32)
        return raw, raw[:8], _hash_token(raw)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)


class Resident(models.Model):
    """居民: a signed-in resident (no role). Home is a compound or building Area; the phone is
    stored encrypted with a blind index, like members' (DESIGN §3.2). Resident pages (reporting
    problems, the 共享小区 board, micro-projects, volunteering) key on this profile."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="resident")
    name = models.CharField(_("姓名"), max_length=50)
    home = models.ForeignKey(
        "geo.Area", verbose_name=_("居住小区/楼栋"), on_delete=models.PROTECT, related_name="+"
    )
    phone_enc = models.CharField(_("手机号（密文）"), max_length=120, blank=True)
    phone_index = models.CharField(_("手机号索引"), max_length=32, blank=True, db_index=True)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")

    def __str__(self) -> str:
        return self.name

    def set_phone(self, phone: str) -> None:
        if phone:
            self.phone_enc = pii.encrypt(phone)
            self.phone_index = pii.blind_index(phone)
            self.phone_masked = pii.mask_phone(phone)
        else:
            self.phone_enc = self.phone_index = self.phone_masked = ""

    def reveal_phone(self) -> str:
        return pii.decrypt(self.phone_enc) if self.phone_enc else ""
