"""党员互助金 (seed 003, 枫泾): a fund per organization, kept as a double-entry ledger in fen.

Every movement of money is a ``LedgerMovement`` with exactly two ``LedgerEntry`` lines that sum
to zero, between accounts of one fund:

- income accounts, one per source (财政拨款, 上级党组织支持, 党员捐助): an income line is negative;
- ``cash`` (可用资金): money in the fund not promised to anyone;
- ``held`` (公示中): aid the committee approved, set aside during its 公示;
- ``aid_paid`` (已支付互助金): aid paid out.

Income: cash +x / income −x. A committee decision: cash −x / held +x. A payment: held −x /
aid_paid +x. A refused aid after the decision: held −x / cash +x. A correction is a reversing
movement with the lines negated (``reverses``). Rows are never updated or deleted (the model
and queryset refuse it); balances are sums of lines. The fund's balance is cash + held, the
money the fund still holds; a movement that would take cash below zero is refused.
"""

from __future__ import annotations

import secrets
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.members.models import Member
from tongxin.orgs.models import Organization


def fen_text(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100:,}.{fen % 100:02d}"


class AccountCode(models.TextChoices):
    FINANCE = "income_finance", _("财政拨款")
    UPPER = "income_upper", _("上级党组织支持")
    DONATION = "income_donation", _("党员捐助")
    CASH = "cash", _("可用资金")
    HELD = "held", _("公示中待支付")
    AID_PAID = "aid_paid", _("已支付互助金")


INCOME_CODES = (AccountCode.FINANCE, AccountCode.UPPER, AccountCode.DONATION)


class Eligibility(models.TextChoices):
    DONOR = "donor", _("捐助过互助金的党员")
    HARDSHIP = "hardship", _("列入困难党员名册的党员")
    SUBTREE = "subtree", _("本党组织所属全体党员")


class AidFund(models.Model):
    """互助金: one per organization (often a 镇党委). ``eligibility`` lists the rules of who may
    receive aid (any one suffices); ``publicity_days`` is the length of the 公示."""

    org = models.OneToOneField(
        Organization, on_delete=models.PROTECT, related_name="aid_fund", verbose_name=_("党组织")
    )
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    name = models.CharField(_("名称"), max_length=100)
    eligibility = models.JSONField(_("受助条件"), default=list)
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=7)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党员互助金")
        verbose_name_plural = _("党员互助金")
        ordering = ["org_path"]

    def __str__(self) -> str:
        return self.name


class LedgerAccount(models.Model):
    fund = models.ForeignKey(AidFund, on_delete=models.PROTECT, related_name="accounts")
    code = models.CharField(_("科目"), max_length=20, choices=AccountCode.choices)

    class Meta:
        verbose_name = _("互助金科目")
        verbose_name_plural = _("互助金科目")
        constraints = [models.UniqueConstraint(fields=["fund", "code"], name="aid_account_code")]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.code}"


class AppendOnlyQuerySet(models.QuerySet[Any]):
    """Ledger rows are written once: a queryset update or delete is refused."""

    def update(self, **kwargs: Any) -> int:
        raise TypeError("互助金账目只能追加，不能修改；更正请记一笔冲正。")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise TypeError("互助金账目只能追加，不能删除；更正请记一笔冲正。")


