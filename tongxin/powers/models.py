"""小微权力清单 (seed 001; 宁海 "36条", 2014; GB/T 41374-2022 terms and item classes, GB/T
41371-2022 process flows): each village or community (an Area, with the Party organization that
owns its list) keeps a catalogue of the small powers its cadres exercise. Every power has a flow
template of ordered steps, each with the role responsible, the documents it requires and, for a
公示 step, its period in days. Every use of a power is an instance that walks that flow in order
and in public."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PowerClass(models.TextChoices):
    """The item classes of the catalogue (GB/T 41374; 宁海 36条's 11 areas)."""

    DECISION = "decision", _("重大事项决策")
    TENDER = "tender", _("招投标与采购")
    ASSETS = "assets", _("集体资产资源")
    HOMESTEAD = "homestead", _("宅基地")
    RELIEF = "relief", _("救助救济")
    CERTIFICATE = "certificate", _("证明与印章")
    FINANCE = "finance", _("财务管理")
    PERSONNEL = "personnel", _("人事")
    WORKS = "works", _("工程项目")
    SERVICE = "service", _("便民服务")
    OTHER = "other", _("其他")


class PowerItem(models.Model):
    """One power of a village's or community's list (小微权力清单的一项)."""

    area = models.ForeignKey(
        "geo.Area", verbose_name=_("村/社区"), on_delete=models.PROTECT, related_name="+"
    )
    org = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("责任党组织"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Copies kept by the services: scope filters are one indexed range on this table.
    area_path = models.CharField(max_length=255, editable=False)
    org_path = models.CharField(max_length=255, editable=False)
    power_class = models.CharField(_("类别"), max_length=12, choices=PowerClass.choices)
    number = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("权力事项"), max_length=100)
    basis = models.CharField(_("依据"), max_length=300, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("小微权力事项")
        verbose_name_plural = _("小微权力清单")
        ordering = ["area_path", "number", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "number"], name="poweritem_area_number")
        ]
        indexes = [
            models.Index(fields=["area_path", "number"], name="poweritem_area"),
            models.Index(fields=["org_path"], name="poweritem_org"),
        ]

    def __str__(self) -> str:
        return self.name


class PowerStep(models.Model):
    """One step of a power's flow template (流程节点)."""

    item = models.ForeignKey(PowerItem, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField(_("顺序"))
    name = models.CharField(_("环节"), max_length=60)
    role = models.CharField(_("责任主体"), max_length=60)
    # The names of the documents this step requires (申请书, 会议记录 …).
    documents = models.JSONField(_("所需材料"), default=list, blank=True)
    # 0: not a 公示. Otherwise the step is a public notice that runs this many whole days.
    publicity_days = models.PositiveSmallIntegerField(_("公示天数"), default=0)
    # 办理时限: an instance whose step is older than this (after its 公示) is flagged late.
    limit_days = models.PositiveSmallIntegerField(_("办理时限（天）"), default=15)

    class Meta:
        verbose_name = _("流程环节")
        verbose_name_plural = _("流程环节")
        ordering = ["item_id", "order"]
        constraints = [models.UniqueConstraint(fields=["item", "order"], name="powerstep_order")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_publicity(self) -> bool:
        return self.publicity_days > 0


class InstanceStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    RUNNING = "running", _("办理中")
    COMPLETED = "completed", _("已办结")


class PowerInstance(models.Model):
    """One use of a power (一次权力运行): it walks the item's steps in order."""

    item = models.ForeignKey(
        PowerItem, verbose_name=_("权力事项"), on_delete=models.PROTECT, related_name="instances"
    )
    area_path = models.CharField(max_length=255, editable=False)
    org_path = models.CharField(max_length=255, editable=False)
    title = models.CharField(_("事由"), max_length=100)
    # A person's name (an applicant for a homestead plot or a hardship grant): masked in public.
    applicant = models.CharField(_("申请人"), max_length=30, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=InstanceStatus.choices, default=InstanceStatus.DRAFT
    )
    # How many steps are done; the current step is the one with this index (0-based).
    done_steps = models.PositiveSmallIntegerField(default=0)
    step_started_at = models.DateTimeField(_("本环节开始"), null=True, blank=True)
    # When the current step turns late: its 公示 plus its 办理时限 (kept for the stuck filter).
    step_due_on = models.DateField(_("本环节时限"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("权力运行实例")
        verbose_name_plural = _("权力运行实例")
        indexes = [
            models.Index(fields=["area_path", "id"], name="powerinstance_area"),
            models.Index(fields=["org_path", "id"], name="powerinstance_org"),
            models.Index(fields=["status", "step_due_on"], name="powerinstance_due"),
        ]

    def __str__(self) -> str:
        return self.title


class InstanceStep(models.Model):
    """A step of an instance that was done: who, when, with what note."""

    instance = models.ForeignKey(PowerInstance, on_delete=models.CASCADE, related_name="records")
    step = models.ForeignKey(PowerStep, on_delete=models.PROTECT, related_name="+")
    started_at = models.DateTimeField(_("开始"))
    done_at = models.DateTimeField(_("完成"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(_("办理说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("环节办理记录")
        verbose_name_plural = _("环节办理记录")
        ordering = ["instance_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["instance", "step"], name="instancestep_once")
        ]

    def __str__(self) -> str:
        return f"{self.instance_id}:{self.step_id}"


class StepDocument(models.Model):
    """A document attached to a step of an instance (checked by content, stored privately)."""

    instance = models.ForeignKey(PowerInstance, on_delete=models.CASCADE, related_name="documents")
    step = models.ForeignKey(PowerStep, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("材料"), max_length=60)
    file = models.CharField(max_length=200)
    content_type = models.CharField(max_length=50)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("环节材料")
        verbose_name_plural = _("环节材料")
        ordering = ["instance_id", "step_id", "id"]

    def __str__(self) -> str:
        return self.name


class Objection(models.Model):
    """A resident's objection (异议) filed during a 公示: the instance does not go on until it
    is answered."""

    instance = models.ForeignKey(PowerInstance, on_delete=models.CASCADE, related_name="objections")
    step = models.ForeignKey(PowerStep, on_delete=models.PROTECT, related_name="+")
    text = models.CharField(_("异议内容"), max_length=500)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    filer_name = models.CharField(max_length=30, blank=True)
    filed_at = models.DateTimeField(_("提出时间"), auto_now_add=True)
    answer = models.CharField(_("答复"), max_length=500, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["instance_id", "id"]
        indexes = [models.Index(fields=["answered_at"], name="objection_open")]

    def __str__(self) -> str:
        return self.text[:30]
