from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from tongxin.core.registry import REGISTRY


class Command(BaseCommand):
    help = "按周期把定时任务（超期督办、到期提醒等）放入任务队列，由 db_worker 执行。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="每个任务只放入一次后退出")

    def handle(self, *args: Any, once: bool, **kw: Any) -> None:
        due: dict[str, float] = {}
        while True:
            now = time.monotonic()
            for item in REGISTRY.periodic:
                if now >= due.get(item.task, 0.0):
                    import_string(item.task).enqueue()
                    due[item.task] = now + item.every
                    self.stdout.write(f"已放入任务队列：{item.task}")
            if once:
                return
            time.sleep(5)
