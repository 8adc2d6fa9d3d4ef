from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node


class AreaLevel(models.TextChoices):
    CITY = "city", _("市")
    DISTRICT = "district", _("区县")
    STREET = "street", _("街道/乡镇")
    COMMUNITY = "community", _("社区/村")
    COMPOUND = "compound", _("小区/园区/商圈/楼宇")
    BUILDING = "building", _("楼栋")


LEVEL_ORDER = [c.value for c in AreaLevel]


class Area(MP_Node):
    """A node of the 市 → 区县 → 街道/乡镇 → 社区/村 → 小区/园区/商圈/楼宇 → 楼栋 tree."""

    node_order_by = ["name"]

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=16, choices=AreaLevel.choices)
    code = models.CharField(_("行政区划代码"), max_length=20, blank=True, db_index=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True
    )

    class Meta:
        verbose_name = _("行政区域")
        verbose_name_plural = _("行政区域")

    def __str__(self) -> str:
        return self.name
