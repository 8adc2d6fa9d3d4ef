"""考评 in the admin, read-only: indicator sets, assessments, appeals and 述职评议 are written by
their services (weights adding up to 1,000, windows, audit). The ballots are not listed here:
who gave which grade stays secret; the session's voting token is not shown either."""

from __future__ import annotations

from django.contrib import admin

from tongxin.appraisal.models import (
    Appeal,
    Assessment,
    IndicatorSet,
    RectificationItem,
    Reporter,
    ReviewSession,
)
from tongxin.core.admin_audit import ReadOnlyAdmin


@admin.register(IndicatorSet)
class IndicatorSetAdmin(ReadOnlyAdmin):
    list_display = ("name", "year", "level", "org", "published")
    list_filter = ("year", "level", "published")
    raw_id_fields = ("org",)


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    list_display = ("org", "indicator_set", "quarter", "status", "final_total")
    list_filter = ("status", "quarter")
    raw_id_fields = ("org", "indicator_set")


@admin.register(Appeal)
class AppealAdmin(ReadOnlyAdmin):
    list_display = ("assessment", "status", "filed_on")
    list_filter = ("status",)
    raw_id_fields = ("assessment", "score", "filed_by")


@admin.register(ReviewSession)
class ReviewSessionAdmin(ReadOnlyAdmin):
    list_display = ("title", "year", "kind", "org", "status")
    list_filter = ("kind", "status")
    exclude = ("token",)
    raw_id_fields = ("org",)


@admin.register(Reporter)
class ReporterAdmin(ReadOnlyAdmin):
    list_display = ("name", "session")
    exclude = ("attachment_file",)
    raw_id_fields = ("session", "org", "agency")


@admin.register(RectificationItem)
class RectificationItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "reporter", "deadline", "progress", "status")
    list_filter = ("status",)
    raw_id_fields = ("reporter",)
