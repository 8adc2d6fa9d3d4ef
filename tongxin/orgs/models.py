from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class OrgKind(models.TextChoices):
    COMMITTEE = "committee", _("党委")
    WORKING_COMMITTEE = "working_committee", _("党工委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    GROUP = "group", _("党小组")


class Establishment(models.TextChoices):
    FORMAL = "formal", _("建制性")
    FUNCTIONAL = "functional", _("功能性")


class Sector(models.TextChoices):
    ENTERPRISE = "enterprise", _("企业")
    PUBLIC_INSTITUTION = "public_institution", _("机关事业单位")
    SOCIAL_ORG = "social_org", _("社会组织")
    VILLAGE = "village", _("农村")
    COMMUNITY = "community", _("城市社区")
    OTHER = "other", _("其他")


class Unit(models.Model):
    """单位: the enterprise, institution, social organization or community hosting an org."""

    name = models.CharField(_("单位名称"), max_length=200)
    sector = models.CharField(_("领域"), max_length=32, choices=Sector.choices)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("所在区域"), null=True, blank=True, on_delete=models.SET_NULL
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("单位")
        verbose_name_plural = _("单位")
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code=""),
                name="unit_credit_code_unique",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Organization(MP_Node):
    """党组织. Legal nesting is enforced in services (DESIGN §4.1).

    No ``node_order_by``: a new or moved organization is always appended as the last child.
    Sorted insertion would renumber the paths of the siblings after it (and their subtrees),
    leaving every ``Member.org_path`` below them pointing at the wrong organization."""

    name = models.CharField(_("名称"), max_length=200, db_index=True)
    kind = models.CharField(_("类型"), max_length=32, choices=OrgKind.choices)
    establishment = models.CharField(
        _("设置方式"), max_length=16, choices=Establishment.choices, default=Establishment.FORMAL
    )
    sector = models.CharField(_("领域"), max_length=32, choices=Sector.choices, db_index=True)
    is_joint = models.BooleanField(_("联合党组织"), default=False)
    is_temporary = models.BooleanField(_("临时党组织"), default=False)
    area = models.ForeignKey(
        "geo.Area", verbose_name=_("所在区域"), null=True, blank=True, on_delete=models.PROTECT
    )
    unit = models.ForeignKey(
        Unit,
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orgs",
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")

    def __str__(self) -> str:
        return self.name


class LeadershipRole(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY = "deputy", _("副书记")
    COMMITTEE_MEMBER = "committee_member", _("委员")


class Leadership(models.Model):
    """A seat in an organization's leadership for one term (任期)."""

    org = models.ForeignKey(
        Organization, verbose_name=_("党组织"), on_delete=models.CASCADE, related_name="leaders"
    )
    member = models.ForeignKey(
        "members.Member", verbose_name=_("党员"), on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(_("职务"), max_length=32, choices=LeadershipRole.choices)
    term_start = models.DateField(_("任期开始"))
    term_end = models.DateField(_("任期结束"))
    # 一肩挑: the secretary also heads the village/community committee or the host unit.
    holds_dual_role = models.BooleanField(_("一肩挑"), default=False)

    class Meta:
        verbose_name = _("班子成员")
        verbose_name_plural = _("班子成员")
        ordering = ["org", "role", "id"]
        indexes = [models.Index(fields=["term_end"])]

    def __str__(self) -> str:
        return f"{self.org} {self.get_role_display()}"
