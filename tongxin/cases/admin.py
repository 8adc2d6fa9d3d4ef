from django.contrib import admin

from tongxin.cases.models import Agency, AgencyMember, ApiKey, Case, Category, RoutingRule
from tongxin.core.admin_audit import AuditedAdmin, ReadOnlyAdmin


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    list_display = ("name", "code", "active")


@admin.register(Category)
class CategoryAdmin(AuditedAdmin):
    list_display = (
        "name",
        "code",
        "deadline_class",
        "hours_normal",
        "hours_urgent",
        "default_agency",
        "active",
        "order",
    )
    list_editable = ("hours_normal", "hours_urgent", "active", "order")


@admin.register(RoutingRule)
class RoutingRuleAdmin(AuditedAdmin):
    list_display = ("area", "category", "agency")
    raw_id_fields = ("area",)


@admin.register(AgencyMember)
class AgencyMemberAdmin(AuditedAdmin):
    list_display = ("user", "agency")
    raw_id_fields = ("user",)


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    # Cases change only through the services (state machine, events, audit).
    list_display = ("tracking_code", "title", "category", "state", "agency", "reported_at")
    list_filter = ("state", "category")
    search_fields = ("tracking_code", "title")
    exclude = ("reporter_phone_enc",)


@admin.register(ApiKey)
class ApiKeyAdmin(ReadOnlyAdmin):
    list_display = ("name", "prefix", "area", "per_minute", "created_at", "revoked_at")
    exclude = ("key_hash",)
