"""议事平台类型 are data: an administrator adds a kind or changes a rule (a vote copies the rule
when it is created, so a change never alters a vote already held)."""

from __future__ import annotations

from django.contrib import admin

from tongxin.deliberation.models import ForumKind


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
