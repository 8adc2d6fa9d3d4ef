"""全科网格 (DESIGN §4.3): a grid lies in one community, covers compounds (and units), has one
网格党建指导员 (instructor), grid workers, and a serving branch; every active member belongs to
exactly one grid (GridMembership.member is unique)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Grid(models.Model):
    name = models.CharField(_("网格名称"), max_length=100)
    code = models.CharField(_("网格编号"), max_length=40, blank=True)
    community = models.ForeignKey(
        "geo.Area",
        verbose_name=_("所在社区/村"),
        on_delete=models.PROTECT,
        related_name="grids_here",
    )
    compounds = models.ManyToManyField(
        "geo.Area", verbose_name=_("覆盖小区"), related_name="grids", blank=True
    )
    units = models.ManyToManyField(
        "orgs.Unit", verbose_name=_("覆盖单位"), related_name="grids", blank=True
    )
    # 网格党建指导员: exactly one; changing it is an explicit replace (services).
    instructor = models.ForeignKey(
        "members.Member",
        verbose_name=_("网格党建指导员"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    serving_branch = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("服务党支部"),
        on_delete=models.PROTECT,
        related_name="served_grids",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "code"],
                condition=~models.Q(code=""),
                name="grid_code_unique_in_community",
            )
        ]

    def __str__(self) -> str:
        return self.name


class GridWorkerRole(models.TextChoices):
    HEAD = "head", _("网格长")
    FULL_TIME = "full_time", _("专职网格员")
    PART_TIME = "part_time", _("兼职网格员")


class GridWorker(models.Model):
    """网格员: a user account (to report cases and visits in the grid). ``member`` is the
    account's member, copied when the worker is added; older rows may hold only a member
    (before workers were accounts) and keep working."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="workers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("账号"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    member = models.ForeignKey(
        "members.Member",
        verbose_name=_("党员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    role = models.CharField(_("职责"), max_length=16, choices=GridWorkerRole.choices)

    class Meta:
        verbose_name = _("网格员")
        verbose_name_plural = _("网格员")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(user__isnull=False) | models.Q(member__isnull=False),
                name="grid_worker_user_or_member",
            ),
            models.UniqueConstraint(
                fields=["grid", "user"],
                condition=models.Q(user__isnull=False),
                name="grid_worker_user_once_per_grid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.grid} {self.get_role_display()}"


class GridMembership(models.Model):
    """A member's grid. One row per member at most (unique): a member is in one grid."""

    grid = models.ForeignKey(Grid, on_delete=models.CASCADE, related_name="memberships")
    member = models.OneToOneField(
        "members.Member", on_delete=models.CASCADE, related_name="grid_membership"
    )
    by_residence = models.BooleanField(_("按居住地编入"), default=True)
    assigned_at = models.DateTimeField(_("编入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("网格党员")
        verbose_name_plural = _("网格党员")

    def __str__(self) -> str:
        return f"{self.grid}: {self.member_id}"
