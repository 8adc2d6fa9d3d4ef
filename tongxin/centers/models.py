"""党群服务中心 (service centres), their one-stop catalogue, rooms, bookings and events; and the
registry of 社会组织 (social organizations) with the Party organization that guides them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tongxin.core import pii


class CenterLevel(models.TextChoices):
    DISTRICT = "district", _("区县党群服务中心")
    STREET = "street", _("街道（乡镇）党群服务中心")
    COMMUNITY = "community", _("社区（村）党群服务站")


WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class ServiceCenter(models.Model):
    """A 党群服务中心. ``org`` is the Party organization that runs it; ``org_path`` copies its
    path (kept in step by the services) so a scope filter is one indexed range.

    ``opening_hours`` is structured per weekday: ``{"mon": [["08:30", "17:30"]], "sun": []}``
    (a list of [open, close] pairs; a missing or empty day is closed; a centre that declares
    no hours at all takes bookings at any time)."""

    name = models.CharField(_("名称"), max_length=200)
    level = models.CharField(_("层级"), max_length=16, choices=CenterLevel.choices)
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("运行党组织"),
        on_delete=models.PROTECT,
        related_name="service_centers",
    )
    org_path = models.CharField(max_length=255, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    opening_hours = models.JSONField(_("开放时间"), default=dict, blank=True)
    # 休息日: dates the centre is closed besides its weekly closed days (节假日, 盘点...):
    # ``[{"date": "2026-10-01", "note": "国庆节"}, ...]``, sorted, kept by the services.
    closed_dates = models.JSONField(_("休息日（节假日）"), default=list, blank=True)
    services = models.TextField(_("服务内容"), blank=True)
    # The centre's own telephone is public information (printed on its door and on the
    # directory): stored and shown as is. A contact person's mobile is personal data: encrypted,
    # shown masked, revealed to the centre's managers with an audit row.
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone_enc = models.CharField(_("联系人手机（密文）"), max_length=120, blank=True)
    contact_phone_masked = models.CharField(_("联系人手机"), max_length=20, blank=True)
    is_active = models.BooleanField(_("运行中"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("党群服务中心")
        verbose_name_plural = _("党群服务中心")
        indexes = [models.Index(fields=["org_path", "id"], name="center_orgpath_id")]

    def __str__(self) -> str:
        return self.name

    def set_contact_phone(self, phone: str) -> None:
        if phone:
            self.contact_phone_enc = pii.encrypt(phone)
            self.contact_phone_masked = pii.mask_phone(phone)
        else:
            self.contact_phone_enc = self.contact_phone_masked = ""

    def reveal_contact_phone(self) -> str:
        return pii.decrypt(self.contact_phone_enc) if self.contact_phone_enc else ""


class ServiceItem(models.Model):
    """One entry of a centre's 一站式 catalogue (e.g. 党员组织关系转接, 老年人助餐)."""

    center = models.ForeignKey(ServiceCenter, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(_("服务事项"), max_length=100)
    category = models.CharField(_("类别"), max_length=50, blank=True)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    bookable = models.BooleanField(_("可预约"), default=False)
    duration_minutes = models.PositiveIntegerField(_("时长（分钟）"), default=30)

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项")
        ordering = ["center", "category", "name"]

    def __str__(self) -> str:
        return self.name


class Room(models.Model):
    center = models.ForeignKey(ServiceCenter, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("场地名称"), max_length=100)
    capacity = models.PositiveIntegerField(_("容纳人数"), default=20)

    class Meta:
        verbose_name = _("场地")
        verbose_name_plural = _("场地")
        ordering = ["center", "name"]

    def __str__(self) -> str:
        return f"{self.center} · {self.name}"


class BookingStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已预约")
    CANCELLED = "cancelled", _("已取消")


class Booking(models.Model):
    """A booking of a room or of a service item for [start, end): a booking that ends at
    10:00 and one that starts at 10:00 do not overlap."""

    center = models.ForeignKey(ServiceCenter, on_delete=models.CASCADE, related_name="bookings")
    room = models.ForeignKey(
        Room, null=True, blank=True, on_delete=models.CASCADE, related_name="bookings"
    )
    item = models.ForeignKey(
        ServiceItem, null=True, blank=True, on_delete=models.CASCADE, related_name="bookings"
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    purpose = models.CharField(_("用途"), max_length=200)
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    status = models.CharField(
        _("状态"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.CONFIRMED
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["start", "id"]
        indexes = [
            models.Index(fields=["room", "start"], name="booking_room_start"),
            models.Index(fields=["center", "start"], name="booking_center_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="booking_end_after_start"
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(room__isnull=False, item__isnull=True)
                    | models.Q(room__isnull=True, item__isnull=False)
                ),
                name="booking_room_or_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.start:%Y-%m-%d %H:%M}"


class EventKind(models.TextChoices):
    VOLUNTEER_MONTH = "volunteer_month", _("志愿服务月")
    VOLUNTEER_DAY = "volunteer_day", _("志愿服务日")
    THEME_DAY = "theme_day", _("主题党日")
    OTHER = "other", _("其他活动")


class CenterEvent(models.Model):
    center = models.ForeignKey(ServiceCenter, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("类型"), max_length=24, choices=EventKind.choices)
    title = models.CharField(_("名称"), max_length=200)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    description = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("中心活动")
        verbose_name_plural = _("中心活动")
        ordering = ["-starts_on", "id"]

    def __str__(self) -> str:
        return self.title


class SocialOrgKind(models.TextChoices):
    SOCIAL_GROUP = "social_group", _("社会团体")
    SERVICE_AGENCY = "service_agency", _("社会服务机构（民办非企业单位）")
    FOUNDATION = "foundation", _("基金会")
    COMMUNITY = "community", _("社区社会组织")


class GuidingRule(models.TextChoices):
    """属地为主、行业为辅、区域兜底 (seed 004), or chosen by hand."""

    TERRITORIAL = "territorial", _("属地为主")
    INDUSTRY = "industry", _("行业为辅")
    REGIONAL = "regional", _("区域兜底")
    MANUAL = "manual", _("人工指定")


class SocialOrganization(models.Model):
    """社会组织 (e.g. 红领之家): registered by credit code, guided by a Party organization.
    The 店小二 (operating organization) of a micro-project is one of these."""

    name = models.CharField(_("名称"), max_length=200)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    kind = models.CharField(_("类型"), max_length=24, choices=SocialOrgKind.choices)
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("所在区域"), on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        "orgs.Unit",
        verbose_name=_("对应单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    guiding_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("指导党组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guided_social_orgs",
    )
    guiding_rule = models.CharField(
        _("确定方式"), max_length=16, choices=GuidingRule.choices, blank=True
    )
    services = models.CharField(_("服务领域"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("社会组织")
        verbose_name_plural = _("社会组织")
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="socialorg_credit_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name
