"""共享小区 (seed 002): residents post needs (需求清单) and offers (服务清单) on their compound's
board; suggestions pair a need with an offer (精准对接); a match goes proposed → confirmed →
completed → closed with feedback. Contact details appear only to the two sides of a confirmed
match (audited)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Direction(models.TextChoices):
    NEED = "need", _("需求")
    OFFER = "offer", _("服务")


class ListingKind(models.TextChoices):
    IDLE_GOODS = "idle_goods", _("闲置物品")
    CHILDCARE = "childcare", _("儿童助托")
    ELDER_CARE = "elder_care", _("老人抱团养老")
    SKILL = "skill", _("技能")
    TOOL = "tool", _("工具")
    OTHER = "other", _("其他")


class Visibility(models.TextChoices):
    """熟人小区: a listing is seen inside the poster's compound unless they ask for more. The
    community stands in for the grid (a grid lies in one community-level area)."""

    COMPOUND = "compound", _("本小区")
    COMMUNITY = "community", _("本社区（网格）")
    STREET = "street", _("本街道")


class ListingStatus(models.TextChoices):
    OPEN = "open", _("发布中")
    MATCHED = "matched", _("已对接")
    CLOSED = "closed", _("已完成")
    WITHDRAWN = "withdrawn", _("已撤回")
    HIDDEN = "hidden", _("被举报待审核")
    REMOVED = "removed", _("已下架")


class Listing(models.Model):
    resident = models.ForeignKey(
        "accounts.Resident", verbose_name=_("发布人"), on_delete=models.CASCADE, related_name="+"
    )
    direction = models.CharField(_("类型"), max_length=8, choices=Direction.choices)
    kind = models.CharField(_("类别"), max_length=16, choices=ListingKind.choices)
    title = models.CharField(_("标题"), max_length=60)
    body = models.TextField(_("说明"), max_length=500, blank=True)
    visibility = models.CharField(
        _("可见范围"), max_length=12, choices=Visibility.choices, default=Visibility.COMPOUND
    )
    # Where the poster lives, fixed when posting: the circles of the board and of matching.
    compound = models.ForeignKey(
        "geo.Area", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    street = models.ForeignKey(
        "geo.Area", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Copy of compound.path: staff reach listings by an indexed range on this table.
    compound_path = models.CharField(max_length=255, editable=False)
    available_from = models.DateField(_("开始日期"))
    available_until = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=ListingStatus.choices, default=ListingStatus.OPEN
    )
    contact_masked = models.BooleanField(_("已隐藏联系方式"), default=False)
    report_count = models.PositiveIntegerField(_("举报人数"), default=0)
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("共享信息")
        verbose_name_plural = _("共享信息")
        indexes = [
            models.Index(fields=["street", "kind", "direction", "status"], name="listing_match"),
            models.Index(fields=["compound", "status", "id"], name="listing_compound"),
            models.Index(fields=["community", "status", "id"], name="listing_community"),
            models.Index(fields=["street", "status", "id"], name="listing_street"),
            models.Index(fields=["compound_path", "id"], name="listing_path"),
            models.Index(fields=["status", "compound_path"], name="listing_status_path"),
            models.Index(fields=["resident", "id"], name="listing_resident"),
        ]

    def __str__(self) -> str:
        return self.title


class ListingToken(models.Model):
    """The jieba tokens of a listing's public text, computed on save: text similarity in a
    suggestion query is a count of shared rows, not Python over every candidate."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="tokens")
    token = models.CharField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["listing", "token"], name="listingtoken_unique")
        ]

    def __str__(self) -> str:
        return self.token


class MatchStatus(models.TextChoices):
    PROPOSED = "proposed", _("待确认")
    CONFIRMED = "confirmed", _("双方已确认")
    COMPLETED = "completed", _("已完成")
    CLOSED = "closed", _("已评价")
    CANCELLED = "cancelled", _("已取消")


class Match(models.Model):
    need = models.ForeignKey(
        Listing, verbose_name=_("需求"), on_delete=models.CASCADE, related_name="+"
    )
    offer = models.ForeignKey(
        Listing, verbose_name=_("服务"), on_delete=models.CASCADE, related_name="+"
    )
    proposed_by = models.ForeignKey(
        "accounts.Resident", verbose_name=_("发起人"), on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(
        _("状态"), max_length=12, choices=MatchStatus.choices, default=MatchStatus.PROPOSED
    )
    need_confirmed_at = models.DateTimeField(null=True, blank=True)
    offer_confirmed_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    need_rating = models.PositiveSmallIntegerField(_("需求方评分"), null=True, blank=True)
    need_feedback = models.CharField(_("需求方评价"), max_length=300, blank=True)
    offer_rating = models.PositiveSmallIntegerField(_("服务方评分"), null=True, blank=True)
    offer_feedback = models.CharField(_("服务方评价"), max_length=300, blank=True)
    compound_path = models.CharField(max_length=255, editable=False)  # the need's
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("对接")
        verbose_name_plural = _("对接")
        constraints = [
            models.UniqueConstraint(fields=["need", "offer"], name="match_need_offer_unique")
        ]
        indexes = [models.Index(fields=["compound_path", "status"], name="match_path_status")]

    def __str__(self) -> str:
        return f"{self.need_id} ↔ {self.offer_id}"


class ListingReport(models.Model):
    """A resident's report of a listing; 3 distinct reporters hide it until staff review."""

    listing = models.ForeignKey(Listing, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(
        "accounts.Resident", verbose_name=_("举报人"), on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(_("举报理由"), max_length=200)
    dismissed = models.BooleanField(_("已处理"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("举报")
        verbose_name_plural = _("举报")
        constraints = [
            models.UniqueConstraint(
                fields=["listing", "reporter"],
                condition=models.Q(dismissed=False),
                name="listingreport_once",
            )
        ]

    def __str__(self) -> str:
        return self.reason
