"""三访 (seed 003, 枫泾镇): 党员领导干部联系走访, 党员干部上门家访, 党员巡访服务岗.

A Visit is one entry of a 民情日记: who went where, whom they met, what they heard. Problems
raised (VisitProblem) are followed to the end: resolved on the spot, or turned into a case
(tongxin.cases) whose state the biweekly briefing (双周通报会) shows.

Scope: a visit is reached through the visitor's organization (``org_path``) or through the
visited area (``area_path``), both denormalized so that either is one indexed range.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitKind(models.TextChoices):
    CONTACT = "contact", _("领导联系走访")
    HOME = "home", _("上门家访")
    PATROL = "patrol", _("党员巡访")


class QuotaPeriod(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")


class QuotaRule(models.Model):
    """A default quota, kept as data (editable in the admin). Loaded by a data migration with
    the 枫泾 figures: each leader links 4–5 units and at least 10 households; village cadres
    visit at least 10 households a month."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    label = models.CharField(_("名称"), max_length=100)
    period = models.CharField(_("周期"), max_length=8, choices=QuotaPeriod.choices)
    minimum = models.PositiveIntegerField(_("下限"))
    maximum = models.PositiveIntegerField(_("上限"), null=True, blank=True)

    class Meta:
        verbose_name = _("三访配额")
        verbose_name_plural = _("三访配额")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.label


class ContactAssignment(models.Model):
    """三访责任: a cadre (a member) with their duties. A leader (班子成员) links units and
    households (ContactTarget) for 联系走访; a cadre with ``home_duty`` owes the monthly
    上门家访 quota."""

    leader = models.ForeignKey(
        "members.Member", verbose_name=_("责任人"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所在党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=255, editable=False)
    contact_duty = models.BooleanField(_("领导联系走访"), default=True)
    home_duty = models.BooleanField(_("上门家访"), default=True)
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("三访责任")
        verbose_name_plural = _("三访责任")
        indexes = [models.Index(fields=["org_path"], name="visit_assign_orgpath")]
        constraints = [
            models.UniqueConstraint(
                fields=["leader"], condition=models.Q(active=True), name="visit_assign_one_active"
            )
        ]

    def __str__(self) -> str:
        return str(self.leader)


class TargetKind(models.TextChoices):
    UNIT = "unit", _("联系单位")
    HOUSEHOLD = "household", _("联系户")


class ContactTarget(models.Model):
    """A unit or a household a leader is linked to. A household is a place (a compound or
    building) and a label (门牌, 户主)."""

    assignment = models.ForeignKey(
        ContactAssignment, on_delete=models.CASCADE, related_name="targets"
    )
    kind = models.CharField(_("类型"), max_length=10, choices=TargetKind.choices)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    area = models.ForeignKey(
        "geo.Area",
        verbose_name=_("所在小区/楼栋"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    label = models.CharField(_("户（门牌、户主）"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("联系对象")
        verbose_name_plural = _("联系对象")
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        if self.kind == TargetKind.UNIT and self.unit_id:
            return str(self.unit)
        return f"{self.area} {self.label}".strip()


class PatrolPost(models.Model):
    """党员巡访服务岗: a place, the members on duty (巡访员) and their shifts; the post reports
    to a briefing every two weeks (巡访员通报会)."""

    name = models.CharField(_("名称"), max_length=100)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所属党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=255, editable=False)
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("巡访区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(max_length=255, editable=False)
    place = models.CharField(_("岗位地点"), max_length=200, blank=True)
    shifts = models.CharField(_("值守时间"), max_length=200, blank=True)
    members = models.ManyToManyField(
        "members.Member", verbose_name=_("巡访员"), related_name="+", blank=True
    )
    active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("党员巡访服务岗")
        verbose_name_plural = _("党员巡访服务岗")
        indexes = [models.Index(fields=["org_path"], name="patrol_post_orgpath")]

    def __str__(self) -> str:
        return self.name


class Visit(models.Model):
    """民情日记: one visit."""

    kind = models.CharField(_("类型"), max_length=10, choices=VisitKind.choices)
    visited_on = models.DateField(_("走访日期"))
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Indexed by visit_member_date (member first).
    visitor_member = models.ForeignKey(
        "members.Member",
        verbose_name=_("走访人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    visitor_name = models.CharField(_("走访人"), max_length=50)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("走访人所在党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=255, editable=False)
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("走访地点"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(max_length=255, editable=False)
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("走访单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    household = models.CharField(_("走访户"), max_length=100, blank=True)
    target = models.ForeignKey(
        ContactTarget,
        verbose_name=_("联系对象"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    post = models.ForeignKey(
        PatrolPost,
        verbose_name=_("巡访服务岗"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="visits",
    )
    people_met = models.CharField(_("走访对象"), max_length=200)
    heard = models.TextField(_("所见所闻"), max_length=4000)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("三访记录")
        verbose_name_plural = _("三访记录")
        indexes = [
            models.Index(fields=["org_path", "visited_on"], name="visit_org_date"),
            models.Index(fields=["area_path", "visited_on"], name="visit_area_date"),
            models.Index(fields=["visitor_member", "visited_on"], name="visit_member_date"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.visitor_name} {self.get_kind_display()}"


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("待解决")
    RESOLVED = "resolved", _("已解决")
    CASE = "case", _("已转事件")


class VisitProblem(models.Model):
    """A problem a resident raised during a visit. ``case_pk``/``case_code`` point at the case
    it became (a plain integer, not a foreign key: visits work without the cases module)."""

    visit = models.ForeignKey(Visit, on_delete=models.CASCADE, related_name="problems")
    text = models.CharField(_("问题"), max_length=1000)
    status = models.CharField(
        _("状态"), max_length=10, choices=ProblemStatus.choices, default=ProblemStatus.OPEN
    )
    resolution = models.CharField(_("解决情况"), max_length=300, blank=True)
    case_pk = models.IntegerField(null=True, blank=True, unique=True)
    case_code = models.CharField(_("事件查询码"), max_length=12, blank=True)
    # Copies of the visit's, so the briefing filters problems without joining visits.
    org_path = models.CharField(max_length=255, editable=False)
    area_path = models.CharField(max_length=255, editable=False)
    visited_on = models.DateField(editable=False)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("走访问题")
        verbose_name_plural = _("走访问题")
        ordering = ["id"]
        indexes = [
            models.Index(fields=["org_path", "visited_on"], name="vproblem_org_date"),
            models.Index(fields=["area_path", "visited_on"], name="vproblem_area_date"),
        ]

    def __str__(self) -> str:
        return self.text[:40]
