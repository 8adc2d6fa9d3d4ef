from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    MEMBERS = "members", _("党员名册")
    ORGS = "orgs", _("党组织名册")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    CHECKING = "checking", _("正在检查")
    INVALID = "invalid", _("有错误")
    READY = "ready", _("检查通过，待导入")
    COMMITTING = "committing", _("正在导入")
    DONE = "done", _("已导入")
    FAILED = "failed", _("导入失败")
    CANCELLED = "cancelled", _("已取消")


RUNNING = (JobStatus.QUEUED, JobStatus.CHECKING, JobStatus.COMMITTING)


class ImportJob(models.Model):
    """One uploaded roster: checked first (the preview), then written all at once (commit).

    The file stays under UPLOAD_ROOT until the job is done; the report holds the counts and the
    per-row errors (never a whole ID or phone number)."""

    kind = models.CharField(_("类型"), max_length=16, choices=ImportKind.choices)
    status = models.CharField(
        _("状态"), max_length=16, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("导入人"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    file_name = models.CharField(max_length=200)  # relative to UPLOAD_ROOT
    original_name = models.CharField(_("文件名"), max_length=200)
    file_format = models.CharField(max_length=8)  # xlsx | xls | ods | csv
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    rows_total = models.PositiveIntegerField(_("数据行数"), default=0)
    rows_done = models.PositiveIntegerField(default=0)
    error_rows = models.PositiveIntegerField(_("有错误的行"), default=0)
    to_create = models.PositiveIntegerField(_("新增"), default=0)
    to_update = models.PositiveIntegerField(_("更新"), default=0)
    unchanged = models.PositiveIntegerField(_("无变化"), default=0)
    message = models.CharField(_("说明"), max_length=500, blank=True)
    report = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    # The process checking or writing the job ("host:pid:start") and when it last said so:
    # how the sweep (jobs.py) tells a dead worker's job from a slow one.
    worker = models.CharField(max_length=120, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("名册导入")
        verbose_name_plural = _("名册导入")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["created_by", "created_at"], name="importjob_user_at")]

    def __str__(self) -> str:
        return self.original_name

    @property
    def running(self) -> bool:
        return self.status in RUNNING

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 0
        return min(100, round(100 * self.rows_done / self.rows_total))
