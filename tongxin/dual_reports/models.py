"""双报到: an in-service member reports to the community where they live.

The tables keep the names they had when these models lived in ``members`` (``db_table``), so a
database made before the move keeps its rows."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.members.models import Member


class DualReportStatus(models.TextChoices):
    REPORTED = "reported", _("待社区接收")
    ACCEPTED = "accepted", _("已接收")
    DECLINED = "declined", _("社区未接收")
    ENDED = "ended", _("已结束")


OPEN_DUAL_REPORT_STATUSES = [DualReportStatus.REPORTED, DualReportStatus.ACCEPTED]


class DualReport(models.Model):
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="dual_reports"
    )
    community = models.ForeignKey(
        "geo.Area", verbose_name=_("报到社区"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("状态"),
        max_length=16,
        choices=DualReportStatus.choices,
        default=DualReportStatus.REPORTED,
    )
    reported_on = models.DateField(_("报到日期"))
    service_post = models.CharField(_("服务岗位"), max_length=100, blank=True)
    accepted_on = models.DateField(_("接收日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "members_dualreport"
        verbose_name = _("双报到")
        verbose_name_plural = _("双报到")
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=models.Q(status__in=OPEN_DUAL_REPORT_STATUSES),
                name="dualreport_one_open_per_member",
            )
        ]

    def __str__(self) -> str:
        return f"{self.member_id} → {self.community_id}"


class DualReportHours(models.Model):
    """Hours served in the community, in whole minutes. `source`/`source_ref` name where an
    entry came from (a volunteering activity), so logging it twice is refused."""

    dual_report = models.ForeignKey(DualReport, on_delete=models.CASCADE, related_name="hours")
    served_on = models.DateField(_("服务日期"))
    minutes = models.PositiveIntegerField(_("时长（分钟）"))
    note = models.CharField(_("服务内容"), max_length=200, blank=True)
    source = models.CharField(max_length=32, default="manual")
    source_ref = models.CharField(max_length=64, blank=True)
    logged_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "members_dualreporthours"
        verbose_name = _("双报到服务时长")
        verbose_name_plural = _("双报到服务时长")
        ordering = ["-served_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minutes__gte=1, minutes__lte=24 * 60),
                name="dualreporthours_minutes_range",
            ),
            models.UniqueConstraint(
                fields=["source", "source_ref"],
                condition=~models.Q(source_ref=""),
                name="dualreporthours_source_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.served_on} {self.minutes}"
