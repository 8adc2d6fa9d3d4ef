"""协商议事 (seeds 001, 004): 议事平台 (居民说事厅, 圆桌听证会, 小巷公议会, 墙门月光会, 村民说事 …)
anchored at a community, village or compound, and their topics (议题) through 说 → 议 → 办 → 评
(象山 村民说事): raised by residents or staff, accepted, merged or referred by the host, put on a
deliberation meeting's agenda, decided (by a vote where needed: one vote per household where the
forum says so, with its quorum), carried out as action items, and rated by those who took part."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PassBasis(models.TextChoices):
    CAST = "cast", _("参与投票的人（户）数")
    ELIGIBLE = "eligible", _("全体有投票权的人（户）数")


class ForumKind(models.Model):
    """议事平台类型 (data: new kinds are rows). Its vote rule: a vote needs ``quorum_percent``
    of those eligible to take part; an option passes with more than ``pass_percent`` of the
    basis (``pass_basis``); at least ``pass_percent`` when ``pass_inclusive`` (两三分之二)."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    summary = models.CharField(_("说明"), max_length=200, blank=True)
    quorum_percent = models.PositiveSmallIntegerField(_("法定人数（%）"), default=50)
    pass_percent = models.PositiveSmallIntegerField(_("通过比例（%）"), default=50)
    pass_inclusive = models.BooleanField(_("达到比例即通过"), default=False)
    pass_basis = models.CharField(
        _("通过比例的基数"), max_length=10, choices=PassBasis.choices, default=PassBasis.CAST
    )
    household_vote = models.BooleanField(_("一户一票"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("议事平台类型")
        verbose_name_plural = _("议事平台类型")
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.name


class Forum(models.Model):
    """议事平台, anchored at a community, village or compound, hosted by an organization."""

    name = models.CharField(_("名称"), max_length=60)
    kind = models.ForeignKey(
        ForumKind, verbose_name=_("类型"), on_delete=models.PROTECT, related_name="+"
    )
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("所在社区/村/小区"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(max_length=255, editable=False)
    host_org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("主持党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    host_org_path = models.CharField(max_length=255, editable=False)
    # 说事日: days of the month, e.g. "10,25" (象山村民说事: 每月10日、25日).
    meeting_days = models.CharField(_("说事日"), max_length=40, blank=True)
    household_vote = models.BooleanField(_("一户一票"), default=False)
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("议事平台")
        verbose_name_plural = _("议事平台")
        indexes = [
            models.Index(fields=["area_path", "id"], name="forum_areapath"),
            models.Index(fields=["host_org_path", "id"], name="forum_orgpath"),
        ]

    def __str__(self) -> str:
        return self.name

    def days(self) -> list[int]:
        return [int(d) for d in self.meeting_days.split(",") if d.strip().isdigit()]


class TopicStatus(models.TextChoices):
    RAISED = "raised", _("说·待受理")
    DELIBERATING = "deliberating", _("议·议事中")
    ACTING = "acting", _("办·办理中")
    RATING = "rating", _("评·待评价")
    CLOSED = "closed", _("已办结")
    MERGED = "merged", _("已合并")
    REFERRED = "referred", _("已转办")
    DECLINED = "declined", _("不予受理")


OPEN_STATUSES = (TopicStatus.RAISED, TopicStatus.DELIBERATING)
STAGE_OF = {
    TopicStatus.RAISED: "说",
    TopicStatus.DELIBERATING: "议",
    TopicStatus.ACTING: "办",
    TopicStatus.RATING: "评",
    TopicStatus.CLOSED: "评",
}


class TopicSource(models.TextChoices):
    RESIDENT = "resident", _("居民提出")
    STAFF = "staff", _("说事日/会议登记")
    CASE = "case", _("事件转入")
    LISTING = "listing", _("共享小区转入")
    SUGGESTION = "suggestion", _("微项目建议转入")


class Topic(models.Model):
    """议题. Its public text is masked on save (phones, WeChat ids), and HTML is escaped."""

    forum = models.ForeignKey(
        Forum, verbose_name=_("议事平台"), on_delete=models.PROTECT, related_name="topics"
    )
    title = models.CharField(_("议题"), max_length=100)
    body = models.TextField(_("说明"), max_length=2000, blank=True)
    status = models.CharField(
        _("状态"), max_length=12, choices=TopicStatus.choices, default=TopicStatus.RAISED
    )
    public = models.BooleanField(_("公开"), default=True)
    source = models.CharField(_("来源"), max_length=12, choices=TopicSource.choices)
    resident = models.ForeignKey(
        "accounts.Resident",
        verbose_name=_("提出人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    raised_by_name = models.CharField(_("提出人"), max_length=50, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    area_path = models.CharField(max_length=255, editable=False)
    host_org_path = models.CharField(max_length=255, editable=False)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("关联事件"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    listing = models.ForeignKey(
        "sharing.Listing", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggestion = models.ForeignKey(
        "projects.Suggestion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    decision = models.TextField(_("议定结论"), max_length=2000, blank=True)
    reopened = models.BooleanField(_("已重新办理"), default=False)
    rating_round = models.PositiveSmallIntegerField(default=1)
    raised_at = models.DateTimeField(_("提出时间"))
    decided_at = models.DateTimeField(_("议定时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("议题")
        verbose_name_plural = _("议题")
        indexes = [
            models.Index(fields=["forum", "status", "id"], name="topic_forum_status"),
            models.Index(fields=["area_path", "status"], name="topic_area_status"),
            models.Index(fields=["host_org_path", "id"], name="topic_orgpath"),
            models.Index(fields=["resident", "id"], name="topic_resident"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def stage(self) -> str:
        return STAGE_OF.get(TopicStatus(self.status), "")


class PartyKind(models.TextChoices):
    RESIDENTS = "residents", _("居民代表")
    DEPUTIES = "deputies", _("两代表一委员")
    PROPERTY = "property", _("物业公司")
    DEPARTMENTS = "departments", _("职能部门")
    OWNERS = "owners", _("业委会")


class Session(models.Model):
    """议事会: a meeting of a forum with an agenda of topics; attendance by the session's code
    or by member card."""

    forum = models.ForeignKey(
        Forum, verbose_name=_("议事平台"), on_delete=models.PROTECT, related_name="sessions"
    )
    held_at = models.DateTimeField(_("时间"))
    place = models.CharField(_("地点"), max_length=100)
    topics = models.ManyToManyField(Topic, verbose_name=_("议程"), related_name="sessions")
    parties = models.JSONField(_("邀请参加"), default=list)
    invited_note = models.CharField(_("邀请单位/人员"), max_length=300, blank=True)
    code = models.CharField(_("签到码"), max_length=6)
    minutes = models.TextField(_("会议纪要"), max_length=5000, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("议事会")
        verbose_name_plural = _("议事会")
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return f"{self.forum.name} {self.held_at:%Y-%m-%d}"

    def party_labels(self) -> list[str]:
        labels = dict(PartyKind.choices)
        return [str(labels.get(p, p)) for p in self.parties]


class AttendanceMethod(models.TextChoices):
    CODE = "code", _("议事会签到码")
    CARD_QR = "qr", _("党员卡二维码")
    CARD_CODE = "card", _("党员卡签到码")


class Attendance(models.Model):
    """Who was at a session: a resident who entered the session's code on the phone, or a Party
    member whose card the host scanned (with the member's resident profile when they have one,
    so that 评 counts them as having taken part)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="attendance")
    resident = models.ForeignKey(
        "accounts.Resident", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    member = models.ForeignKey(
        "members.Member", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    method = models.CharField(
        _("签到方式"), max_length=4, choices=AttendanceMethod.choices, default=AttendanceMethod.CODE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["session", "resident"], name="delib_attend_once"),
            models.UniqueConstraint(fields=["session", "member"], name="delib_attend_member_once"),
            models.CheckConstraint(
                condition=models.Q(resident__isnull=False) | models.Q(member__isnull=False),
                name="delib_attend_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.session_id}:{self.resident_id or ''}:{self.member_id or ''}"


class Household(models.Model):
    """户: the unit of a one-vote-per-household vote (门牌 in a compound or building)."""

    area = models.ForeignKey(
        "geo.Area", verbose_name=_("小区/楼栋"), on_delete=models.PROTECT, related_name="+"
    )
    area_path = models.CharField(max_length=255, editable=False)
    label = models.CharField(_("门牌"), max_length=40)

    class Meta:
        verbose_name = _("住户")
        verbose_name_plural = _("住户")
        constraints = [
            models.UniqueConstraint(fields=["area", "label"], name="delib_household_unique")
        ]
        indexes = [models.Index(fields=["area_path"], name="household_path")]

    def __str__(self) -> str:
        return self.label


class HouseholdMember(models.Model):
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    resident = models.OneToOneField(
        "accounts.Resident", on_delete=models.CASCADE, related_name="delib_household"
    )

    def __str__(self) -> str:
        return f"{self.household_id}:{self.resident_id}"


class VoteStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    OPEN = "open", _("投票中")
    CLOSED = "closed", _("已结束")


class VoteResult(models.TextChoices):
    PASSED = "passed", _("通过")
    REJECTED = "rejected", _("未通过")
    NO_QUORUM = "no_quorum", _("未达法定人数")


class Vote(models.Model):
    """表决. The forum kind's rule is copied on creation: a later change of the rule does not
    change a vote already held."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="votes")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="votes"
    )
    question = models.CharField(_("表决事项"), max_length=200)
    status = models.CharField(
        _("状态"), max_length=8, choices=VoteStatus.choices, default=VoteStatus.DRAFT
    )
    household_vote = models.BooleanField(_("一户一票"))
    quorum_percent = models.PositiveSmallIntegerField(_("法定人数（%）"))
    pass_percent = models.PositiveSmallIntegerField(_("通过比例（%）"))
    pass_inclusive = models.BooleanField(default=False)
    pass_basis = models.CharField(max_length=10, choices=PassBasis.choices)
    area_path = models.CharField(max_length=255, editable=False)
    closes_at = models.DateTimeField(_("截止时间"))
    eligible = models.PositiveIntegerField(_("有投票权的人（户）数"), default=0)
    cast = models.PositiveIntegerField(_("投票人（户）数"), default=0)
    result = models.CharField(_("结果"), max_length=10, choices=VoteResult.choices, blank=True)
    winner = models.ForeignKey(
        "VoteOption", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("表决")
        verbose_name_plural = _("表决")

    def __str__(self) -> str:
        return self.question


class VoteOption(models.Model):
    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="options")
    label = models.CharField(_("选项"), max_length=60)
    order = models.PositiveSmallIntegerField(default=0)
    online = models.PositiveIntegerField(default=0)  # counted at close, with their origin
    paper = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.label


class BallotOrigin(models.TextChoices):
    ONLINE = "online", _("线上")
    PAPER = "paper", _("纸质")


class Ballot(models.Model):
    """One vote. ``voter_key`` is "h<household>" in a household vote, else "r<resident>": the
    unique constraint refuses a second ballot of the same person or household."""

    vote = models.ForeignKey(Vote, on_delete=models.CASCADE, related_name="ballots")
    option = models.ForeignKey(VoteOption, on_delete=models.CASCADE, related_name="ballots")
    voter_key = models.CharField(max_length=20)
    resident = models.ForeignKey("accounts.Resident", on_delete=models.CASCADE, related_name="+")
    origin = models.CharField(max_length=8, choices=BallotOrigin.choices)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["vote", "voter_key"], name="delib_ballot_once")
        ]

    def __str__(self) -> str:
        return f"{self.vote_id}:{self.voter_key}"


class OwnerKind(models.TextChoices):
    ORG = "org", _("党组织/社区")
    DEPARTMENT = "department", _("职能部门")
    PROPERTY = "property", _("物业公司")
    OTHER = "other", _("其他")


class ActionItem(models.Model):
    """办: what was agreed, by whom, by when, how far."""

    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("事项"), max_length=100)
    owner_kind = models.CharField(_("责任方类型"), max_length=12, choices=OwnerKind.choices)
    owner_name = models.CharField(_("责任方"), max_length=60)
    deadline = models.DateField(_("完成期限"))
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    note = models.CharField(_("进展说明"), max_length=300, blank=True)
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("办理事项")
        verbose_name_plural = _("办理事项")
        ordering = ["deadline", "id"]
        indexes = [models.Index(fields=["done_at", "deadline"], name="action_open_deadline")]

    def __str__(self) -> str:
        return self.title


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    UNSATISFIED = "unsatisfied", _("不满意")


class Rating(models.Model):
    topic = models.ForeignKey(Topic, on_delete=models.CASCADE, related_name="ratings")
    resident = models.ForeignKey("accounts.Resident", on_delete=models.CASCADE, related_name="+")
    round = models.PositiveSmallIntegerField(default=1)
    value = models.CharField(_("评价"), max_length=12, choices=Satisfaction.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["topic", "resident", "round"], name="delib_rating_once")
        ]

    def __str__(self) -> str:
        return f"{self.topic_id}:{self.value}"
