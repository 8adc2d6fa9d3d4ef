from __future__ import annotations

from django.contrib import admin

from tongxin.redmap.models import CheckInRule


@admin.register(CheckInRule)
class CheckInRuleAdmin(admin.ModelAdmin):
    """The 打卡 and 主题党日 thresholds (local rules vary); sites are managed on their pages."""

    list_display = ("accuracy_allowance_m", "theme_day_min_members", "theme_day_min_percent")
