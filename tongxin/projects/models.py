"""微项目 (seed 002, "大掌柜+店小二+微项目"): residents' suggestions, collected online and at
offline meetings, grouped by a configurable taxonomy of needs (aspects and categories), are
packaged into micro-projects led by a Party organization (大掌柜) and run by a social
organization (店小二), with activities, participants, a budget in fen, an outcome and
residents' ratings."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Aspect(models.Model):
    """需求方面 (seed 002: 5 aspects)."""

    name = models.CharField(_("方面"), max_length=50, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("需求方面")
        verbose_name_plural = _("需求方面")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class NeedCategory(models.Model):
    """需求类别 (seed 002: 21 categories)."""

    aspect = models.ForeignKey(
        Aspect, verbose_name=_("方面"), on_delete=models.PROTECT, related_name="categories"
    )
    name = models.CharField(_("类别"), max_length=50)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("需求类别")
        verbose_name_plural = _("需求类别")
        ordering = ["aspect__order", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["aspect", "name"], name="needcategory_unique")
        ]

    def __str__(self) -> str:
        return f"{self.aspect.name} · {self.name}"


class SuggestionSource(models.TextChoices):
    ONLINE = "online", _("线上征集")
    MEETING = "meeting", _("线下会议")


class SuggestionStatus(models.TextChoices):
    NEW = "new", _("待处理")
    ADOPTED = "adopted", _("已纳入项目")
    DECLINED = "declined", _("暂不采纳")


class Suggestion(models.Model):
    """A resident's suggestion (热点、难点问题)."""

    title = models.CharField(_("建议"), max_length=100)
    body = models.TextField(_("说明"), max_length=1000, blank=True)
    category = models.ForeignKey(
        NeedCategory, verbose_name=_("需求类别"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("所在小区/社区"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(max_length=255, editable=False)
    source = models.CharField(_("来源"), max_length=10, choices=SuggestionSource.choices)
    meeting = models.CharField(_("会议"), max_length=100, blank=True)
    resident = models.ForeignKey(
        "accounts.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=SuggestionStatus.choices, default=SuggestionStatus.NEW
    )
    project = models.ForeignKey(
        "MicroProject", null=True, blank=True, on_delete=models.SET_NULL, related_name="suggestions"
    )
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("居民建议")
        verbose_name_plural = _("居民建议")
        indexes = [models.Index(fields=["area_path", "id"], name="suggestion_path")]

    def __str__(self) -> str:
        return self.title


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("已立项")
    RUNNING = "running", _("实施中")
    COMPLETED = "completed", _("已完成")


class MicroProject(models.Model):
    name = models.CharField(_("项目名称"), max_length=100)
    summary = models.TextField(_("项目内容"), max_length=2000, blank=True)
    category = models.ForeignKey(
        NeedCategory, verbose_name=_("回应需求类别"), on_delete=models.PROTECT, related_name="+"
    )
    lead_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("牵头党组织（大掌柜）"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Copies kept by the services: scope filters are one indexed range on this table.
    lead_org_path = models.CharField(max_length=255, editable=False)
    operator = models.ForeignKey(
        "centers.SocialOrganization",
        verbose_name=_("运营社会组织（店小二）"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("服务区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(max_length=255, editable=False)
    budget_fen = models.PositiveBigIntegerField(_("预算（分）"), default=0)
    starts_on = models.DateField(_("开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED
    )
    outcome = models.TextField(_("项目成效"), max_length=2000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("立项时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("微项目")
        verbose_name_plural = _("微项目")
        indexes = [
            models.Index(fields=["lead_org_path", "id"], name="project_orgpath"),
            models.Index(fields=["area_path", "id"], name="project_areapath"),
        ]

    def __str__(self) -> str:
        return self.name


class BudgetLine(models.Model):
    project = models.ForeignKey(MicroProject, on_delete=models.CASCADE, related_name="budget_lines")
    item = models.CharField(_("支出事项"), max_length=100)
    amount_fen = models.PositiveBigIntegerField(_("金额（分）"))

    class Meta:
        verbose_name = _("预算明细")
        verbose_name_plural = _("预算明细")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.item


class ProjectActivity(models.Model):
    project = models.ForeignKey(MicroProject, on_delete=models.CASCADE, related_name="activities")
    title = models.CharField(_("活动名称"), max_length=100)
    held_on = models.DateField(_("日期"))
    place = models.CharField(_("地点"), max_length=100, blank=True)
    participants = models.PositiveIntegerField(_("参与人次"), default=0)

    class Meta:
        verbose_name = _("项目活动")
        verbose_name_plural = _("项目活动")
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return self.title


class ProjectSignup(models.Model):
    """A resident joining a project (我要参加)."""

    project = models.ForeignKey(MicroProject, on_delete=models.CASCADE, related_name="signups")
    resident = models.ForeignKey("accounts.Resident", on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["project", "resident"], name="projectsignup_once")
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.resident_id}"


class ProjectRating(models.Model):
    project = models.ForeignKey(MicroProject, on_delete=models.CASCADE, related_name="ratings")
    resident = models.ForeignKey("accounts.Resident", on_delete=models.CASCADE, related_name="+")
    score = models.PositiveSmallIntegerField(_("评分"))
    comment = models.CharField(_("评价"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("居民评价")
        verbose_name_plural = _("居民评价")
        constraints = [
            models.UniqueConstraint(fields=["project", "resident"], name="projectrating_once"),
            models.CheckConstraint(
                condition=models.Q(score__gte=1, score__lte=5), name="projectrating_score_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.project_id}:{self.score}"
