from django.contrib import admin

from tongxin.core.admin_audit import AuditedAdmin, ReadOnlyAdmin
from tongxin.visits.models import ContactAssignment, PatrolPost, QuotaRule, Visit, VisitProblem


@admin.register(QuotaRule)
class QuotaRuleAdmin(AuditedAdmin):
    # The quotas are configuration (seed 003's figures by default): edited here, audited.
    list_display = ("label", "code", "period", "minimum", "maximum")
    list_editable = ("minimum", "maximum")


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    # Visits and problems change only through the services (scope, validation, audit).
    list_display = ("visited_on", "kind", "visitor_name", "area", "org")
    list_filter = ("kind",)
    raw_id_fields = ("visitor", "visitor_member", "org", "area", "unit", "target", "post")


@admin.register(VisitProblem)
class VisitProblemAdmin(ReadOnlyAdmin):
    list_display = ("text", "status", "case_code", "visited_on")
    list_filter = ("status",)
    raw_id_fields = ("visit",)


@admin.register(ContactAssignment)
class ContactAssignmentAdmin(ReadOnlyAdmin):
    list_display = ("leader", "org", "contact_duty", "home_duty", "active")
    raw_id_fields = ("leader", "org")


@admin.register(PatrolPost)
class PatrolPostAdmin(ReadOnlyAdmin):
    list_display = ("name", "org", "area", "active")
    raw_id_fields = ("org", "area", "members")
