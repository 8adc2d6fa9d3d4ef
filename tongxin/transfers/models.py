"""组织关系转接 (DESIGN §4.2): the approver chain runs up from the source branch to the common
ancestor and down to the target; one open transfer per member.

The tables keep the names they had in the members app (``members_transfer`` …): the models moved
here by a state-only migration, the rows stayed where they were."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
        "members.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="transfers"
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
        db_table = "members_transfer"
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
        db_table = "members_transferstep"
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
        db_table = "members_transferevent"
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d} {self.action}"
