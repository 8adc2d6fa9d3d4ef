from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditLog(models.Model):
    """Append-only record of every write and every reveal of personal data."""

    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("动作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64)
    object_id = models.CharField(_("对象编号"), max_length=64, blank=True)
    object_repr = models.CharField(_("对象"), max_length=200, blank=True)
    diff = models.JSONField(_("变更"), default=dict, blank=True)
    ip = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    # Where in the organization tree the object stood when the row was written: auditors see
    # the rows of their subtree, and a later move of the object does not carry rows away.
    org_path = models.CharField(max_length=255, blank=True, default="")
    # The same for objects that live in the geography (cases, visits, centres, listings,
    # projects): the area they stood in. A row has at least one of the two (core.audit refuses
    # a row without a place), so that some auditor always sees it.
    area_path = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        verbose_name = _("审计日志")
        verbose_name_plural = _("审计日志")
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["org_path", "at"], name="audit_orgpath_at"),
            models.Index(fields=["area_path", "at"], name="audit_areapath_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"


class PeriodicRun(models.Model):
    """One run of a periodic task, claimed by the scheduler that enqueued it: the unique key
    lets only one of several schedulers (on several machines) enqueue a run (core.periodic)."""

    task = models.CharField(max_length=200)
    slot = models.BigIntegerField()  # time.time() // every: the run's number since the epoch
    claimed_at = models.DateTimeField(auto_now_add=True)
    claimed_by = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "slot"], name="core_periodicrun_once"),
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.slot}"
