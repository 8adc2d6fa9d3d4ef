from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from tongxin.demo import loader


class Command(BaseCommand):
    help = "生成演示数据：--scale town（约320个党组织）或 city（32,037个党组织、56.1万名党员）。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--scale", choices=["town", "city"], default="town")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--if-empty", action="store_true", help="已有数据时跳过（make run 使用）"
        )
        parser.add_argument("--reset", action="store_true", help="先清空现有的区域、党组织和党员")

    def handle(
        self, *args: Any, scale: str, seed: int, if_empty: bool, reset: bool, **kw: Any
    ) -> None:
        if not loader.domain_is_empty():
            if if_empty:
                self.stdout.write("已有数据，跳过演示数据生成。")
                self._print_users()
                return
            if not reset:
                raise CommandError(
                    "数据库中已有党组织或党员。如需重新生成，请加 --reset（将清空现有数据）。"
                )
        result = loader.load(
            scale=scale, seed=seed, reset=reset, progress=lambda m: self.stdout.write(m)
        )
        self.stdout.write(
            f"演示数据已生成（{scale}，seed={seed}）：{result['areas']} 个区域，"
            f"{result['orgs']} 个党组织，{result['members']} 名党员，用时 {result['seconds']:.1f} 秒。"
        )
        self.stdout.write(
            "各领域党组织数：" + "，".join(f"{k} {v}" for k, v in sorted(result["sectors"].items()))
        )
        self._print_users()

    def _print_users(self) -> None:
        self.stdout.write(f"\n演示账号（密码均为 {loader.DEMO_PASSWORD}）：")
        for username, _display, _role, _anchor, desc in loader.DEMO_USERS:
            self.stdout.write(f"  {username:<10} {desc}")
        # Modules add their own accounts (a department handler, a resident ...) as
        # DEMO_USERS = [(username, description), ...] in their demo.py.
        listed: set[str] = set()
        for _label, module in loader.module_demos():
            for username, desc in getattr(module, "DEMO_USERS", []):
                self.stdout.write(f"  {username:<10} {desc}")
                listed.add(username)
        # The story's residents (README: 演示账号) that no module describes.
        for username, display, _name, _phone in loader.DEMO_RESIDENTS:
            if username not in listed:
                self.stdout.write(f"  {username:<10} {display}：与 jumin 同住一个小区的邻居")
