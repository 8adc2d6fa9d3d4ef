"""The 互助金's rules are data edited here (aid kinds with their ranges and caps, a fund's
公示 days and eligibility rules); the ledger and the applications are read-only (their
services write them)."""

from django.contrib import admin

from tongxin.aid.models import AidApplication, AidFund, AidKind, LedgerMovement
from tongxin.core.admin_audit import AuditedAdmin, ReadOnlyAdmin


@admin.register(AidKind)
class AidKindAdmin(AuditedAdmin):
    list_display = ("name", "fund", "min_fen", "max_fen", "yearly_cap_fen", "active")
    list_editable = ("min_fen", "max_fen", "yearly_cap_fen", "active")


@admin.register(AidFund)
class AidFundAdmin(AuditedAdmin):
    list_display = ("name", "publicity_days")
    fields = ("name", "publicity_days", "eligibility")

    def has_add_permission(self, request: object) -> bool:
        return False  # a fund is set up with its accounts by services.funds.fund_create


@admin.register(LedgerMovement)
class LedgerMovementAdmin(ReadOnlyAdmin):
    list_display = ("fund", "kind", "on", "memo")


@admin.register(AidApplication)
class AidApplicationAdmin(ReadOnlyAdmin):
    list_display = ("member", "kind", "amount_fen", "status")
    raw_id_fields = ("member",)
