"""消息中心 in the admin: read-only (messages are delivered by the services, and each user sets
their own preferences). The message text is shown only as its title: a body may carry what only
its recipient may see."""

from __future__ import annotations

from django.contrib import admin

from tongxin.core.admin_audit import ReadOnlyAdmin
from tongxin.inbox.models import Delivery, DigestSent, Message


@admin.register(Message)
class MessageAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "recipient", "kind", "title", "read_at")
    list_filter = ("kind",)
    fields = ("recipient", "kind", "key", "title", "link", "created_at", "read_at")
    raw_id_fields = ("recipient",)
    list_select_related = ("recipient",)


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    # The state of the email and SMS copies: what failed and why.
    list_display = ("message", "channel", "state", "attempts", "not_before", "sent_at")
    list_filter = ("channel", "state")
    raw_id_fields = ("message",)


@admin.register(DigestSent)
class DigestSentAdmin(ReadOnlyAdmin):
    list_display = ("day", "user", "count")
    raw_id_fields = ("user",)
