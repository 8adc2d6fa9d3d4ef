"""Cases (事件/诉求): 网格呼叫 → 镇街响应 → 部门报到 (DESIGN §4.6).

A case is reported in an Area (a community, compound or building), routed by Area × Category
to an Agency (处置部门, the FixMyStreet model), and walks the state machine in
``tongxin.cases.states``. Every step is a CaseEvent.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DeadlineClass(models.TextChoices):
    # 12345 热线惯例: 紧急 2 小时, 水电气等公用事业 24 小时, 一般 7 天, 复杂 15 天
    UTILITIES = "utilities", _("公用事业（24小时）")
    GENERAL = "general", _("一般（7天）")
    COMPLEX = "complex", _("复杂（15天）")


DEFAULT_HOURS = {"utilities": 24, "general": 7 * 24, "complex": 15 * 24}
URGENT_HOURS = 2


class Priority(models.TextChoices):
    NORMAL = "normal", _("一般")
    URGENT = "urgent", _("紧急")


class Agency(models.Model):
    """处置部门: the body that handles a case (城管, 住建, 民政 ...)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("处置部门")
        verbose_name_plural = _("处置部门")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """事件类别; also an Open311 service (service_code = code)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    description = models.CharField(_("说明"), max_length=300, blank=True)
    keywords = models.CharField(_("关键词"), max_length=300, blank=True)
    deadline_class = models.CharField(
        _("时限类别"), max_length=16, choices=DeadlineClass.choices, default=DeadlineClass.GENERAL
    )
    hours_normal = models.PositiveIntegerField(_("一般时限（小时）"), default=7 * 24)
    hours_urgent = models.PositiveIntegerField(_("紧急时限（小时）"), default=URGENT_HOURS)
    default_agency = models.ForeignKey(
        Agency, verbose_name=_("默认处置部门"), null=True, blank=True, on_delete=models.SET_NULL
    )
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=100)

    class Meta:
        verbose_name = _("事件类别")
        verbose_name_plural = _("事件类别")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def hours_for(self, priority: str) -> int:
        return self.hours_urgent if priority == Priority.URGENT else self.hours_normal


class RoutingRule(models.Model):
    """Area subtree × category → agency; the rule on the deepest area wins."""

    area = models.ForeignKey("geo.Area", verbose_name=_("区域"), on_delete=models.CASCADE)
    category = models.ForeignKey(Category, verbose_name=_("类别"), on_delete=models.CASCADE)
    agency = models.ForeignKey(Agency, verbose_name=_("处置部门"), on_delete=models.CASCADE)

    class Meta:
        verbose_name = _("派遣规则")
        verbose_name_plural = _("派遣规则")
        constraints = [
            models.UniqueConstraint(fields=["area", "category"], name="routing_area_category")
        ]

    def __str__(self) -> str:
        return f"{self.area} · {self.category} → {self.agency}"


class AgencyMember(models.Model):
    """A department handler (role 部门处置人员) works for an agency."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agency_links"
    )
    agency = models.ForeignKey(
        Agency, verbose_name=_("处置部门"), on_delete=models.CASCADE, related_name="members"
    )

    class Meta:
        verbose_name = _("部门处置人员")
        verbose_name_plural = _("部门处置人员")
        constraints = [models.UniqueConstraint(fields=["user", "agency"], name="agency_member")]

    def __str__(self) -> str:
        return f"{self.user} @ {self.agency}"


class State(models.TextChoices):
    REPORTED = "reported", _("待受理")
    # 网格呼叫: the grid worker of the case's grid has confirmed it and called the street in.
    CALLED = "called", _("网格已呼叫")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派遣")
    CLAIMED = "claimed", _("部门已报到")
    RESOLVED = "resolved", _("已办结待核查")
    VERIFIED = "verified", _("已核查")
    CLOSED = "closed", _("已结案")
    RETURNED = "returned", _("已退回")
    ESCALATED = "escalated", _("已吹哨上报")
    MERGED = "merged", _("已合并")
    CANCELLED = "cancelled", _("已撤销")


OPEN_STATES = ("reported", "called", "accepted", "dispatched", "claimed", "returned", "escalated")
# Open311 has only open/closed: a resolved case waits for verification, it is still open.
OPEN311_OPEN = (*OPEN_STATES, "resolved")
TERMINAL_STATES = ("closed", "merged", "cancelled")


class Source(models.TextChoices):
    WEB = "web", _("网页")
    RESIDENT = "resident", _("居民报事")
    GRID = "grid", _("网格上报")
    VISIT = "visit", _("三访")
    OPEN311 = "open311", _("Open311 接口")
    PHONE = "phone", _("电话")


def new_tracking_code() -> str:
    # No 0/O/1/I: read aloud over the phone.
    alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
    return "SJ" + "".join(secrets.choice(alphabet) for _ in range(8))


