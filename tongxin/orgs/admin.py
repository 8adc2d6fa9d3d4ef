from django.contrib import admin

from tongxin.core.admin_audit import AuditedAdmin
from tongxin.orgs.models import Leadership, Organization, Unit


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    # Edits of the tree itself go through the pages, where nesting rules are enforced.
    list_display = ("name", "kind", "sector", "establishment", "depth")
    list_filter = ("kind", "sector", "establishment")
    search_fields = ("name",)
    readonly_fields = ("path", "depth", "numchild")
    raw_id_fields = ("area", "unit")

    # Read-only here: the pages' services enforce nesting and write the audit log.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Unit)
class UnitAdmin(AuditedAdmin):
    list_display = ("name", "sector", "credit_code")
    search_fields = ("name",)
    raw_id_fields = ("area",)


@admin.register(Leadership)
class LeadershipAdmin(admin.ModelAdmin):
    # Read-only here: seats are registered on the organization page, where the
    # one-secretary-per-term rule is checked.
    list_display = ("org", "member", "role", "term_start", "term_end", "holds_dual_role")
    raw_id_fields = ("org", "member")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