class AppendOnly(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise TypeError("互助金账目只能追加，不能修改；更正请记一笔冲正。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise TypeError("互助金账目只能追加，不能删除；更正请记一笔冲正。")


class MovementKind(models.TextChoices):
    INCOME = "income", _("收入")
    HOLD = "hold", _("审批通过，公示中")
    PAY = "pay", _("支付互助金")
    RELEASE = "release", _("撤销后退回")
    REVERSAL = "reversal", _("冲正")


class LedgerMovement(AppendOnly):
    fund = models.ForeignKey(AidFund, on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField(_("类型"), max_length=10, choices=MovementKind.choices)
    on = models.DateField(_("日期"))
    memo = models.CharField(_("摘要"), max_length=200, blank=True)
    application = models.ForeignKey(
        "AidApplication", null=True, blank=True, on_delete=models.PROTECT, related_name="movements"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    org_path = models.CharField(max_length=255, editable=False)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("互助金收支")
        verbose_name_plural = _("互助金收支")
        ordering = ["-on", "-id"]

    def __str__(self) -> str:
        return f"{self.fund_id} {self.kind} {self.on}"

    @property
    def amount_text(self) -> str:
        """The amount moved (the positive line), when the selector annotated it."""
        fen = getattr(self, "amount_fen", None)
        return "" if fen is None else fen_text(int(fen))


class LedgerEntry(AppendOnly):
    """One line of a movement; the two lines of a movement sum to zero. ``fund`` and ``on``
    are copied from the movement so that a balance or a year's sums read one table."""

    movement = models.ForeignKey(LedgerMovement, on_delete=models.PROTECT, related_name="lines")
    fund = models.ForeignKey(AidFund, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="lines")
    amount_fen = models.BigIntegerField(_("金额（分）"))
    on = models.DateField(_("日期"))

    class Meta:
        verbose_name = _("互助金分录")
        verbose_name_plural = _("互助金分录")
        indexes = [
            models.Index(fields=["account", "on"], name="aid_entry_account_on"),
            models.Index(fields=["fund", "on"], name="aid_entry_fund_on"),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(amount_fen=0), name="aid_entry_nonzero")
        ]

    def __str__(self) -> str:
        return f"{self.account_id} {self.amount_fen}"


class LedgerPeriod(models.Model):
    """A month's total of one account (for aid paid: of one kind), kept in step with the lines
    by ``ledger.post`` in the same transaction: balances and year reports read a few hundred of
    these instead of every line. A cache, not a record: ``ledger.rebuild_periods`` recomputes
    it from the lines, and a test proves the two agree."""

    fund = models.ForeignKey(AidFund, on_delete=models.PROTECT, related_name="+")
    account = models.ForeignKey(LedgerAccount, on_delete=models.PROTECT, related_name="+")
    code = models.CharField(max_length=20, choices=AccountCode.choices)
    month = models.DateField()
    kind_id = models.IntegerField(default=0)  # the AidKind of aid-paid lines, else 0
    total_fen = models.BigIntegerField(default=0)
    lines = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("互助金月度汇总")
        verbose_name_plural = _("互助金月度汇总")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "month", "kind_id"], name="aid_period_account_month_kind"
            )
        ]
        indexes = [models.Index(fields=["fund", "month"], name="aid_period_fund_month")]

    def __str__(self) -> str:
        return f"{self.account_id} {self.month} {self.total_fen}"


def new_verify_code() -> str:
    return secrets.token_urlsafe(12)


class Donation(AppendOnly):
    """党员捐助 with its 捐助证 (certificate number, and a code for the public check page)."""

    fund = models.ForeignKey(AidFund, on_delete=models.PROTECT, related_name="donations")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="aid_donations")
    amount_fen = models.BigIntegerField(_("金额（分）"))
    donated_on = models.DateField(_("捐助日期"))
    certificate_no = models.CharField(_("捐助证编号"), max_length=32, unique=True)
    verify_code = models.CharField(max_length=24, unique=True, default=new_verify_code)
    movement = models.OneToOneField(
        LedgerMovement, on_delete=models.PROTECT, related_name="donation"
    )
    org_path = models.CharField(max_length=255, editable=False)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党员捐助")
        verbose_name_plural = _("党员捐助")
        ordering = ["-donated_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_fen__gt=0, amount_fen__lte=10_000_000),
                name="aid_donation_range",
            )
        ]

    def __str__(self) -> str:
        return self.certificate_no

    @property
    def amount_text(self) -> str:
        return fen_text(self.amount_fen)


class AidKind(models.Model):
    """A kind of aid with its amount range and yearly cap per person (data, editable)."""

    fund = models.ForeignKey(AidFund, on_delete=models.PROTECT, related_name="kinds")
    code = models.CharField(max_length=20)
    name = models.CharField(_("名称"), max_length=50)
    min_fen = models.BigIntegerField(_("最低金额（分）"))
    max_fen = models.BigIntegerField(_("最高金额（分）"))
    yearly_cap_fen = models.BigIntegerField(_("每人每年上限（分）"))
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("互助金补助类别")
        verbose_name_plural = _("互助金补助类别")
        ordering = ["fund", "id"]
        constraints = [models.UniqueConstraint(fields=["fund", "code"], name="aid_kind_code")]

    def __str__(self) -> str:
        return self.name

    @property
    def range_text(self) -> str:
        return f"{fen_text(self.min_fen)}–{fen_text(self.max_fen)}"

    @property
    def cap_text(self) -> str:
        return fen_text(self.yearly_cap_fen)


