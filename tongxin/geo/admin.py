from django.contrib import admin

from tongxin.core.admin_audit import AuditedAdmin
from tongxin.geo.models import Area


@admin.register(Area)
class AreaAdmin(AuditedAdmin):
    """Names, codes and coordinates only. An area is never added or moved here: its path is
    copied into every record that stands in it (members, cases, grids, powers …) for the data
    scope, and the tree keeps its children sorted by name, so inserting a sibling would shift
    the paths of those after it and leave the copies pointing at the wrong place. The area
    tree comes from the deployment's data load."""

    list_display = ("name", "level", "code", "path")
    search_fields = ("name", "code")
    list_filter = ("level",)
    ordering = ("path",)
    fields = ("name", "level", "code", "latitude", "longitude")
    readonly_fields = ("level",)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
