from django.contrib import admin

from tongxin.core.admin_audit import ReadOnlyAdmin
from tongxin.orgs.models import Leadership, Organization, Unit


@admin.register(Organization)
class OrganizationAdmin(ReadOnlyAdmin):
    # Edits of the tree go through the pages, where nesting rules are enforced and audited.
    list_display = ("name", "kind", "sector", "establishment", "depth")
    list_filter = ("kind", "sector", "establishment")
    search_fields = ("name",)
    readonly_fields = ("path", "depth", "numchild")
    raw_id_fields = ("area", "unit")


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    # Registered and edited on 单位名录, where the credit code is checked and changes audited.
    list_display = ("name", "sector", "credit_code")
    search_fields = ("name",)
    raw_id_fields = ("area",)


@admin.register(Leadership)
class LeadershipAdmin(ReadOnlyAdmin):
    # Read-only here: seats are registered on the organization page, where the
    # one-secretary-per-term rule is checked.
    list_display = ("org", "member", "role", "term_start", "term_end", "holds_dual_role")
    raw_id_fields = ("org", "member")
