from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from tongxin.cases import selectors, services
from tongxin.core.errors import ServiceError


class Command(BaseCommand):
    help = (
        "签发或吊销 Open311 api_key。"
        "签发：open311_key issue --name 应用名称 --area 区域ID或行政区划代码 [--per-minute 600]；"
        "吊销：open311_key revoke --prefix 密钥前缀；列出：open311_key list"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["issue", "revoke", "list"])
        parser.add_argument("--name", default="")
        parser.add_argument("--area", default="", help="区域 ID 或行政区划代码（管辖范围）")
        parser.add_argument("--per-minute", type=int, default=600)
        parser.add_argument("--prefix", default="", help="要吊销的密钥前缀（签发时显示）")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "list":
            for key in selectors.api_keys():
                state = "已吊销" if key.revoked_at else "有效"
                self.stdout.write(
                    f"{key.prefix}\t{key.name}\t{key.area}\t{key.per_minute}/分钟\t{state}"
                )
            return
        if action == "issue":
            area = selectors.area_by_ref(options["area"])
            if area is None:
                raise CommandError("找不到该区域，请用 --area 给出区域 ID 或行政区划代码。")
            try:
                key, raw = services.api_key_issue(
                    actor=None, name=options["name"], area=area, per_minute=options["per_minute"]
                )
            except ServiceError as e:
                raise CommandError(e.message) from None
            self.stdout.write(f"已签发密钥（只显示这一次，请妥善保存）：{raw}")
            self.stdout.write(f"前缀 {key.prefix}，管辖区域 {area}，每分钟上限 {key.per_minute}。")
            return
        prefix = options["prefix"].strip()
        keys = list(selectors.api_keys().filter(prefix=prefix, revoked_at__isnull=True))
        if len(keys) != 1:
            raise CommandError("没有找到唯一一个该前缀的有效密钥，请用 open311_key list 核对。")
        services.api_key_revoke(actor=None, key=keys[0])
        self.stdout.write(f"已吊销密钥 {prefix}（{keys[0].name}）。")