class Case(models.Model):
    tracking_code = models.CharField(_("查询码"), max_length=12, unique=True)
    token = models.CharField(max_length=24, unique=True, null=True, blank=True)  # Open311 token
    # Few indexes: the overdue sweep updates many rows at once, and every index costs a write
    # per row. The area and agency are led by the composite indexes below; the category,
    # reporter, key and merge links are never searched alone.
    category = models.ForeignKey(
        Category, verbose_name=_("类别"), on_delete=models.PROTECT, db_index=False
    )
    area = models.ForeignKey(
        "geo.Area",
        verbose_name=_("地点"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    area_path = models.CharField(max_length=255)  # denormalized for the scope (case_area_state)
    address = models.CharField(_("详细地址"), max_length=200, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    title = models.CharField(_("标题"), max_length=100)
    description = models.TextField(_("描述"), max_length=4000)
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default="web")
    priority = models.CharField(
        _("紧急程度"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default="reported")
    agency = models.ForeignKey(
        Agency,
        verbose_name=_("处置部门"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        db_index=False,
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    resident = models.ForeignKey(
        "accounts.Resident", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reporter_name = models.CharField(_("报事人"), max_length=50, blank=True)
    reporter_phone_enc = models.CharField(max_length=120, blank=True)
    reporter_phone_masked = models.CharField(_("报事人电话"), max_length=20, blank=True)
    visit_id = models.IntegerField(null=True, blank=True, db_index=True)
    api_key = models.ForeignKey(
        "cases.ApiKey",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    reported_at = models.DateTimeField(_("上报时间"), db_index=True)
    deadline_at = models.DateTimeField(_("办理时限"))
    updated_at = models.DateTimeField(_("更新时间"))
    closed_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    # 0: in time; 1: 催办 (overdue); 2: 督办 (overdue by its whole allowed time again)
    overdue_level = models.PositiveSmallIntegerField(_("督办级别"), default=0)
    escalations = models.PositiveSmallIntegerField(_("吹哨次数"), default=0)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    rating_note = models.CharField(_("评价"), max_length=300, blank=True)
    reopened = models.BooleanField(_("已重新办理"), default=False)
    # The latest public reply (答复居民) of a step: what the resident's page and Open311's
    # status_notes show. Never an internal note.
    status_note = models.CharField(_("最新答复"), max_length=300, blank=True)
    # When the case was dispatched to its current agency: the department sees the case, and
    # its history, from then on (the agency routing suggests at report time is not a dispatch).
    dispatched_at = models.DateTimeField(_("派遣时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("事件")
        verbose_name_plural = _("事件")
        indexes = [
            models.Index(fields=["area_path", "state"], name="case_area_state"),
            models.Index(fields=["agency", "state"], name="case_agency_state"),
            models.Index(fields=["area", "category", "reported_at"], name="case_dupes"),
            # The overdue sweep reads only open cases by deadline (a partial index, on
            # PostgreSQL and SQLite). overdue_level is left out on purpose: the sweep updates
            # it, and an indexed column would make every update touch the index.
            models.Index(
                fields=["deadline_at"],
                name="case_open_deadline",
                condition=models.Q(state__in=OPEN_STATES),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


class EventKind(models.TextChoices):
    REPORT = "report", _("上报")
    GRID_CALL = "grid_call", _("网格呼叫")
    GRID_RESOLVE = "grid_resolve", _("就地解决")
    ACCEPT = "accept", _("受理")
    DISPATCH = "dispatch", _("派遣")
    CLAIM = "claim", _("部门报到")
    RESOLVE = "resolve", _("办结")
    VERIFY = "verify", _("核查通过")
    REJECT = "reject", _("核查不通过")
    CLOSE = "close", _("结案")
    RETURN = "return", _("退回")
    ESCALATE = "escalate", _("吹哨上报")
    MERGE = "merge", _("合并")
    CANCEL = "cancel", _("撤销")
    REOPEN = "reopen", _("重新办理")
    RATE = "rate", _("评价")
    URGE = "urge", _("催办")
    SUPERVISE = "supervise", _("督办")
    NOTE = "note", _("备注")


class CaseEvent(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("操作"), max_length=16, choices=EventKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    from_state = models.CharField(max_length=16, blank=True)
    to_state = models.CharField(max_length=16, blank=True)
    # The note is internal: staff and the departments read it, never the resident.
    note = models.CharField(_("说明"), max_length=500, blank=True)
    # 答复居民: the public reply the resident (and Open311) sees with this step. A database
    # default too: the overdue sweep and the demo insert events in bulk without it.
    reply = models.CharField(_("答复居民"), max_length=300, blank=True, default="", db_default="")
    public = models.BooleanField(default=True)  # the step is shown on the resident's timeline

    class Meta:
        verbose_name = _("事件记录")
        verbose_name_plural = _("事件记录")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CasePhoto(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="photos")
    file = models.CharField(max_length=200)  # under UPLOAD_ROOT
    content_type = models.CharField(max_length=40)
    original_name = models.CharField(max_length=200, blank=True)
    size = models.PositiveIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("事件照片")
        verbose_name_plural = _("事件照片")

    def __str__(self) -> str:
        return self.original_name or self.file


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(models.Model):
    """An Open311 api_key for a client application, tied to a jurisdiction (an Area)."""

    name = models.CharField(_("应用名称"), max_length=100)
    area = models.ForeignKey("geo.Area", verbose_name=_("管辖区域"), on_delete=models.PROTECT)
    prefix = models.CharField(max_length=8, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    per_minute = models.PositiveIntegerField(_("每分钟请求上限"), default=600)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("Open311 密钥")
        verbose_name_plural = _("Open311 密钥")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> tuple[str, str, str]:
        token = secrets.token_urlsafe(24)
        while not token[0].isalnum():
            # A prefix starting with "-" reads as an option on the command line
            # (open311_key revoke --prefix ...).
            token = secrets.token_urlsafe(24)
        raw = "o311_" + token
        return raw, raw[5:13], hash_key(raw)
