"""志愿服务: teams, activities with slots and a waiting list, sign-ups with check-in/out, and an
append-only ledger of hours (corrections are reversing entries)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VolunteerTeam(models.Model):
    """A team under a Party organization (``org``) and, for a community team, the community it
    serves (``area``). ``org_path`` copies ``org.path`` for one-range scope filters."""

    name = models.CharField(_("队伍名称"), max_length=200)
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所属党组织"),
        on_delete=models.PROTECT,
        related_name="volunteer_teams",
    )
    org_path = models.CharField(max_length=255, editable=False)
    area = models.ForeignKey(
        "geo.Area",
        verbose_name=_("服务社区"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    is_party_member_team = models.BooleanField(_("党员志愿服务队"), default=True)
    description = models.CharField(_("简介"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        ordering = ["org_path", "name", "id"]
        indexes = [models.Index(fields=["org_path", "id"], name="vteam_orgpath_id")]

    def __str__(self) -> str:
        return self.name


class ActivityStatus(models.TextChoices):
    OPEN = "open", _("报名中")
    CANCELLED = "cancelled", _("已取消")


class Activity(models.Model):
    team = models.ForeignKey(
        VolunteerTeam,
        verbose_name=_("志愿服务队"),
        on_delete=models.PROTECT,
        related_name="activities",
    )
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("活动名称"), max_length=200)
    description = models.TextField(_("活动内容"), blank=True)
    place = models.CharField(_("地点"), max_length=200)
    area = models.ForeignKey(
        "geo.Area",
        verbose_name=_("所在区域"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    center = models.ForeignKey(
        "centers.ServiceCenter",
        verbose_name=_("党群服务中心"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    start = models.DateTimeField(_("开始时间"))
    end = models.DateTimeField(_("结束时间"))
    slots = models.PositiveIntegerField(_("名额"))
    waitlist = models.BooleanField(_("允许候补"), default=True)
    open_to_residents = models.BooleanField(_("居民可报名"), default=True)
    checkin_code = models.CharField(_("签到码"), max_length=8)
    status = models.CharField(
        _("状态"), max_length=16, choices=ActivityStatus.choices, default=ActivityStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")
        ordering = ["-start", "id"]
        indexes = [
            models.Index(fields=["org_path", "start"], name="vact_orgpath_start"),
            models.Index(fields=["start"], name="vact_start"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="vact_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class SignUpStatus(models.TextChoices):
    CONFIRMED = "confirmed", _("已报名")
    WAITING = "waiting", _("候补中")
    CANCELLED = "cancelled", _("已取消")


class SignUp(models.Model):
    """One person's place on an activity: a party member (``member``, via the user's member
    link) or a resident (``resident``). Waiting-list order is ``created_at``, ``id``."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="signups")
    # The account that signed up; empty when an organizer enrolled a member without one.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="volunteer_signups",
    )
    name = models.CharField(_("姓名"), max_length=50)
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    resident = models.ForeignKey(
        "accounts.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("状态"), max_length=16, choices=SignUpStatus.choices)
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "user"],
                condition=models.Q(status__in=["confirmed", "waiting"]),
                name="signup_one_live_per_user",
            ),
            models.UniqueConstraint(
                fields=["activity", "member"],
                condition=models.Q(status__in=["confirmed", "waiting"]),
                name="signup_one_live_per_member",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} · {self.activity}"


class VolunteerHours(models.Model):
    """Append-only ledger, in minutes. A correction is a new row with ``reverses`` set and the
    opposite sign; rows are never updated or deleted.

    ``org_path`` is the team's organization (rankings per subtree); ``member_org_path`` is the
    volunteer's own branch when the volunteer is a party member: 双报到 members' hours are
    reported there."""

    activity = models.ForeignKey(
        Activity, null=True, blank=True, on_delete=models.PROTECT, related_name="hours"
    )
    signup = models.ForeignKey(
        SignUp, null=True, blank=True, on_delete=models.PROTECT, related_name="hours"
    )
    team = models.ForeignKey(VolunteerTeam, on_delete=models.PROTECT, related_name="hours")
    org_path = models.CharField(max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="volunteer_hours",
    )
    name = models.CharField(_("姓名"), max_length=50)
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    member_org_path = models.CharField(max_length=255, blank=True)
    on = models.DateField(_("服务日期"))
    minutes = models.IntegerField(_("时长（分钟）"))
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("志愿服务时长")
        verbose_name_plural = _("志愿服务时长")
        ordering = ["-on", "-id"]
        indexes = [
            models.Index(fields=["org_path", "on"], name="vhours_orgpath_on"),
            models.Index(fields=["member_org_path", "on"], name="vhours_memberpath_on"),
            models.Index(fields=["user", "on"], name="vhours_user_on"),
            models.Index(fields=["member", "on"], name="vhours_member_on"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.on} {self.minutes}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("VolunteerHours is append-only: record a reversing entry instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValueError("VolunteerHours is append-only: record a reversing entry instead.")
