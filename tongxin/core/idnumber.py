"""居民身份证号码 checks (GB 11643-1999): 18 characters, region code, real birth date,
ISO 7064 MOD 11-2 check digit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# First two digits: the province-level division (GB/T 2260).
PROVINCES = {
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
    "83",
    "91",
}

FULLWIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")


class IdNumberError(ValueError):
    """The message is a full sentence saying what to fix, in the active language."""


@dataclass(frozen=True)
class IdInfo:
    number: str
    birth_date: dt.date
    gender: str  # "M" | "F"


def check_digit(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHECK_CHARS[total % 11]


def normalize(raw: str) -> str:
    return raw.strip().translate(FULLWIDTH).replace(" ", "").upper()


def parse(raw: str, *, today: dt.date | None = None) -> IdInfo:
    number = normalize(raw)
    if len(number) != 18:
        raise IdNumberError(
            gettext("身份证号码应为18位，当前为%(n)d位，请核对后重新填写。") % {"n": len(number)}
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise IdNumberError(
            gettext("身份证号码前17位应为数字，最后一位为数字或X，请核对后重新填写。")
        )
    if number[:2] not in PROVINCES or number[2:6] == "0000":
        raise IdNumberError(
            gettext("身份证号码的地区码“%(code)s”不存在，请核对前6位。") % {"code": number[:6]}
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(
            gettext("身份证号码中的出生日期“%(date)s”不是有效日期，请核对第7至14位。")
            % {"date": number[6:14]}
        ) from None
    today = today or timezone.localdate()
    if birth > today or birth.year < 1900:
        raise IdNumberError(
            gettext("身份证号码中的出生日期“%(date)s”不合理，请核对第7至14位。")
            % {"date": number[6:14]}
        )
    if check_digit(number[:17]) != number[17]:
        raise IdNumberError(gettext("身份证号码校验位不正确，请逐位核对后重新填写。"))
    gender = "M" if int(number[16]) % 2 == 1 else "F"
    return IdInfo(number=number, birth_date=birth, gender=gender)


def make(region: str, birth: dt.date, seq: int) -> str:
    """Build a valid number (demo data and tests); seq is 0..999, its parity is the sex."""
    first17 = f"{region}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)


def mask(number: str) -> str:
    if len(number) < 8:
        return "*" * len(number)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]
