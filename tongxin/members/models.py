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


# ---------------------------------------------------------------------------------------------
# 党费 (DESIGN §4.4, 2008 rules). Money in fen.


class DuesCategory(models.TextChoices):
    EMPLOYED = "employed", _("在职（按月工资收入）")
    RETIRED = "retired", _("离退休")
    STUDENT = "student", _("学生")
    UNEMPLOYED = "unemployed", _("下岗失业")
    SUBSISTENCE = "subsistence", _("享受最低生活保障")


class DuesBase(models.Model):
    """A member's monthly base (after-tax fixed pay) from a month on; the latest row not after
    a month is the base for that month."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="dues_bases")
    effective_from = models.DateField(_("起始月份"))
    category = models.CharField(_("类别"), max_length=16, choices=DuesCategory.choices)
    base_fen = models.BigIntegerField(_("月工资收入基数（分）"), default=0)
    entered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党费基数")
        verbose_name_plural = _("党费基数")
        ordering = ["member", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["member", "effective_from"], name="duesbase_month"),
            models.CheckConstraint(
                condition=models.Q(base_fen__gte=0, base_fen__lte=100_000_000),
                name="duesbase_base_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.effective_from:%Y-%m}"

    @property
    def base_text(self) -> str:
        return f"{self.base_fen // 100:,}.{self.base_fen % 100:02d}"


class DuesPayment(models.Model):
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="dues_payments")
    month = models.DateField(_("所属月份"))
    amount_fen = models.BigIntegerField(_("金额（分）"))
    paid_on = models.DateField(_("缴纳日期"))
    # The member's organization when the payment was recorded (the branch that collected it).
    org_path = models.CharField(max_length=255, editable=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党费缴纳")
        verbose_name_plural = _("党费缴纳")
        ordering = ["-month", "-id"]
        indexes = [models.Index(fields=["member", "month"], name="duespayment_member_month")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0, amount_fen__lte=100_000_000),
                name="duespayment_amount_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.month:%Y-%m} {self.amount_fen}"

    @property
    def amount_text(self) -> str:
        return f"{self.amount_fen // 100:,}.{self.amount_fen % 100:02d}"


class DuesReversal(models.Model):
    """冲正: a recorded payment taken back (entered twice, wrong month, wrong member). The
    payment row stays as it was; this row says who reversed it, when and why, and the payment
    no longer counts as paid. At most one per payment (DESIGN §4.7: corrections are reversing
    entries, never deletions)."""

    payment = models.OneToOneField(
        DuesPayment, on_delete=models.PROTECT, related_name="reversal", verbose_name=_("缴纳记录")
    )
    reason = models.CharField(_("冲正原因"), max_length=200)
    # The member's organization when the payment was reversed.
    org_path = models.CharField(max_length=255, editable=False)
    reversed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("冲正时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党费冲正")
        verbose_name_plural = _("党费冲正")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.payment_id} {self.reason[:20]}"
