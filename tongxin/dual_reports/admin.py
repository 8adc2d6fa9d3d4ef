from django.contrib import admin

from tongxin.core.admin_audit import ReadOnlyAdmin
from tongxin.dual_reports.models import DualReport, DualReportHours


@admin.register(DualReport)
class DualReportAdmin(ReadOnlyAdmin):
    # Written by the services only (they check both sides' scopes and audit).
    list_display = ("member", "community", "status", "reported_on", "service_post")
    list_filter = ("status",)
    raw_id_fields = ("member", "community", "created_by")


@admin.register(DualReportHours)
class DualReportHoursAdmin(ReadOnlyAdmin):
    list_display = ("dual_report", "served_on", "minutes", "source")
    raw_id_fields = ("dual_report", "logged_by")
