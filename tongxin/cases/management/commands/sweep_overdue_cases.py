from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from tongxin.cases.services import sweep_overdue


class Command(BaseCommand):
    help = "对超过办理时限的事件催办，对超期一倍以上的事件督办（可重复运行）。"

    def handle(self, *args: Any, **options: Any) -> None:
        counts = sweep_overdue()
        self.stdout.write(
            f"催办 {counts.get('urge', 0)} 件，督办 {counts.get('supervise', 0)} 件。"
        )
