"""考评: 千分制考评 of organizations (an indicator tree per year and level, quarterly assessments
self-score → assessor → appeal window → final) and 述职评议 (review sessions with rater pools,
ballots from phones or paper, weighted grades and a 整改清单 per reporter), including
部门向基层述职评议 (the case agencies report to the grassroots).

``org_path`` copies the organization's path for one-range scope filters."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

TOTAL_WEIGHT = 1000  # 千分制: the leaves of an indicator tree add up to 1,000 points


class Level(models.TextChoices):
    DISTRICT = "district", _("区县（市）")
    STREET = "street", _("街道（乡镇）")
    COMMUNITY = "community", _("社区（村）")


class CheckMethod(models.TextChoices):
    DOCUMENTS = "documents", _("查阅资料")
    SITE_VISIT = "site_visit", _("实地察看")
    SPOT_CHECK = "spot_check", _("随机抽查")


class Metric(models.TextChoices):
    """Figures computed from Tongxin's own data, shown beside the assessor's score."""

    NONE = "", _("无")
    MEETING_COMPLIANCE = "meeting_compliance", _("组织生活达标率")
    CASE_ON_TIME = "case_on_time", _("事件按时办结率")
    CASE_SATISFACTION = "case_satisfaction", _("事件群众满意率")
    VOLUNTEER_HOURS = "volunteer_hours", _("党员人均志愿服务时长")
    DUES_ARREARS = "dues_arrears", _("党费欠缴人数")
    COVERAGE_GAPS = "coverage_gaps", _("应建未建党组织")
    VISIT_QUOTA = "visit_quota", _("三访任务完成率")
    TERM_ON_TIME = "term_on_time", _("按期换届率")


class IndicatorSet(models.Model):
    """One year's 千分制 standard of an assessing organization for the level below it."""

    name = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("考评对象层级"), max_length=16, choices=Level.choices)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("考评单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=255, editable=False)
    appeal_days = models.PositiveSmallIntegerField(_("申诉期（天）"), default=5)
    published = models.BooleanField(_("已发布"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("千分制考评标准")
        verbose_name_plural = _("千分制考评标准")
        ordering = ["-year", "org_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["org", "year", "level"], name="aset_one_per_year")
        ]

    def __str__(self) -> str:
        return self.name


class Indicator(models.Model):
    """A node of the tree; a leaf carries points (``weight``), how it is checked and its
    deduction rule. A parent's weight is the sum of its leaves."""

    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.CASCADE, related_name="indicators"
    )
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    name = models.CharField(_("指标"), max_length=200)
    weight = models.DecimalField(_("分值"), max_digits=6, decimal_places=1, default=0)
    check_method = models.CharField(
        _("考核方式"), max_length=16, choices=CheckMethod.choices, blank=True
    )
    deduction_rule = models.CharField(_("扣分规则"), max_length=300, blank=True)
    metric = models.CharField(
        _("自动指标"), max_length=32, choices=Metric.choices, blank=True, default=""
    )
    position = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("考评指标")
        verbose_name_plural = _("考评指标")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("自评中")
    SUBMITTED = "submitted", _("待上级考评")
    ASSESSED = "assessed", _("申诉期")
    FINAL = "final", _("已定分")


class Assessment(models.Model):
    """One organization's quarter under an indicator set."""

    indicator_set = models.ForeignKey(
        IndicatorSet, on_delete=models.PROTECT, related_name="assessments"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("被考评党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=255, editable=False)
    quarter = models.PositiveSmallIntegerField(_("季度"))
    status = models.CharField(
        _("状态"), max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    assessed_on = models.DateField(_("考评日期"), null=True, blank=True)
    appeal_deadline = models.DateField(_("申诉截止"), null=True, blank=True)
    final_total = models.DecimalField(
        _("最终得分"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    # The quarterly snapshot written when the score is final: totals per top-level indicator
    # and the automatic metrics as they stood, never recomputed afterwards.
    snapshot = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("千分制考评")
        verbose_name_plural = _("千分制考评")
        ordering = ["-quarter", "org_path", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator_set", "org", "quarter"], name="assess_one_per_quarter"
            ),
            models.CheckConstraint(
                condition=models.Q(quarter__gte=1, quarter__lte=4), name="assess_quarter_1_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} Q{self.quarter}"


class Score(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="scores")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="+")
    self_score = models.DecimalField(
        _("自评分"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    self_note = models.CharField(_("自评说明"), max_length=500, blank=True)
    evidence_file = models.CharField(max_length=200, blank=True)  # under UPLOAD_ROOT
    evidence_type = models.CharField(max_length=60, blank=True)
    assessor_score = models.DecimalField(
        _("考评分"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    assessor_note = models.CharField(_("考评说明"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("指标得分")
        verbose_name_plural = _("指标得分")
        ordering = ["indicator__position", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["assessment", "indicator"], name="score_one_per_leaf")
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id}/{self.indicator_id}"


class AppealStatus(models.TextChoices):
    OPEN = "open", _("待处理")
    UPHELD = "upheld", _("申诉成立")
    REJECTED = "rejected", _("维持原分")


class Appeal(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="appeals")
    score = models.ForeignKey(Score, on_delete=models.CASCADE, related_name="appeals")
    reason = models.CharField(_("申诉理由"), max_length=500)
    status = models.CharField(
        _("状态"), max_length=16, choices=AppealStatus.choices, default=AppealStatus.OPEN
    )
    decision = models.CharField(_("处理意见"), max_length=500, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    filed_on = models.DateField(_("申诉日期"))

    class Meta:
        verbose_name = _("申诉")
        verbose_name_plural = _("申诉")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.reason[:30]


# ---- 述职评议 ----


class ReviewKind(models.TextChoices):
    ORG = "org", _("党组织书记述职评议")
    DEPARTMENT = "department", _("部门向基层述职评议")


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("筹备中")
    OPEN = "open", _("评议中")
    CLOSED = "closed", _("已截止")
    ANNOUNCED = "announced", _("已公布")


class PoolKind(models.TextChoices):
    UPPER = "upper", _("上级党组织")
    MEMBERS = "members", _("党员代表")
    RESIDENTS = "residents", _("居民（企业群众）代表")
    DEPUTIES = "deputies", _("两代表一委员")
    GRASSROOTS = "grassroots", _("街道、社区、小区党组织")


class Grade(models.TextChoices):
    GOOD = "good", _("好")
    FAIRLY_GOOD = "fairly_good", _("较好")
    AVERAGE = "average", _("一般")
    POOR = "poor", _("差")
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


GRADES = {
    ReviewKind.ORG: (Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE, Grade.POOR),
    ReviewKind.DEPARTMENT: (Grade.SATISFIED, Grade.BASIC, Grade.DISSATISFIED),
}


class BallotOrigin(models.TextChoices):
    PHONE = "phone", _("手机扫码")
    PAPER = "paper", _("纸质票录入")


class ReviewSession(models.Model):
    title = models.CharField(_("名称"), max_length=200)
    year = models.PositiveSmallIntegerField(_("年度"))
    kind = models.CharField(_("类型"), max_length=16, choices=ReviewKind.choices)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("组织单位"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=255, editable=False)
    status = models.CharField(
        _("状态"), max_length=16, choices=ReviewStatus.choices, default=ReviewStatus.DRAFT
    )
    token = models.CharField(max_length=32, unique=True)  # the QR code's address
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("述职评议")
        verbose_name_plural = _("述职评议")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.title


class RaterPool(models.Model):
    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="pools")
    kind = models.CharField(_("评议人类别"), max_length=16, choices=PoolKind.choices)
    weight = models.PositiveSmallIntegerField(_("权重（%）"))
    min_size = models.PositiveSmallIntegerField(_("最少人数"), default=5)

    class Meta:
        verbose_name = _("评议人类别")
        verbose_name_plural = _("评议人类别")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "kind"], name="pool_one_kind_per_session")
        ]

    def __str__(self) -> str:
        return self.get_kind_display()


class Rater(models.Model):
    """A person in a pool: with an account (votes on the phone) or by name only (paper)."""

    pool = models.ForeignKey(RaterPool, on_delete=models.CASCADE, related_name="raters")
    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("姓名"), max_length=50)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("评议人")
        verbose_name_plural = _("评议人")
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["session", "user"], name="rater_one_per_session")
        ]

    def __str__(self) -> str:
        return self.name


class Reporter(models.Model):
    """Who reports (述职): an organization, or for 部门向基层述职评议 a case agency."""

    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="reporters")
    org = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey(
        "cases.Agency", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField(_("述职单位"), max_length=200)
    report_text = models.TextField(_("述职报告"), blank=True)
    attachment_file = models.CharField(max_length=200, blank=True)
    attachment_type = models.CharField(max_length=60, blank=True)

    class Meta:
        verbose_name = _("述职单位")
        verbose_name_plural = _("述职单位")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class Ballot(models.Model):
    session = models.ForeignKey(ReviewSession, on_delete=models.CASCADE, related_name="+")
    reporter = models.ForeignKey(Reporter, on_delete=models.CASCADE, related_name="ballots")
    rater = models.ForeignKey(Rater, on_delete=models.PROTECT, related_name="ballots")
    pool = models.ForeignKey(RaterPool, on_delete=models.PROTECT, related_name="+")
    grade = models.CharField(_("评价"), max_length=16, choices=Grade.choices)
    origin = models.CharField(_("来源"), max_length=8, choices=BallotOrigin.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("评议票")
        verbose_name_plural = _("评议票")
        constraints = [
            models.UniqueConstraint(fields=["reporter", "rater"], name="ballot_one_per_rater")
        ]

    def __str__(self) -> str:
        return f"{self.reporter_id}/{self.rater_id}"


class ItemStatus(models.TextChoices):
    OPEN = "open", _("整改中")
    CLOSED = "closed", _("已销号")


class RectificationItem(models.Model):
    """整改清单: one item of a reporter's list, followed until closed."""

    reporter = models.ForeignKey(Reporter, on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("整改事项"), max_length=200)
    owner = models.CharField(_("责任人"), max_length=50)
    deadline = models.DateField(_("完成时限"))
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    note = models.CharField(_("最新进展"), max_length=300, blank=True)
    status = models.CharField(
        _("状态"), max_length=8, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改事项")
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.title
