"""Checks every input goes through, whatever the form or API operation: no control characters
in text (a NUL byte, an escape sequence, a bare CR that would start a new line in an .ics feed
or a CSV export), and no integer beyond what the database stores (a 20-digit id overflows
SQLite's and PostgreSQL's 64-bit integers: a 500 instead of a refusal)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from pydantic import AfterValidator, WithJsonSchema

# C0 and C1 controls and DEL, except tab and line breaks (CR LF, as browsers send a textarea).
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
# Ids as typed in a URL, a query or a form: ASCII digits only (str.isdigit() also takes "²",
# which int() refuses) and within the database's 64-bit integer (SQLite raises OverflowError).
_PK = re.compile(r"[0-9]{1,19}")

CONTROL_MESSAGE = gettext_lazy("内容含有控制字符（如空字符NUL），请删除这些不可见字符后重新提交。")
RANGE_MESSAGE = gettext_lazy("数值超出范围，请检查编号或数字是否填写正确。")


def has_control(text: str) -> bool:
    return CONTROL.search(text) is not None


def no_control_characters(value: Any) -> None:
    """A form validator (added to every CharField in CoreConfig.ready). A NUL byte is left to
    Django's own validator on every CharField (given our message there), so that a value
    gets one message, not two."""
    if isinstance(value, str) and "\x00" not in value and has_control(value):
        raise ValidationError(CONTROL_MESSAGE, code="control_character")


def bad_values(
    data: Any, loc: tuple[str | int, ...] = ()
) -> list[tuple[tuple[str | int, ...], str]]:
    """Where ``data`` (parsed JSON or a query dict) holds text with control characters or an
    integer out of the 64-bit range: a list of (location, kind), kind "control" or "range"."""
    found: list[tuple[tuple[str | int, ...], str]] = []
    if isinstance(data, str):
        if has_control(data):
            found.append((loc, "control"))
    elif isinstance(data, bool):
        pass
    elif isinstance(data, int):
        if not INT_MIN <= data <= INT_MAX:
            found.append((loc, "range"))
    elif isinstance(data, dict):
        for key, value in data.items():
            if isinstance(key, str) and has_control(key):
                found.append(((*loc, key), "control"))
            found.extend(bad_values(value, (*loc, key)))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            found.extend(bad_values(value, (*loc, i)))
    return found


def _local_time(value: dt.time) -> dt.time:
    """A time with an offset ("14:00:00+08:00", "06:00Z") is converted to Beijing time; the
    stored and returned times are local wall-clock times without an offset. Asia/Shanghai keeps
    no daylight saving, so the conversion does not depend on the date."""
    if value.tzinfo is None:
        return value
    aware = dt.datetime.combine(dt.date(2000, 1, 1), value)
    return aware.astimezone(ZoneInfo(settings.TIME_ZONE)).time().replace(tzinfo=None)


# OpenAPI: "format: time" means an RFC 3339 time *with* an offset, which the API never returns.
_TIME = r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?"
LocalTime = Annotated[
    dt.time,
    AfterValidator(_local_time),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": f"^{_TIME}(Z|[+-]([01]\\d|2[0-3]):[0-5]\\d)?$",
            "description": "北京时间 HH:MM[:SS]；带时区偏移的时间换算为北京时间",
        },
        mode="validation",
    ),
    WithJsonSchema(
        {"type": "string", "pattern": f"^{_TIME}$", "description": "北京时间 HH:MM:SS"},
        mode="serialization",
    ),
]


def parse_pk(value: object) -> int | None:
    """The id in ``value``, or None when it is not one (then the object does not exist)."""
    text = str(value).strip() if value is not None else ""
    if not _PK.fullmatch(text):
        return None
    pk = int(text)
    return pk if 1 <= pk <= INT_MAX else None
