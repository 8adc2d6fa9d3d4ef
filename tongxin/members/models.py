from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.core import idnumber, pii


class Gender(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class Education(models.TextChoices):
    PRIMARY = "primary", _("小学及以下")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中/中专")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科")
    POSTGRADUATE = "postgraduate", _("研究生")


COLLEGE_OR_ABOVE = [Education.COLLEGE, Education.BACHELOR, Education.POSTGRADUATE]


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", _("预备党员")
    FULL = "full", _("正式党员")


class Standing(models.TextChoices):
    """党籍 state."""

    NORMAL = "normal", _("正常")
    RESERVED = "reserved", _("保留党籍")
    SUSPENDED = "suspended", _("停止党籍")


class Member(models.Model):
    """党员. ID number and phone are stored encrypted with a blind index (DESIGN §3.2)."""

    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(_("性别"), max_length=1, choices=Gender.choices)
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族")
    education = models.CharField(_("学历"), max_length=16, choices=Education.choices)
    id_number_enc = models.CharField(_("身份证号（密文）"), max_length=120)
    id_number_index = models.CharField(_("身份证号索引"), max_length=32)
    phone_enc = models.CharField(_("手机号（密文）"), max_length=120, blank=True)
    phone_index = models.CharField(_("手机号索引"), max_length=32, blank=True)
    id_number_masked = models.CharField(_("身份证号"), max_length=18)
    phone_masked = models.CharField(_("手机号"), max_length=20, blank=True)
    birth_date = models.DateField(_("出生日期"))
    joined_on = models.DateField(_("入党日期"))
    confirmed_on = models.DateField(_("转正日期"), null=True, blank=True)
    status = models.CharField(_("党员类别"), max_length=16, choices=MemberStatus.choices)
    standing = models.CharField(
        _("党籍状态"), max_length=16, choices=Standing.choices, default=Standing.NORMAL
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所在党组织"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    # Copy of org.path, kept in step by the services, so "members in a subtree" is one
    # indexed range on this table.
    org_path = models.CharField(max_length=255, editable=False)
    residence = models.ForeignKey(
        "geo.Area",
        verbose_name=_("居住地（小区/楼栋）"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    work_unit = models.ForeignKey(
        "orgs.Unit", verbose_name=_("工作单位"), null=True, blank=True, on_delete=models.SET_NULL
    )
    is_floating = models.BooleanField(_("流动党员"), default=False)
    floating_to = models.CharField(_("流动去向"), max_length=200, blank=True)
    is_lost_contact = models.BooleanField(_("失联党员"), default=False)
    is_model_post = models.BooleanField(_("党员示范岗"), default=False)
    is_party_household = models.BooleanField(_("共产党员户"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        # Declared here rather than with db_index/unique: on PostgreSQL those add a second,
        # varchar_pattern_ops index per column that no query uses and that halves COPY speed.
        indexes = [
            models.Index(fields=["org_path", "id"], name="member_orgpath_id"),
            models.Index(fields=["org_path"], name="member_orgpath"),
            models.Index(fields=["name"], name="member_name"),
            models.Index(fields=["phone_index"], name="member_phone_index"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["id_number_index"], name="member_id_number_unique")
        ]

    def __str__(self) -> str:
        return self.name

    def reveal_id_number(self) -> str:
        return pii.decrypt(self.id_number_enc)

    def reveal_phone(self) -> str:
        return pii.decrypt(self.phone_enc) if self.phone_enc else ""

    def set_id_number(self, number: str) -> None:
        info = idnumber.parse(number)
        self.id_number_enc = pii.encrypt(info.number)
        self.id_number_index = pii.blind_index(info.number)
        self.id_number_masked = idnumber.mask(info.number)
        self.birth_date = info.birth_date
        self.gender = info.gender

    def set_phone(self, phone: str) -> None:
        if phone:
            self.phone_enc = pii.encrypt(phone)
            self.phone_index = pii.blind_index(phone)
            self.phone_masked = pii.mask_phone(phone)
        else:
            self.phone_enc = self.phone_index = self.phone_masked = ""


class RelationChangeKind(models.TextChoices):
    JOINED = "joined", _("入党编入")
    TRANSFERRED = "transferred", _("组织关系转接")
    ORG_MOVED = "org_moved", _("所在组织调整")
    CORRECTED = "corrected", _("更正")


class OrgRelationChange(models.Model):
    """History of a member's organizational relationship: one at a time, every change kept."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="relation_history")
    kind = models.CharField(_("类型"), max_length=16, choices=RelationChangeKind.choices)
    from_org = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    to_org = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_org_name = models.CharField(_("原组织"), max_length=200, blank=True)
    to_org_name = models.CharField(_("新组织"), max_length=200, blank=True)
    on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("组织关系变动")
        verbose_name_plural = _("组织关系变动")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.on} {self.get_kind_display()} {self.to_org_name}"
