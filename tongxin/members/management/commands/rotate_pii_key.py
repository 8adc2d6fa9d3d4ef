from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from tongxin.core.pii import UnknownKeyError, rekey_columns
from tongxin.members.services import member_pii_rekey


class Command(BaseCommand):
    help = (
        "用当前个人信息密钥（TONGXIN_PII_KEY / TONGXIN_PII_KEY_ID）重新加密身份证号和手机号，"
        "并重建检索索引。旧密钥须在 TONGXIN_PII_OLD_KEYS 中提供。"
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            with transaction.atomic():
                n = member_pii_rekey(actor=None)
                others = rekey_columns()
        except UnknownKeyError as e:
            raise CommandError(str(e)) from None
        except IntegrityError:
            raise CommandError(
                "重新加密时发现两条党员记录的身份证号码相同，已全部撤销。"
                "请先在名册中合并或更正重复的记录，再重新运行本命令。"
            ) from None
        self.stdout.write(
            f"已用新密钥重新加密 {n} 名党员的个人信息，以及其他 {others} 项个人信息（居民手机号等）。"
        )
