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
# 组织关系转接 (DESIGN §4.2): the approver chain runs up from the source branch to the common
# ancestor and down to the target; one open transfer per member.


class TransferStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("审批中")
    APPROVED_OUT = "approved_out", _("已批准转出")
    RECEIVED = "received", _("已接收")
    COMPLETED = "completed", _("已完成")
    REJECTED = "rejected", _("已退回")
    WITHDRAWN = "withdrawn", _("已撤回")
    EXPIRED = "expired", _("已过期")


OPEN_TRANSFER_STATUSES = [
    TransferStatus.DRAFT,
    TransferStatus.SUBMITTED,
    TransferStatus.APPROVED_OUT,
    TransferStatus.RECEIVED,
]


class TransferOrigin(models.TextChoices):
    """Who started a transfer: the member's organization, or the member (党员申请转接), whose
    request waits for the branch's approval as the chain's first step."""

    BRANCH = "branch", _("组织发起")
    MEMBER = "member", _("党员申请")


class TransferReason(models.TextChoices):
    JOB = "job", _("工作调动")
    RELOCATION = "relocation", _("迁居搬家")
    STUDY = "study", _("升学")
    GRADUATION = "graduation", _("毕业就业")
    RETIREMENT = "retirement", _("退休")
    OTHER = "other", _("其他")


class Transfer(models.Model):
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="transfers"
    )
    member_name = models.CharField(_("姓名"), max_length=50)
    source = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("转出组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    target = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("转入组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Copies of the organizations' paths when the transfer was made: the scope filters on them.
    source_path = models.CharField(max_length=255, editable=False)
    target_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=TransferStatus.choices, default=TransferStatus.DRAFT
    )
    reason = models.CharField(_("转接原因"), max_length=200, blank=True)
    # Index into steps of the step waiting for a decision (0: not submitted yet).
    current_step = models.PositiveSmallIntegerField(default=0)
    letter_no = models.CharField(_("介绍信编号"), max_length=32, blank=True)
    issued_on = models.DateField(_("开具日期"), null=True, blank=True)
    valid_until = models.DateField(_("有效期至"), null=True, blank=True)
    requested_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closing_note = models.CharField(_("退回/撤回原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    completed_on = models.DateField(_("完成日期"), null=True, blank=True)
    origin = models.CharField(
        _("发起方式"), max_length=8, choices=TransferOrigin.choices, default=TransferOrigin.BRANCH
    )
    # 党员申请: the kind of reason chosen and the date the member moved (调动、迁居、入学).
    reason_kind = models.CharField(
        _("转接事由"), max_length=16, choices=TransferReason.choices, blank=True
    )
    moved_on = models.DateField(_("迁移日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("组织关系转接")
        verbose_name_plural = _("组织关系转接")
        indexes = [
            models.Index(fields=["source_path"], name="transfer_source_path"),
            models.Index(fields=["target_path"], name="transfer_target_path"),
            models.Index(fields=["status", "valid_until"], name="transfer_status_valid"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status__in=OPEN_TRANSFER_STATUSES),
                name="transfer_one_open_per_member",
            ),
            models.UniqueConstraint(
                fields=["letter_no"],
                condition=~models.Q(letter_no=""),
                name="transfer_letter_no_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member_name}：{self.source_path} → {self.target_path}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TRANSFER_STATUSES


class StepRole(models.TextChoices):
    OUT = "out", _("转出审批")
    TOP = "top", _("共同上级审批")
    IN = "in", _("转入审批")
    RECEIVE = "receive", _("接收")


class StepDecision(models.TextChoices):
    PENDING = "", _("待审批")
    APPROVED = "approved", _("同意")
    REJECTED = "rejected", _("退回")


class TransferStep(models.Model):
    """One organization on the chain. Position 0 is the source branch (its submission is its
    approval); the others decide in order."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255)
    org_name = models.CharField(max_length=200)
    role = models.CharField(max_length=8, choices=StepRole.choices)
    decision = models.CharField(max_length=8, choices=StepDecision.choices, blank=True)
    decided_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["transfer", "position"]
        indexes = [models.Index(fields=["org_path"], name="transferstep_org_path")]
        constraints = [
            models.UniqueConstraint(fields=["transfer", "position"], name="transferstep_position")
        ]

    def __str__(self) -> str:
        return f"{self.position} {self.org_name}"


class TransferEvent(models.Model):
    """The timeline of a transfer: who did what, when."""

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField()
    actor = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=32)
    org_name = models.CharField(max_length=200, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.action}"


# ---------------------------------------------------------------------------------------------
# 双报到: an in-service member reports to the community where they live.


class DualReportStatus(models.TextChoices):
    REPORTED = "reported", _("待社区接收")
    ACCEPTED = "accepted", _("已接收")
    DECLINED = "declined", _("社区未接收")
    ENDED = "ended", _("已结束")


OPEN_DUAL_REPORT_STATUSES = [DualReportStatus.REPORTED, DualReportStatus.ACCEPTED]


class DualReport(models.Model):
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="dual_reports"
    )
    community = models.ForeignKey(
        "geo.Area", verbose_name=_("报到社区"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=DualReportStatus.choices,
        default=DualReportStatus.REPORTED,
    )
    reported_on = models.DateField(_("报到日期"))
    service_post = models.CharField(_("服务岗位"), max_length=100, blank=True)
    accepted_on = models.DateField(_("接收日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("双报到")
        verbose_name_plural = _("双报到")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status__in=OPEN_DUAL_REPORT_STATUSES),
                name="dualreport_one_open_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.community_id}"


class DualReportHours(models.Model):
    """Hours served in the community, in whole minutes. `source`/`source_ref` name where an
    entry came from (a volunteering activity), so logging it twice is refused."""

    dual_report = models.ForeignKey(DualReport, on_delete=models.CASCADE, related_name="hours")
    served_on = models.DateField(_("服务日期"))
    minutes = models.PositiveIntegerField(_("时长（分钟）"))
    note = models.CharField(_("服务内容"), max_length=200, blank=True)
    source = models.CharField(max_length=32, default="manual")
    source_ref = models.CharField(max_length=64, blank=True)
    logged_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("双报到服务时长")
        verbose_name_plural = _("双报到服务时长")
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1, minutes__lte=24 * 60),
                name="dualreporthours_minutes_range",
            ),
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="dualreporthours_source_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.served_on} {self.minutes}"
