from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from tongxin.insights.rollups import rollup_refresh


class Command(BaseCommand):
    help = "重新计算数据驾驶舱的汇总指标（当日及最近 N 个月）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--months", type=int, default=1, choices=range(1, 25))

    def handle(self, *args: Any, **options: Any) -> None:
        run = rollup_refresh(months=options["months"])
        self.stdout.write(f"已写入 {run.rows} 条汇总指标，用时 {run.seconds:.1f} 秒。")
