"""The cockpit's tables in the admin, read-only: rollups are derived (recomputed by the periodic
task), the runs are their log, boundaries are loaded by ``manage.py load_boundaries``."""

from __future__ import annotations

from django.contrib import admin

from tongxin.core.admin_audit import ReadOnlyAdmin
from tongxin.insights.models import Boundary, Rollup, RollupRun


@admin.register(Rollup)
class RollupAdmin(ReadOnlyAdmin):
    list_display = ("metric", "tree", "path", "period", "start", "value", "as_of")
    list_filter = ("tree", "period")
    search_fields = ("metric", "path")
    show_full_result_count = False  # a large table: no COUNT(*) per page


@admin.register(RollupRun)
class RollupRunAdmin(ReadOnlyAdmin):
    list_display = ("day", "months", "started_at", "finished_at", "rows", "changed", "seconds")


@admin.register(Boundary)
class BoundaryAdmin(ReadOnlyAdmin):
    list_display = ("area", "area_path", "source", "loaded_at")
    list_filter = ("source",)
    fields = ("area", "area_path", "source", "loaded_at")  # the geometry is too large to show
    raw_id_fields = ("area",)
    list_select_related = ("area",)
