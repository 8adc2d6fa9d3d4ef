from django.contrib import admin

from tongxin.core.admin_audit import ReadOnlyAdmin
from tongxin.core.models import AuditLog


@admin.register(AuditLog)
class AuditLogAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor", "action", "object_type", "object_repr", "ip")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "object_id")
