"""组织生活: 三会一课, 主题党日, 组织生活会 (DESIGN §4.5), the member card's check-in records,
the compliance rules and the calendar feeds."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    GENERAL = "general", _("支部党员大会")
    COMMITTEE = "committee", _("支部委员会")
    GROUP = "group", _("党小组会")
    LECTURE = "lecture", _("党课")
    THEME_DAY = "theme_day", _("主题党日")
    LIFE = "life", _("组织生活会")
    APPRAISAL = "appraisal", _("民主评议党员")


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    HELD = "held", _("已召开")
    CANCELLED = "cancelled", _("已取消")


class ReviewStatus(models.TextChoices):
    NONE = "", _("未审核")
    APPROVED = "approved", _("审核通过")
    RETURNED = "returned", _("退回补正")


class Period(models.TextChoices):
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    YEAR = "year", _("每年")


class Recurrence(models.TextChoices):
    WEEKLY = "weekly", _("每周")
    MONTHLY = "monthly", _("每月")


WEEKDAY_LABELS = [
    _("星期一"),
    _("星期二"),
    _("星期三"),
    _("星期四"),
    _("星期五"),
    _("星期六"),
    _("星期日"),
]


class MeetingSeries(models.Model):
    """A recurring plan (周二夜学 weekly, 主题党日 monthly) that generated planned meetings."""

    org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="+"
    )
    org_path = models.CharField(max_length=255, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    recurrence = models.CharField(_("周期"), max_length=8, choices=Recurrence.choices)
    weekday = models.PositiveSmallIntegerField(_("星期"), null=True, blank=True)  # 0 = Monday
    day_of_month = models.PositiveSmallIntegerField(_("每月日期"), null=True, blank=True)
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    location = models.CharField(_("地点"), max_length=200, blank=True)
    starts_on = models.DateField(_("起始日期"))
    ends_on = models.DateField(_("截止日期"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会议计划（周期）")
        verbose_name_plural = _("会议计划（周期）")
        indexes = [models.Index(fields=["org_path"], name="series_orgpath")]

    def __str__(self) -> str:
        return self.title

    @property
    def when_label(self) -> str:
        if self.recurrence == Recurrence.WEEKLY and self.weekday is not None:
            return str(WEEKDAY_LABELS[self.weekday])
        return str(_("%(d)s日") % {"d": self.day_of_month})


class Meeting(models.Model):
    """One meeting. Dates and times are local (Asia/Shanghai), as the minutes write them."""

    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("党组织"),
        on_delete=models.PROTECT,
        related_name="meetings",
    )
    # Copy of org.path (kept by the services): "meetings in a subtree" is one indexed range.
    org_path = models.CharField(max_length=255, editable=False)
    # The branch whose compliance the meeting counts for: the org itself, or a group's branch.
    # (indexed by meeting_branch_status_date, whose first column it is)
    branch = models.ForeignKey(
        "orgs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(_("类型"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("主题"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=16, choices=MeetingStatus.choices, default=MeetingStatus.PLANNED
    )
    date = models.DateField(_("日期"))
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    location = models.CharField(_("地点"), max_length=200, blank=True)
    presenter = models.CharField(_("主持人/主讲人"), max_length=50, blank=True)
    recorder = models.CharField(_("记录人"), max_length=50, blank=True)
    content = models.TextField(_("会议内容"), blank=True)
    decisions = models.TextField(_("决议事项"), blank=True)
    series = models.ForeignKey(
        MeetingSeries, null=True, blank=True, on_delete=models.SET_NULL, related_name="meetings"
    )
    # Kept by the services so that attendance rates over a subtree are one aggregate.
    expected_count = models.PositiveIntegerField(_("应到"), default=0)
    present_count = models.PositiveIntegerField(_("实到"), default=0)
    review_status = models.CharField(
        _("审核"),
        max_length=16,
        choices=ReviewStatus.choices,
        default=ReviewStatus.NONE,
        blank=True,
    )
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    # Indexed: deleting an account sets these to NULL, which would otherwise scan every meeting
    # (a city demo --reset deletes tens of thousands of accounts).
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("会议")
        verbose_name_plural = _("会议")
        indexes = [
            models.Index(fields=["org_path", "date"], name="meeting_orgpath_date"),
            models.Index(fields=["branch", "status", "date"], name="meeting_branch_status_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"


class AttendanceState(models.TextChoices):
    PRESENT = "present", _("出席")
    ABSENT = "absent", _("缺席")
    EXCUSED = "excused", _("请假")


class CheckInMethod(models.TextChoices):
    QR = "qr", _("扫码")
    CODE = "code", _("签到码")
    ROLL_CALL = "roll_call", _("点名")
    RECORD = "record", _("补录")


class Attendance(models.Model):
    # indexed by the unique (meeting, member) constraint, whose first column it is
    meeting = models.ForeignKey(
        Meeting, on_delete=models.CASCADE, related_name="attendance", db_index=False
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+"
    )
    state = models.CharField(_("出勤"), max_length=8, choices=AttendanceState.choices)
    reason = models.CharField(_("缺席原因"), max_length=200, blank=True)
    method = models.CharField(_("方式"), max_length=16, choices=CheckInMethod.choices, blank=True)
    is_guest = models.BooleanField(_("列席"), default=False)
    at = models.DateTimeField(_("时间"), auto_now=True)

    class Meta:
        verbose_name = _("出勤")
        verbose_name_plural = _("出勤")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.member_id} {self.state}"


class Guest(models.Model):
    """A member from outside the branch invited to one meeting (列席): may then check in."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="guests")
    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.CASCADE, related_name="+"
    )

    class Meta:
        verbose_name = _("列席人员")
        verbose_name_plural = _("列席人员")
        constraints = [models.UniqueConstraint(fields=["meeting", "member"], name="guest_once")]

    def __str__(self) -> str:
        return f"{self.meeting_id}:{self.member_id}"


