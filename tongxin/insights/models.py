"""Stored figures (rollups) and map boundaries: the 数据驾驶舱 reads these, never the domain
tables. A rollup is the value of one registered metric (core.metrics) for one subtree — an
organization's or an area's — over one period: the day it was computed (current figures) or a
calendar month (trends)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Tree(models.TextChoices):
    ORG = "org", _("党组织")
    AREA = "area", _("区域")


class PeriodKind(models.TextChoices):
    DAY = "day", _("日")
    MONTH = "month", _("月")


class Rollup(models.Model):
    tree = models.CharField(max_length=4, choices=Tree.choices)
    path = models.CharField(max_length=255)  # the subtree's root: an org or area path
    metric = models.CharField(max_length=80)
    period = models.CharField(max_length=5, choices=PeriodKind.choices)
    start = models.DateField()  # the day, or the month's first day
    value = models.FloatField()
    # when the value was last written: a refresh leaves an unchanged figure's row alone, so
    # the figures' "数据截至" is the latest RollupRun's, not this
    as_of = models.DateTimeField(_("数据截至"))

    class Meta:
        verbose_name = _("汇总指标")
        constraints = [
            models.UniqueConstraint(
                fields=["tree", "period", "start", "path", "metric"], name="rollup_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.tree}:{self.path} {self.metric} {self.period} {self.start} = {self.value}"


class RollupRun(models.Model):
    """One recomputation: the latest one's ``finished_at`` is the "as of" (数据截至) of every
    figure stored, whether it rewrote the figure's row or found it unchanged."""

    day = models.DateField()
    months = models.PositiveSmallIntegerField(default=1)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)  # the figures stored for its periods
    changed = models.PositiveIntegerField(default=0)  # rows it inserted, updated or deleted
    seconds = models.FloatField(default=0)

    class Meta:
        verbose_name = _("汇总计算")
        indexes = [models.Index(fields=["-finished_at"], name="rolluprun_latest")]

    def __str__(self) -> str:
        return f"{self.day} ({self.rows})"


class BoundarySource(models.TextChoices):
    FILE = "file", _("导入文件")
    GENERATED = "generated", _("演示生成")


class Boundary(models.Model):
    """The outline of an area on the cockpit's map: a GeoJSON geometry (Polygon or
    MultiPolygon, longitude/latitude), loaded by ``manage.py load_boundaries``."""

    area = models.OneToOneField(
        "geo.Area", verbose_name=_("区域"), on_delete=models.CASCADE, related_name="+"
    )
    area_path = models.CharField(max_length=255, db_index=True)
    geometry = models.JSONField(_("边界"))
    source = models.CharField(_("来源"), max_length=10, choices=BoundarySource.choices)
    loaded_at = models.DateTimeField(_("导入时间"), auto_now=True)

    class Meta:
        verbose_name = _("区域边界")

    def __str__(self) -> str:
        return self.area_path
