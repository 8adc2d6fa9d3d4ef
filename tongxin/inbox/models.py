"""消息中心: a message in a user's inbox, the copies of it sent by email or SMS, and each user's
choice of channels, quiet hours and daily digest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class MessageKind(models.TextChoices):
    WARNING = "warning", _("预警")
    TRANSFER = "transfer", _("转接待审批")
    BOOKING = "booking", _("场地预约")
    PROJECT = "project", _("微项目立项")
    CASE = "case", _("事件交办")
    MEETING = "meeting", _("会议提醒")
    TERM = "term", _("换届提醒")
    REPLY = "reply", _("报事答复")
    NOTICE = "notice", _("通知")
    APPROVAL = "approval", _("待审批事项")
    APPEAL = "appeal", _("考评申诉")
    OVERDUE = "overdue", _("事项逾期")
    OBJECTION = "objection", _("公示异议")


class Channel(models.TextChoices):
    APP = "app", _("站内")
    EMAIL = "email", _("邮件")
    SMS = "sms", _("短信")


EXTERNAL = (Channel.EMAIL, Channel.SMS)


class Message(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    kind = models.CharField(_("类型"), max_length=16, choices=MessageKind.choices)
    # The event, once per recipient ("transfers.step:12", "alerts.alert:5:red"): a second
    # delivery of the same event to the same person is a no-op (the unique constraint below).
    key = models.CharField(max_length=200)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    # Where the event stands (the audit row of a read, the subtree filter); "" for none.
    org_path = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(_("时间"), default=timezone.now)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("消息")
        verbose_name_plural = _("消息")
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="inbox_message_once"),
        ]
        indexes = [
            # the badge: unread of one user (one index range)
            models.Index(fields=["recipient", "read_at"], name="inbox_recipient_read"),
            models.Index(fields=["recipient", "-created_at"], name="inbox_recipient_created"),
        ]

    def __str__(self) -> str:
        return self.title


class DeliveryState(models.TextChoices):
    PENDING = "pending", _("待发送")
    SENT = "sent", _("已发送")
    FAILED = "failed", _("发送失败")


class Delivery(models.Model):
    """The copy of a message sent through an outside channel (email, SMS). One per message and
    channel: sent once or failed after MAX_ATTEMPTS tries; the in-app message stays either way."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    state = models.CharField(
        _("状态"), max_length=8, choices=DeliveryState.choices, default=DeliveryState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    not_before = models.DateTimeField(_("最早发送时间"), default=timezone.now)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    last_error = models.CharField(_("错误"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("消息投递")
        verbose_name_plural = _("消息投递")
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="inbox_delivery_once"),
        ]
        indexes = [models.Index(fields=["state", "not_before"], name="inbox_delivery_due")]

    def __str__(self) -> str:
        return f"{self.message_id}:{self.channel}"


class Preference(models.Model):
    """Whether a user wants messages of one kind through one outside channel (in-app is
    always on)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16, choices=MessageKind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    enabled = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("消息偏好")
        verbose_name_plural = _("消息偏好")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "channel"], name="inbox_pref_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.kind}:{self.channel}"


class InboxSettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    # Outside-channel messages wait until the quiet hours end (local time; may span midnight).
    quiet_start = models.TimeField(_("免打扰开始"), null=True, blank=True)
    quiet_end = models.TimeField(_("免打扰结束"), null=True, blank=True)
    # One email a day with the unread messages instead of one email per message.
    digest = models.BooleanField(_("每日摘要"), default=False)

    class Meta:
        verbose_name = _("消息设置")
        verbose_name_plural = _("消息设置")

    def __str__(self) -> str:
        return str(self.user_id)


class DigestSent(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="inbox_digest_once")]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.day}"
