"""初心图谱 (seed 001): red sites — 红色示范基地, 党章学堂, 初心学堂 — on a map, their 初心学堂
lessons, the 初心之旅 routes through them, branches' group visits and members' 打卡 check-ins."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SiteKind(models.TextChoices):
    BASE = "base", _("红色示范基地")
    CHARTER = "charter", _("党章学堂")
    SCHOOL = "school", _("初心学堂")


class RedSite(models.Model):
    """A red site (红色基地). Managed by an organization (``redmap.manage`` over its path or the
    area it stands in); seen by every signed-in user: the map is public information."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=16, choices=SiteKind.choices)
    address = models.CharField(_("地址"), max_length=200)
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(max_length=255, editable=False)  # copy of area.path
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("管理党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=255, editable=False)  # copy of org.path
    latitude = models.FloatField(_("纬度"))
    longitude = models.FloatField(_("经度"))
    # 打卡 counts within this distance of the coordinates (plus the rule's allowance for the
    # phone's reported accuracy): a large memorial park needs more than a room.
    radius_m = models.PositiveIntegerField(_("打卡半径（米）"), default=200)
    opening_hours = models.JSONField(_("开放时间"), default=dict, blank=True)
    closed_dates = models.JSONField(_("休息日"), default=list, blank=True)
    capacity = models.PositiveIntegerField(_("同时段接待人数"), default=50)
    story = models.TextField(_("红色故事"), blank=True)
    # Part of the door code's key: replacing it invalidates a leaked printout at once.
    door_secret = models.CharField(max_length=32, editable=False)
    is_active = models.BooleanField(_("开放"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("红色基地")
        verbose_name_plural = _("红色基地")
        indexes = [
            models.Index(fields=["area_path"], name="redsite_areapath"),
            models.Index(fields=["org_path"], name="redsite_orgpath"),
        ]

    def __str__(self) -> str:
        return self.name


class FileKind(models.TextChoices):
    PHOTO = "photo", _("照片")
    ATTACHMENT = "attachment", _("附件")


class SiteFile(models.Model):
    """A photo of a site, or an image or attachment of one of its lessons (checked by content,
    stored under UPLOAD_ROOT with a random name, served by redmap's own view)."""

    site = models.ForeignKey(RedSite, on_delete=models.CASCADE, related_name="files")
    lesson = models.ForeignKey(
        "redmap.Lesson", null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    kind = models.CharField(max_length=16, choices=FileKind.choices)
    name = models.CharField(max_length=200)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("红色基地文件")
        verbose_name_plural = _("红色基地文件")

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Lesson(models.Model):
    """A 初心学堂 lesson: text, with images and attachments (SiteFile)."""

    site = models.ForeignKey(RedSite, on_delete=models.CASCADE, related_name="lessons")
    title = models.CharField(_("课程名称"), max_length=200)
    body = models.TextField(_("课程内容"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("初心学堂课程")
        verbose_name_plural = _("初心学堂课程")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title


class Route(models.Model):
    """初心之旅: an ordered set of sites."""

    name = models.CharField(_("线路名称"), max_length=100)
    description = models.TextField(_("线路介绍"), blank=True)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("发布党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    org_path = models.CharField(max_length=255, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("初心之旅线路")
        verbose_name_plural = _("初心之旅线路")

    def __str__(self) -> str:
        return self.name


class RouteStop(models.Model):
    route = models.ForeignKey(Route, on_delete=models.CASCADE, related_name="stops")
    site = models.ForeignKey(RedSite, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField()

    class Meta:
        verbose_name = _("线路站点")
        verbose_name_plural = _("线路站点")
        ordering = ["route", "position"]
        constraints = [
            models.UniqueConstraint(fields=["route", "position"], name="routestop_position_once")
        ]

    def __str__(self) -> str:
        return f"{self.route_id}:{self.position}"


class VisitStatus(models.TextChoices):
    BOOKED = "booked", _("已预约")
    COUNTED = "counted", _("已计入主题党日")
    CANCELLED = "cancelled", _("已取消")


class GroupVisit(models.Model):
    """A branch's booked group visit. Booking plans a 主题党日 meeting for the branch (through
    the meetings app); once enough members have checked in on site, that meeting is held."""

    site = models.ForeignKey(RedSite, on_delete=models.PROTECT, related_name="visits")
    branch = models.ForeignKey(
        "orgs.Organization", verbose_name=_("党支部"), on_delete=models.PROTECT, related_name="+"
    )
    branch_path = models.CharField(max_length=255, editable=False)
    date = models.DateField(_("日期"))
    start_time = models.TimeField(_("开始时间"))
    end_time = models.TimeField(_("结束时间"))
    people = models.PositiveIntegerField(_("人数"))
    status = models.CharField(
        _("状态"), max_length=16, choices=VisitStatus.choices, default=VisitStatus.BOOKED
    )
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("集体参观预约")
        verbose_name_plural = _("集体参观预约")
        indexes = [
            models.Index(fields=["site", "date"], name="visit_site_date"),
            models.Index(fields=["branch_path", "date"], name="visit_branchpath_date"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.site_id}"


class CheckIn(models.Model):
    """One member's 打卡 at a site: with the day's door code, and within the radius where the
    phone gave a position. Once per member, site and day."""

    site = models.ForeignKey(RedSite, on_delete=models.PROTECT, related_name="checkins")
    member = models.ForeignKey("members.Member", on_delete=models.CASCADE, related_name="+")
    member_org_path = models.CharField(max_length=255, editable=False)
    on = models.DateField(_("日期"))  # local (Asia/Shanghai)
    at = models.DateTimeField(_("时间"))
    visit = models.ForeignKey(
        GroupVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="checkins"
    )
    distance_m = models.PositiveIntegerField(_("距离（米）"), null=True, blank=True)

    class Meta:
        verbose_name = _("打卡")
        verbose_name_plural = _("打卡")
        constraints = [
            models.UniqueConstraint(fields=["site", "member", "on"], name="checkin_once_a_day")
        ]
        indexes = [
            models.Index(fields=["member_org_path", "on"], name="checkin_orgpath_on"),
            models.Index(fields=["on"], name="checkin_on"),
        ]

    def __str__(self) -> str:
        return f"{self.on:%Y-%m-%d} {self.site_id}:{self.member_id}"


class CheckInRule(models.Model):
    """The 打卡 and 主题党日 rules as data (local practice varies); the first row counts, the
    defaults below when there is none. Editable in the admin."""

    # How much of the phone's reported accuracy (metres) is forgiven on top of the radius.
    accuracy_allowance_m = models.PositiveIntegerField(_("定位误差容忍（米）"), default=100)
    # A group visit counts as the branch's 主题党日 once this many members checked in ...
    theme_day_min_members = models.PositiveIntegerField(_("计为主题党日的最少打卡人数"), default=3)
    # ... and at least this share of the branch's members (percent).
    theme_day_min_percent = models.PositiveSmallIntegerField(
        _("计为主题党日的最低到场比例（%）"), default=50
    )

    class Meta:
        verbose_name = _("打卡规则")
        verbose_name_plural = _("打卡规则")

    def __str__(self) -> str:
        return str(_("打卡规则"))
