from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongxin.core.errors import ServiceError
from tongxin.insights.boundaries import load_geojson


class Command(BaseCommand):
    help = "导入区域边界（GeoJSON FeatureCollection；按 code、path 或 name 对应区域），供数据驾驶舱地图使用。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            n = load_geojson(options["file"])
        except ServiceError as exc:
            raise CommandError(str(exc.message)) from None
        self.stdout.write(f"已导入 {n} 个区域边界。")
