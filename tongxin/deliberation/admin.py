"""议事平台类型 are data: an administrator adds a kind or changes a rule (a vote copies the rule
when it is created, so a change never alters a vote already held)."""

from __future__ import annotations

from django.contrib import admin

from tongxin.core.admin_audit import ReadOnlyAdmin
from tongxin.deliberation.models import ActionItem, Forum, ForumKind, Session, Topic, Vote


@admin.register(ForumKind)
class ForumKindAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "quorum_percent",
        "pass_percent",
        "pass_inclusive",
        "pass_basis",
        "household_vote",
        "order",
    )


# The forums, topics, sessions, votes and actions are written by the services (scope, the
# 说 → 议 → 办 → 评 order, audit): read-only here. Residents show by name only (their phones
# stay on the resident's record, masked); ballots are not listed (who voted what is secret),
# nor are the sessions' check-in codes shown.


@admin.register(Forum)
class ForumAdmin(ReadOnlyAdmin):
    list_display = ("name", "kind", "area", "host_org", "active")
    list_filter = ("active",)
    raw_id_fields = ("kind", "area", "host_org")


@admin.register(Topic)
class TopicAdmin(ReadOnlyAdmin):
    list_display = ("title", "forum", "status")
    list_filter = ("status",)
    raw_id_fields = (
        "forum",
        "resident",
        "entered_by",
        "case",
        "listing",
        "suggestion",
        "merged_into",
    )
    show_full_result_count = False


@admin.register(Session)
class SessionAdmin(ReadOnlyAdmin):
    list_display = ("held_at", "forum", "place")
    exclude = ("code",)
    raw_id_fields = ("forum", "created_by")


@admin.register(Vote)
class VoteAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "topic", "status")
    list_filter = ("status",)
    raw_id_fields = ("topic", "session", "winner")


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "topic", "owner_name", "deadline", "progress", "done_at")
    raw_id_fields = ("topic",)
    filter_horizontal = ()
    exclude = ("cases",)
