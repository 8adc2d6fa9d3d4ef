"""党费 (DESIGN §4.4, the 2008 rules). Money in fen.

The tables were made by the members app and keep their names (``members_dues*``): the models
moved here without a row moving (dues/migrations/0001_initial.py creates them in the migration
state only)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.members.models import Member


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
        db_table = "members_duesbase"
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
        db_table = "members_duespayment"
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
        db_table = "members_duesreversal"
        verbose_name = _("党费冲正")
        verbose_name_plural = _("党费冲正")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.payment_id} {self.reason[:20]}"