class MeetingAttachment(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    name = models.CharField(max_length=200)  # relative to UPLOAD_ROOT, random
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("会议附件")
        verbose_name_plural = _("会议附件")

    def __str__(self) -> str:
        return self.original_name


class TokenUse(models.Model):
    """A card token or short code already used in a context (a meeting, an activity): the
    unique pair refuses a replay."""

    context = models.CharField(max_length=64)
    nonce = models.CharField(max_length=64)
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("签到凭证使用记录")
        verbose_name_plural = _("签到凭证使用记录")
        constraints = [models.UniqueConstraint(fields=["context", "nonce"], name="token_use_once")]

    def __str__(self) -> str:
        return f"{self.context} {self.nonce}"


class ComplianceRule(models.Model):
    """How often a branch must hold a kind of meeting. Defaults loaded by a data migration from
    《中国共产党支部工作条例（试行）》; editable in the admin."""

    kind = models.CharField(_("会议类型"), max_length=16, choices=MeetingKind.choices, unique=True)
    period = models.CharField(_("周期"), max_length=8, choices=Period.choices)
    min_count = models.PositiveSmallIntegerField(_("每期至少"), default=1)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("组织生活规则")
        verbose_name_plural = _("组织生活规则")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.get_period_display()}"


class FeedKind(models.TextChoices):
    BRANCH = "branch", _("支部日历")
    MEMBER = "member", _("个人日历")


class CalendarFeed(models.Model):
    """A private iCalendar URL: whoever holds the token reads that branch's or member's
    meetings without logging in. Rotating replaces the token (the old URL stops working)."""

    kind = models.CharField(max_length=8, choices=FeedKind.choices)
    org = models.OneToOneField(
        "orgs.Organization", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    member = models.OneToOneField(
        "members.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")

    def __str__(self) -> str:
        return f"{self.kind} {self.org_id or self.member_id}"
