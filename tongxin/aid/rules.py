"""Rules of the 互助金 that need no query: amount checks, default aid kinds, masked names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext

from tongxin.aid.models import fen_text

MAX_DONATION_FEN = 10_000_000  # 100,000 元 at once: anything more is a slip of the keyboard
MAX_INCOME_FEN = 1_000_000_000  # 10,000,000 元
EARLIEST = dt.date(2000, 1, 1)

# (code, name, min 元, max 元, yearly cap per person 元): 枫泾's practice as the defaults.
DEFAULT_KINDS = [
    ("illness", "重大病补助", 1000, 10000, 20000),
    ("hardship", "生活困难补助", 300, 3000, 6000),
    ("bereavement", "去世党员家庭慰问", 500, 2000, 2000),
]


def amount_error(amount_fen: object, maximum: int, what: str) -> str | None:
    """A Chinese sentence when the amount is not a whole number of fen in (0, maximum]."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        return gettext("请填写%(what)s金额（元），例如 200.00。") % {"what": what}
    if amount_fen <= 0:
        return gettext("%(what)s金额应大于0元。") % {"what": what}
    if amount_fen > maximum:
        return gettext("%(what)s金额超过%(max)s元，请核对是否多输了位数。") % {
            "what": what,
            "max": fen_text(maximum),
        }
    return None


def date_error(day: object, what: str) -> str | None:
    if not isinstance(day, dt.date):
        return gettext("请填写%(what)s，例如 2026-12-01。") % {"what": what}
    if day > timezone.localdate():
        return gettext("%(what)s不能晚于今天。") % {"what": what}
    if day < EARLIEST:
        return gettext("%(what)s早于2000年，请核对年份。") % {"what": what}
    return None


def parse_yuan(text: object) -> int | None:
    """元 as typed ("1,200.5", "¥300") → fen; None when it is not an amount."""
    s = str(text or "").strip().replace(",", "").replace("，", "")
    for sign in ("¥", "￥", "元", "RMB"):
        s = s.replace(sign, "")
    try:
        d = Decimal(s)
    except InvalidOperation:
        return None
    if not d.is_finite() or d != d.quantize(Decimal("0.01")) or abs(d) > Decimal("1e12"):
        return None
    return int(d * 100)


def mask_name(name: str) -> str:
    """张红 → 张*, 欧阳明华 → 欧***: the family name only, for public pages."""
    name = (name or "").strip()
    if not name:
        return "*"
    return name[0] + "*" * max(1, len(name) - 1)
