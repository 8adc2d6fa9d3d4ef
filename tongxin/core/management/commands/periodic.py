from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from tongxin.core.periodic import claim_run, slot_of
from tongxin.core.registry import REGISTRY


class Command(BaseCommand):
    help = (
        "按周期把定时任务（超期督办、到期提醒等）放入任务队列，由任务进程执行。"
        "可在多台机器上各运行一个：每一轮只由先取得锁的一个放入队列。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="每个任务只放入一次后退出")

    def handle(self, *args: Any, once: bool, **kw: Any) -> None:
        seen: dict[str, int] = {}  # the last slot of each task this scheduler looked at
        while True:
            now = time.time()
            for item in REGISTRY.periodic:
                slot = slot_of(item.every, now)
                if seen.get(item.task) == slot:
                    continue
                seen[item.task] = slot
                if not claim_run(item.task, item.every, now):
                    self.stdout.write(f"本轮已由其他定时进程放入：{item.task}")
                    continue
                import_string(item.task).enqueue()
                self.stdout.write(f"已放入任务队列：{item.task}")
            self.stdout.flush()
            if once:
                return
            time.sleep(5)
