"""预警: rules kept as versioned data, and the warnings a sweep opens from them.

A rule names a registered check (``core.alert_checks``), its yellow and red thresholds (the
check's value reaching them), the organization kinds it applies to, and after how many days an
unacknowledged warning goes to the organization above. Changing a rule writes a new version;
the warnings opened under the old one keep pointing at it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Level(models.TextChoices):
    YELLOW = "yellow", _("黄色预警")
    RED = "red", _("红色预警")


class AlertState(models.TextChoices):
    OPEN = "open", _("待处理")
    ACKNOWLEDGED = "acknowledged", _("已签收")
    RESOLVED = "resolved", _("已解除")


class AlertRule(models.Model):
    key = models.SlugField(_("规则代码"), max_length=60)
    version = models.PositiveIntegerField(_("版本"), default=1)
    check_key = models.CharField(_("指标"), max_length=60)
    title = models.CharField(_("名称"), max_length=100)
    yellow_at = models.PositiveIntegerField(_("黄色阈值"))
    red_at = models.PositiveIntegerField(_("红色阈值"))
    org_kinds = models.JSONField(_("适用组织类型"), default=list, blank=True)  # empty: all
    escalate_after_days = models.PositiveSmallIntegerField(_("未签收升级天数"), default=7)
    # 党章: six months of dues unpaid without reason → a red warning goes straight to the
    # organization above the branch.
    red_to_parent = models.BooleanField(_("红色预警报上级"), default=False)
    active = models.BooleanField(_("生效"), default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("预警规则")
        verbose_name_plural = _("预警规则")
        constraints = [
            models.UniqueConstraint(fields=["key", "version"], name="alertrule_key_version"),
            models.UniqueConstraint(
                fields=["key"], condition=Q(active=True), name="alertrule_one_active"
            ),
            models.CheckConstraint(
                condition=Q(yellow_at__lte=models.F("red_at")), name="alertrule_yellow_le_red"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


class Alert(models.Model):
    """One warning: a rule's condition at one organization, from opening to resolution."""

    rule = models.ForeignKey(AlertRule, on_delete=models.PROTECT, related_name="alerts")
    rule_key = models.SlugField(max_length=60)
    org = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("组织")
    )
    org_path = models.CharField(max_length=255)
    # Who must act: the organization where it arises, or above it after escalation.
    owner = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="+", verbose_name=_("责任组织")
    )
    owner_path = models.CharField(max_length=255)
    owner_since = models.DateTimeField()
    level = models.CharField(_("级别"), max_length=8, choices=Level.choices)
    value = models.IntegerField(_("指标值"))
    detail = models.CharField(_("说明"), max_length=200, blank=True)
    link = models.CharField(_("处理页面"), max_length=300, blank=True)
    state = models.CharField(
        _("状态"), max_length=16, choices=AlertState.choices, default=AlertState.OPEN
    )
    opened_at = models.DateTimeField(_("产生时间"))
    escalations = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("签收说明"), max_length=500, blank=True)
    resolved_at = models.DateTimeField(_("解除时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")
        constraints = [
            # one live warning per rule and organization
            models.UniqueConstraint(
                fields=["rule_key", "org"],
                condition=~Q(state="resolved"),
                name="alert_one_live",
            ),
        ]
        indexes = [
            models.Index(fields=["owner_path", "state"], name="alert_owner_state"),
            models.Index(fields=["org_path", "state"], name="alert_org_state"),
            models.Index(fields=["rule_key", "state"], name="alert_rule_state"),
        ]

    def __str__(self) -> str:
        return f"{self.rule_key} @ {self.org_id}"
