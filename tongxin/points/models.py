"""锋领指数 (DESIGN §2: 分域定标, 分类积分, 分时考评, 分层奖惩).

Rule sets are versioned data; the points ledger is append-only (DESIGN §4.7: corrections are
reversing entries); a closed month's scores are a snapshot that never changes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Domain(models.TextChoices):
    """分域定标: the domains a rule set is written for, chosen by the organization's sector."""

    PUBLIC_INSTITUTION = "public_institution", _("机关事业")
    ENTERPRISE = "enterprise", _("企业")
    SOCIAL_ORG = "social_org", _("社会组织")
    VILLAGE = "village", _("村社")
    COMMUNITY = "community", _("网格/社区")


# Organization.sector -> domain; "其他" organizations follow the community rules.
SECTOR_DOMAIN = {
    "public_institution": Domain.PUBLIC_INSTITUTION,
    "enterprise": Domain.ENTERPRISE,
    "social_org": Domain.SOCIAL_ORG,
    "village": Domain.VILLAGE,
    "community": Domain.COMMUNITY,
    "other": Domain.COMMUNITY,
}


class MemberKind(models.TextChoices):
    REGULAR = "regular", _("一般党员")
    RETIRED = "retired", _("离退休、老弱病残党员")
    FLOATING = "floating", _("流动党员")


class Category(models.TextChoices):
    """分类积分."""

    POLITICAL_STUDY = "political_study", _("政治学习")
    ORG_LIFE = "org_life", _("组织生活")
    VOLUNTEER = "volunteer", _("志愿服务")
    DUAL_REPORT = "dual_report", _("双报到")
    PIONEER = "pioneer", _("先锋作用")
    NEGATIVE = "negative", _("负面清单")


class CapPeriod(models.TextChoices):
    YEAR = "year", _("每年")
    MONTH = "month", _("每月")


MANUAL = "manual"  # the kind of a rule awarded by hand (honours, claims), not by an activity


class Tier(models.TextChoices):
    """分层奖惩."""

    RED = "red", _("红榜")
    PASS = "pass", _("合格")
    WARN = "warn", _("警示")


