from django.contrib import admin

from tongxin.members.models import Member, OrgRelationChange


@admin.register(Member)
class MemberAdmin(admin.ModelAdmin):
    # Personal data shows masked only; revealing goes through the audited member page.
    list_display = ("name", "gender", "status", "id_number_masked", "phone_masked", "org")
    list_filter = ("status", "standing", "is_floating")
    search_fields = ("name",)
    exclude = ("id_number_enc", "id_number_index", "phone_enc", "phone_index")
    readonly_fields = ("id_number_masked", "phone_masked", "birth_date", "gender", "org_path")
    raw_id_fields = ("org", "residence", "work_unit")

    # Read-only here: the pages' services validate, encrypt and write the audit log.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(OrgRelationChange)
class OrgRelationChangeAdmin(admin.ModelAdmin):
    # History is written by the services only.
    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    list_display = ("member", "kind", "from_org_name", "to_org_name", "on")
    raw_id_fields = ("member", "from_org", "to_org")
