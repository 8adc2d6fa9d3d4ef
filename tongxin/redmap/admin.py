from __future__ import annotations

from django.contrib import admin

from tongxin.core.admin_audit import ReadOnlyAdmin
from tongxin.redmap.models import CheckIn, CheckInRule, GroupVisit, Lesson, RedSite, Route


@admin.register(CheckInRule)
class CheckInRuleAdmin(admin.ModelAdmin):
    """The 打卡 and 主题党日 thresholds (local rules vary); sites are managed on their pages."""

    list_display = ("accuracy_allowance_m", "theme_day_min_members", "theme_day_min_percent")


# Sites, lessons, routes, visits and check-ins are written on their pages (scope, audit):
# read-only here. A site's door secret (the key of its QR code) is not shown.


@admin.register(RedSite)
class RedSiteAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "area", "org", "is_active")
    list_filter = ("kind", "is_active")
    exclude = ("door_secret",)
    raw_id_fields = ("area", "org")


@admin.register(Lesson)
class LessonAdmin(ReadOnlyAdmin):
    list_display = ("title", "site", "created_at")
    raw_id_fields = ("site", "created_by")


@admin.register(Route)
class RouteAdmin(ReadOnlyAdmin):
    list_display = ("name", "org", "created_at")
    raw_id_fields = ("org",)


@admin.register(GroupVisit)
class GroupVisitAdmin(ReadOnlyAdmin):
    list_display = ("site", "branch", "date", "start_time", "people", "status")
    list_filter = ("status",)
    raw_id_fields = ("site", "branch", "meeting", "booked_by")


@admin.register(CheckIn)
class CheckInAdmin(ReadOnlyAdmin):
    list_display = ("site", "member", "on", "distance_m")
    raw_id_fields = ("site", "member", "visit")
    show_full_result_count = False