class HardshipEntry(models.Model):
    """困难党员名册: a member on the fund's hardship register (from a date; removed on a date)."""

    fund = models.ForeignKey(AidFund, on_delete=models.PROTECT, related_name="hardship")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    since = models.DateField(_("列入日期"))
    until = models.DateField(_("移出日期"), null=True, blank=True)
    note = models.CharField(_("困难情况"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("困难党员名册")
        verbose_name_plural = _("困难党员名册")

    def __str__(self) -> str:
        return f"{self.fund_id} {self.member_id}"


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("待支部审核")
    REVIEWED = "reviewed", _("待管委会审批")
    PUBLICITY = "publicity", _("公示中")
    PAID = "paid", _("已发放")
    REJECTED = "rejected", _("未通过")


class AidApplication(models.Model):
    fund = models.ForeignKey(AidFund, on_delete=models.PROTECT, related_name="applications")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="aid_applications")
    kind = models.ForeignKey(AidKind, on_delete=models.PROTECT, related_name="applications")
    amount_fen = models.BigIntegerField(_("申请金额（分）"))
    reason = models.TextField(_("申请理由"), max_length=2000)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.SUBMITTED
    )
    # The member's organization when they applied (the branch that reviews).
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    applied_by = models.ForeignKey(
        "accounts.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    by_branch = models.BooleanField(_("由支部代为申请"), default=False)
    # 提议人: the branch reviewer who put the application to the committee.
    reviewed_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.CharField(_("支部意见"), max_length=200, blank=True)
    publicity_from = models.DateField(_("公示开始"), null=True, blank=True)
    publicity_until = models.DateField(_("公示截止"), null=True, blank=True)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    paid_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_reason = models.CharField(_("未通过原因"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    year = models.PositiveSmallIntegerField(editable=False)

    class Meta:
        verbose_name = _("互助金申请")
        verbose_name_plural = _("互助金申请")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["fund", "status"], name="aid_app_fund_status")]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount_fen__gt=0), name="aid_app_positive")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.kind_id} {self.amount_fen}"

    @property
    def amount_text(self) -> str:
        return fen_text(self.amount_fen)


class Approval(models.Model):
    """A committee member's decision on an application; two approvals decide it."""

    application = models.ForeignKey(
        AidApplication, on_delete=models.PROTECT, related_name="approvals"
    )
    approver = models.ForeignKey("accounts.User", on_delete=models.PROTECT, related_name="+")
    approve = models.BooleanField()
    note = models.CharField(_("意见"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("管委会审批")
        verbose_name_plural = _("管委会审批")
        constraints = [
            models.UniqueConstraint(fields=["application", "approver"], name="aid_approval_once")
        ]

    def __str__(self) -> str:
        return f"{self.application_id} {self.approver_id} {self.approve}"


class AidDocument(models.Model):
    application = models.ForeignKey(
        AidApplication, on_delete=models.PROTECT, related_name="documents"
    )
    stored_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    original_name = models.CharField(max_length=200)
    size = models.PositiveIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class Objection(models.Model):
    """异议 filed during the 公示; payment waits until every objection is answered."""

    application = models.ForeignKey(
        AidApplication, on_delete=models.PROTECT, related_name="objections"
    )
    text = models.TextField(_("异议内容"), max_length=1000)
    contact = models.CharField(_("联系方式"), max_length=50, blank=True)
    filed_at = models.DateTimeField(auto_now_add=True)
    answer = models.TextField(_("答复"), max_length=1000, blank=True)
    upheld = models.BooleanField(_("异议成立"), default=False)
    answered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["filed_at", "id"]

    def __str__(self) -> str:
        return f"{self.application_id} {self.text[:20]}"
