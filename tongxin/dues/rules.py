"""党费 (DESIGN §4.4, the 2008 rules): rates, amounts, money and month text. No queries.

Rates by the monthly base (fixed after-tax pay, in fen):
- in service: ≤ 3,000 元 → 0.5%; 3,000.01–5,000 → 1%; 5,000.01–10,000 → 1.5%; above → 2%;
- retired: ≤ 5,000 元 → 0.5%; above → 1%;
- students, the unemployed, members on 低保: 0.20 元 a month whatever the base.
A bracket's upper bound belongs to it (3,000.00 元 pays 0.5%, 3,000.01 元 pays 1%).

Rounding: amount = base × rate, rounded half up to the fen, in integers only
(``(base_fen × permille + 500) // 1000``): 3,000.01 元 × 1% = 30.0001 元 → 30.00 元.

A month's due comes from the latest base whose month is not after it; a month before a
member's first base is not due (nothing was entered). Payments are recorded per month in fen.
A payment recorded by mistake is reversed (冲正): the row stays, a DuesReversal says who, when
and why, and the payment no longer counts as paid (the month is owed again).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext

from tongxin.core.errors import ServiceError
from tongxin.core.months import add_months, month_start, this_month
from tongxin.dues.models import DuesCategory

FIXED_FEN = 20  # 0.2 元
FIXED_CATEGORIES = (DuesCategory.STUDENT, DuesCategory.UNEMPLOYED, DuesCategory.SUBSISTENCE)
# (upper bound in fen, inclusive; rate in permille)
BRACKETS: dict[str, list[tuple[int | None, int]]] = {
    DuesCategory.EMPLOYED: [(300_000, 5), (500_000, 10), (1_000_000, 15), (None, 20)],
    DuesCategory.RETIRED: [(500_000, 5), (None, 10)],
}
MAX_BASE_FEN = 100_000_000  # 1,000,000 元 a month: anything above is a typing slip
MAX_PAYMENT_FEN = 100_000_000
MAX_REASON = 200


def dues_rate_permille(category: str, base_fen: int) -> int | None:
    """None for the fixed 0.2 元 categories."""
    if category in FIXED_CATEGORIES:
        return None
    for upper, rate in BRACKETS[category]:
        if upper is None or base_fen <= upper:
            return rate
    raise AssertionError("unreachable")


def dues_amount_fen(category: str, base_fen: int) -> int:
    rate = dues_rate_permille(category, base_fen)
    if rate is None:
        return FIXED_FEN
    return (base_fen * rate + 500) // 1000


def rate_text(category: str, base_fen: int) -> str:
    rate = dues_rate_permille(category, base_fen)
    if rate is None:
        return gettext("每月0.2元")
    return f"{Decimal(rate) / 10:g}%"


def fen_text(fen: int | None) -> str:
    fen = fen or 0
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


def parse_month(text: str | None, default: dt.date | None = None) -> dt.date | None:
    """ "2026-11" → 2026-11-01; anything else → default."""
    try:
        y, m = str(text or "").strip().split("-")[:2]
        return dt.date(int(y), int(m), 1)
    except (ValueError, TypeError):
        return default


def parse_yuan(text: object, field_name: str) -> int:
    """ "1234.5" 元 → 123450 fen; more than two decimals or not a number → field error."""
    msg = gettext("请填写金额（元），最多两位小数，例如 4500.00。")
    try:
        value = Decimal(str(text).strip().replace(",", "").replace("，", ""))
        ok = value.is_finite() and value == value.quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        ok = False
    if not ok:
        raise ServiceError(msg, fields={field_name: msg})
    return int(value * 100)


def dues_base_errors(
    *, effective_from: dt.date, category: str, base_fen: int | None
) -> tuple[dict[str, str], int]:
    """The rules of a base, without writing: (field errors, the base to store). The base
    import (imports.py) checks every row with them before anything is written."""
    errors: dict[str, str] = {}
    if category not in DuesCategory.values:
        errors["category"] = gettext("请选择党员的收入类别。")
    fixed = category in FIXED_CATEGORIES
    base = 0 if fixed and base_fen is None else base_fen
    if base is None:
        errors["base"] = gettext("请填写每月工资收入基数（税后固定收入，单位元）。")
    elif base < 0:
        errors["base"] = gettext("工资收入基数不能为负数，请核对。")
    elif base > MAX_BASE_FEN:
        errors["base"] = gettext(
            "工资收入基数超过每月100万元，请核对是否多输了位数（单位为元，不是分）。"
        )
    elif base == 0 and category in (DuesCategory.EMPLOYED, DuesCategory.RETIRED):
        errors["base"] = gettext(
            "在职和离退休党员的工资收入基数应大于0；没有收入的请选择学生、下岗失业或低保类别。"
        )
    if month_start(effective_from) > add_months(this_month(), 12):
        errors["effective_from"] = gettext("起始月份最多只能提前一年登记。")
    return errors, 0 if fixed or base is None else base