class RuleSet(models.Model):
    """One domain's rules (or one subtree's own, when ``org`` is set), for the member kinds it
    applies to; members of an exempt kind earn no automatic points under it."""

    name = models.CharField(_("名称"), max_length=100)
    domain = models.CharField(
        _("领域"),
        max_length=32,
        choices=Domain.choices,
        blank=True,
        help_text=_("留空适用于所有领域"),
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("适用党组织（含下级）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=255, blank=True, editable=False)
    kinds = models.JSONField(_("适用党员类别"), default=list)
    exempt_kinds = models.JSONField(_("免于积分的党员类别"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分规则集")
        verbose_name_plural = _("积分规则集")
        ordering = ["org_path", "domain", "id"]

    def __str__(self) -> str:
        return self.name


class RuleSetVersion(models.Model):
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期"), null=True, blank=True)
    base_score = models.DecimalField(_("基础分"), max_digits=6, decimal_places=1, default=60)
    red_threshold = models.DecimalField(_("红榜分数线"), max_digits=6, decimal_places=1)
    warn_threshold = models.DecimalField(_("警示分数线"), max_digits=6, decimal_places=1)
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分规则版本")
        verbose_name_plural = _("积分规则版本")
        ordering = ["rule_set", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["rule_set", "number"], name="pointsversion_number")
        ]

    def __str__(self) -> str:
        return f"{self.rule_set} v{self.number}"

    def covers(self, day: Any) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def tier_of(self, score: Any) -> str:
        if score >= self.red_threshold:
            return Tier.RED
        if score < self.warn_threshold:
            return Tier.WARN
        return Tier.PASS


class Rule(models.Model):
    version = models.ForeignKey(RuleSetVersion, on_delete=models.PROTECT, related_name="rules")
    code = models.CharField(_("代码"), max_length=40)
    label = models.CharField(_("积分项"), max_length=100)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    kind = models.CharField(_("来源"), max_length=32)  # an activity kind, or MANUAL
    points = models.DecimalField(_("每次/每小时分值"), max_digits=6, decimal_places=1)
    cap = models.DecimalField(_("上限"), max_digits=6, decimal_places=1, null=True, blank=True)
    cap_period = models.CharField(
        _("上限周期"), max_length=8, choices=CapPeriod.choices, default=CapPeriod.YEAR
    )

    class Meta:
        verbose_name = _("积分项")
        verbose_name_plural = _("积分项")
        ordering = ["version", "category", "id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="pointsrule_code"),
        ]

    def __str__(self) -> str:
        return self.label

    def window(self, day: Any) -> str:
        """The cap's period holding ``day``: "2026" or "2026-03"."""
        return f"{day:%Y}" if self.cap_period == CapPeriod.YEAR else f"{day:%Y-%m}"


class AppendOnly(models.Model):
    """Rows are written once: never updated, never deleted (corrections are new rows)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError(f"{type(self).__name__} is append-only: write a new row instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError(f"{type(self).__name__} is append-only: write a new row instead.")


class PointEntry(AppendOnly):
    """One line of a member's points: what earned (or cost) it, under which rule and version,
    how much was asked and how much granted after the cap, and why."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    member_org_path = models.CharField(max_length=255)
    rule = models.ForeignKey(
        Rule, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    version = models.ForeignKey(
        RuleSetVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    kind = models.CharField(_("来源类型"), max_length=32)
    on = models.DateField(_("发生日期"))
    period = models.DateField(_("计入月份"))
    late_for = models.DateField(_("原属月份"), null=True, blank=True)
    requested = models.DecimalField(_("应得分"), max_digits=7, decimal_places=1)
    granted = models.DecimalField(_("实得分"), max_digits=7, decimal_places=1)
    cap_window = models.CharField(max_length=7, blank=True)
    cap_note = models.CharField(_("封顶说明"), max_length=200, blank=True)
    source_key = models.CharField(_("来源"), max_length=120)
    source_note = models.CharField(_("来源说明"), max_length=200, blank=True)
    evidence = models.CharField(max_length=200, blank=True)  # relative to UPLOAD_ROOT
    evidence_type = models.CharField(max_length=64, blank=True)
    awarded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分记录")
        verbose_name_plural = _("积分记录")
        ordering = ["-on", "-id"]
        indexes = [
            models.Index(fields=["member", "period"], name="pointentry_member_period"),
            models.Index(fields=["period", "member"], name="pointentry_period_member"),
            models.Index(fields=["on"], name="pointentry_on"),
        ]
        constraints = [
            # The same event never earns twice (the idempotency key of every source).
            models.UniqueConstraint(fields=["source_key"], name="pointentry_source_once"),
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.on} {self.granted}"


class AwardState(models.TextChoices):
    PENDING = "pending", _("待审批")
    APPROVED = "approved", _("已批准")
    REJECTED = "rejected", _("未批准")


class ManualAward(models.Model):
    """先锋作用 and other awards by hand: a branch committee member proposes (or a member claims
    for themselves) with evidence; another person, the secretary, approves. Approval appends
    the ledger entry; the proposal keeps its history."""

    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    member_org_path = models.CharField(max_length=255)
    rule = models.ForeignKey(Rule, on_delete=models.PROTECT, related_name="+")
    on = models.DateField(_("事迹日期"))
    reason = models.CharField(_("事由"), max_length=300)
    is_claim = models.BooleanField(_("本人申报"), default=False)
    evidence = models.CharField(max_length=200)
    evidence_type = models.CharField(max_length=64)
    evidence_name = models.CharField(_("证明材料"), max_length=200)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=10, choices=AwardState.choices, default=AwardState.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)
    entry = models.OneToOneField(
        PointEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="award"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分申报")
        verbose_name_plural = _("积分申报")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["state", "member_org_path"], name="award_state_path")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.rule_id} {self.state}"


class MonthlyScore(models.Model):
    """Derived: a member's points per category in one month (the ledger grouped; rebuilt by
    ``points_recompute``). Closed months are read from ScoreSnapshot instead."""

    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    member_org_path = models.CharField(max_length=255)
    period = models.DateField()
    political_study = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    org_life = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    volunteer = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    dual_report = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    pioneer = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    negative = models.DecimalField(max_digits=7, decimal_places=1, default=0)
    total = models.DecimalField(max_digits=7, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("月度积分")
        verbose_name_plural = _("月度积分")
        indexes = [
            models.Index(fields=["member_org_path", "period"], name="mscore_path_period"),
            models.Index(fields=["period"], name="mscore_period"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="mscore_member_period")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.period:%Y-%m} {self.total}"


class PeriodClose(AppendOnly):
    """分时考评: a month closed for an organization's subtree."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255)
    period = models.DateField(_("月份"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("积分结账")
        verbose_name_plural = _("积分结账")
        constraints = [models.UniqueConstraint(fields=["org", "period"], name="pointclose_once")]

    def __str__(self) -> str:
        return f"{self.org_path} {self.period:%Y-%m}"


class ScoreSnapshot(AppendOnly):
    """A closed month's score of one member: immutable."""

    close = models.ForeignKey(PeriodClose, on_delete=models.PROTECT, related_name="snapshots")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    member_org_path = models.CharField(max_length=255)
    period = models.DateField()
    month_points = models.DecimalField(max_digits=7, decimal_places=1)
    year_score = models.DecimalField(max_digits=7, decimal_places=1)
    tier = models.CharField(max_length=8, choices=Tier.choices)
    branch_rank = models.PositiveIntegerField()
    branch_size = models.PositiveIntegerField()

    class Meta:
        verbose_name = _("积分快照")
        verbose_name_plural = _("积分快照")
        constraints = [
            models.UniqueConstraint(fields=["member", "period"], name="snapshot_member_period")
        ]
        indexes = [models.Index(fields=["member_org_path", "period"], name="snapshot_path")]

    def __str__(self) -> str:
        return f"{self.member_id} {self.period:%Y-%m} {self.year_score}"


class Grade(models.TextChoices):
    """民主评议党员 grades."""

    EXCELLENT = "excellent", _("优秀")
    QUALIFIED = "qualified", _("合格")
    BASIC = "basic", _("基本合格")
    UNQUALIFIED = "unqualified", _("不合格")


class ReviewState(models.TextChoices):
    OPEN = "open", _("自评互评中")
    PROPOSED = "proposed", _("支委会已提出意见")
    DECIDED = "decided", _("党员大会已决定")


class MemberReview(models.Model):
    """民主评议党员: one branch's annual review (self-assessment, mutual ballots, the
    committee's proposal, the 党员大会's decision)."""

    org = models.ForeignKey("orgs.Organization", on_delete=models.PROTECT, related_name="+")
    org_path = models.CharField(max_length=255)
    year = models.PositiveIntegerField(_("年度"))
    state = models.CharField(
        _("状态"), max_length=10, choices=ReviewState.choices, default=ReviewState.OPEN
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)
    decided_on = models.DateField(_("党员大会日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("民主评议党员")
        verbose_name_plural = _("民主评议党员")
        ordering = ["-year", "org_path"]
        constraints = [models.UniqueConstraint(fields=["org", "year"], name="review_once_a_year")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year}"


class SelfAssessment(models.Model):
    review = models.ForeignKey(MemberReview, on_delete=models.CASCADE, related_name="selves")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("个人自评"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("个人自评")
        verbose_name_plural = _("个人自评")
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="self_assessment_once")
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.member_id}"


class BallotCast(models.Model):
    """That a member voted (each once), never what: the marks go straight into the tally."""

    review = models.ForeignKey(MemberReview, on_delete=models.CASCADE, related_name="casts")
    voter = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("互评投票记录")
        verbose_name_plural = _("互评投票记录")
        constraints = [models.UniqueConstraint(fields=["review", "voter"], name="ballot_once")]

    def __str__(self) -> str:
        return f"{self.review_id} {self.voter_id}"


class BallotTally(models.Model):
    """How many ballots gave a member a grade: individual ballots are never stored."""

    review = models.ForeignKey(MemberReview, on_delete=models.CASCADE, related_name="tallies")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(max_length=12, choices=Grade.choices)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("互评计票")
        verbose_name_plural = _("互评计票")
        constraints = [
            models.UniqueConstraint(fields=["review", "member", "grade"], name="tally_cell")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.grade} {self.count}"


class ReviewGrade(models.Model):
    """A member's grade: the committee's proposal (with the year's points as evidence), then
    the 党员大会's decision."""

    review = models.ForeignKey(MemberReview, on_delete=models.CASCADE, related_name="grades")
    member = models.ForeignKey("members.Member", on_delete=models.PROTECT, related_name="+")
    proposed = models.CharField(_("支委会意见"), max_length=12, choices=Grade.choices)
    final = models.CharField(_("党员大会决定"), max_length=12, choices=Grade.choices, blank=True)
    reason = models.CharField(_("理由"), max_length=300, blank=True)
    follow_up = models.CharField(_("组织处置与帮扶措施"), max_length=300, blank=True)
    points_score = models.DecimalField(_("年度锋领指数"), max_digits=7, decimal_places=1)

    class Meta:
        verbose_name = _("评议等次")
        verbose_name_plural = _("评议等次")
        ordering = ["review", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "member"], name="review_grade_once")
        ]

    def __str__(self) -> str:
        return f"{self.member_id} {self.proposed}/{self.final}"
