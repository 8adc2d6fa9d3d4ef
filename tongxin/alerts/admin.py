"""预警 in the admin: the rules are read here and edited on their page (/alerts/rules/, a new
version each time, by the organization department); the warnings are the sweep's."""

from __future__ import annotations

from django.contrib import admin

from tongxin.alerts.models import Alert, AlertRule
from tongxin.core.admin_audit import ReadOnlyAdmin


@admin.register(AlertRule)
class AlertRuleAdmin(ReadOnlyAdmin):
    list_display = ("key", "version", "title", "check_key", "yellow_at", "red_at", "active")
    list_filter = ("active",)
    search_fields = ("key", "title")


@admin.register(Alert)
class AlertAdmin(ReadOnlyAdmin):
    list_display = ("rule_key", "org", "owner", "level", "value", "state", "opened_at")
    list_filter = ("level", "state", "rule_key")
    raw_id_fields = ("rule", "org", "owner", "acknowledged_by")
    list_select_related = ("org", "owner")
