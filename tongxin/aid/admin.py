"""The 互助金's rules are data edited here (aid kinds with their ranges and caps, a fund's
公示 days and eligibility rules); the ledger and the applications are read-only (their
services write them)."""

from django.contrib import admin

from tongxin.aid.models import (
    AidApplication,
    AidFund,
    AidKind,
    Approval,
    Donation,
    HardshipEntry,
    LedgerEntry,
    LedgerMovement,
    Objection,
)
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
    # The reason tells of illness or hardship: read on the application's audited page.
    exclude = ("reason",)
    raw_id_fields = ("member",)


@admin.register(LedgerEntry)
class LedgerEntryAdmin(ReadOnlyAdmin):
    # The double-entry lines: append-only, like the movements they belong to.
    list_display = ("movement", "account", "amount_fen", "on")
    raw_id_fields = ("movement", "account")
    show_full_result_count = False


@admin.register(Donation)
class DonationAdmin(ReadOnlyAdmin):
    list_display = ("certificate_no", "member", "amount_fen", "donated_on")
    exclude = ("verify_code",)  # the certificate's check code is the donor's to show
    raw_id_fields = ("member", "movement", "created_by")


@admin.register(HardshipEntry)
class HardshipEntryAdmin(ReadOnlyAdmin):
    list_display = ("member", "fund", "since", "until")
    exclude = ("note",)  # the hardship itself stays on the audited register page
    raw_id_fields = ("member",)


@admin.register(Approval)
class ApprovalAdmin(ReadOnlyAdmin):
    list_display = ("application", "approver", "approve", "created_at")
    raw_id_fields = ("application", "approver")


@admin.register(Objection)
class AidObjectionAdmin(ReadOnlyAdmin):
    list_display = ("application", "filed_at", "upheld", "answered_at")
    exclude = ("contact",)  # the objector's phone or address
    raw_id_fields = ("application", "answered_by")
