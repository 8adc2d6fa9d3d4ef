from django.contrib import admin

from tongxin.core.admin_audit import ReadOnlyAdmin
from tongxin.transfers.models import Transfer, TransferEvent, TransferStep


class TransferStepInline(admin.TabularInline):
    model = TransferStep
    extra = 0
    can_delete = False
    fields = ("position", "org_name", "role", "decision", "decided_by", "decided_at", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TransferEventInline(admin.TabularInline):
    model = TransferEvent
    extra = 0
    can_delete = False
    fields = ("at", "action", "org_name", "actor", "note")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Transfer)
class TransferAdmin(ReadOnlyAdmin):
    # The chain is decided through the transfer pages only (services check every step).
    list_display = ("member_name", "source", "target", "status", "origin", "letter_no")
    list_filter = ("status", "origin")
    search_fields = ("member_name", "letter_no")
    raw_id_fields = ("member", "source", "target", "requested_by")
    inlines = (TransferStepInline, TransferEventInline)
