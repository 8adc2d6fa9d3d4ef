"""锋领指数 in the admin, read-only: rule sets are versioned on their page (a revision is a new
version), the ledger, the closes and the snapshots are append-only, awards and reviews go
through the services (evidence, a second person's approval, audit)."""

from __future__ import annotations

from django.contrib import admin

from tongxin.core.admin_audit import ReadOnlyAdmin
from tongxin.points.models import (
    ManualAward,
    MemberReview,
    PeriodClose,
    PointEntry,
    Rule,
    RuleSet,
    RuleSetVersion,
    ScoreSnapshot,
)


@admin.register(RuleSet)
class RuleSetAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "org_path")
    raw_id_fields = ("org",)


@admin.register(RuleSetVersion)
class RuleSetVersionAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "rule_set")
    raw_id_fields = ("rule_set", "created_by")


@admin.register(Rule)
class RuleAdmin(ReadOnlyAdmin):
    list_display = ("label", "code", "category", "kind", "points", "cap", "version")
    list_filter = ("category",)
    raw_id_fields = ("version",)


@admin.register(PointEntry)
class PointEntryAdmin(ReadOnlyAdmin):
    # The ledger: append-only (a correction is a reversing entry written by the service).
    list_display = ("on", "member", "category", "granted", "period", "kind")
    list_filter = ("category",)
    exclude = ("evidence",)
    raw_id_fields = ("member", "rule", "version", "awarded_by", "approved_by")
    show_full_result_count = False


@admin.register(ManualAward)
class ManualAwardAdmin(ReadOnlyAdmin):
    list_display = ("member", "rule", "on", "is_claim", "state", "created_at")
    list_filter = ("state", "is_claim")
    exclude = ("evidence",)  # the stored file's path; the evidence opens on the awards page
    raw_id_fields = ("member", "rule", "proposed_by", "decided_by", "entry")


@admin.register(PeriodClose)
class PeriodCloseAdmin(ReadOnlyAdmin):
    list_display = ("org", "period", "closed_by", "closed_at")
    raw_id_fields = ("org", "closed_by")


@admin.register(ScoreSnapshot)
class ScoreSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "member", "close")
    raw_id_fields = ("close", "member")
    show_full_result_count = False


@admin.register(MemberReview)
class MemberReviewAdmin(ReadOnlyAdmin):
    list_display = ("org", "year", "state")
    raw_id_fields = ("org", "opened_by", "decided_by")
