from django.contrib import admin

from tongxin.core.admin_audit import ReadOnlyAdmin
from tongxin.members.models import Member, OrgRelationChange


@admin.register(Member)
class MemberAdmin(ReadOnlyAdmin):
    # Personal data shows masked only; the pages' services validate, encrypt and audit, and
    # revealing goes through the audited member page.
    list_display = ("name", "gender", "status", "id_number_masked", "phone_masked", "org")
    list_filter = ("status", "standing", "is_floating")
    search_fields = ("name",)
    exclude = ("id_number_enc", "id_number_index", "phone_enc", "phone_index")
    readonly_fields = ("id_number_masked", "phone_masked", "birth_date", "gender", "org_path")
    raw_id_fields = ("org", "residence", "work_unit")


@admin.register(OrgRelationChange)
class OrgRelationChangeAdmin(ReadOnlyAdmin):
    # History is written by the services only.
    list_display = ("member", "kind", "from_org_name", "to_org_name", "on")
    raw_id_fields = ("member", "from_org", "to_org")
