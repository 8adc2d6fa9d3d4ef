"""Reading messy spreadsheet cells: text, dates, yes/no, choices and ID numbers as Excel and
WPS leave them. Every refusal is a sentence saying how to fix the sheet."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping

from django.utils.translation import gettext

from tongxin.core import idnumber
from tongxin.members.models import Education, MemberStatus, Standing


class CellError(ValueError):
    """The message says what is wrong with the cell and how to fix it."""


_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\xad"))
_SPACES = re.compile(r"\s+")
_CJK_GAP = re.compile(r"(?<=[\u3400-\u9fff])\s+(?=[\u3400-\u9fff])")


def text(value: object) -> str:
    """A cell as text: full-width letters, digits and spaces made half-width (NFKC), invisible
    characters dropped, runs of spaces made one, ends trimmed. Whole numbers lose their '.0'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, (dt.date, int)):
        return str(value.isoformat() if isinstance(value, dt.date) else value)
    s = str(value)
    if not s.isascii():
        if not unicodedata.is_normalized("NFKC", s):
            s = unicodedata.normalize("NFKC", s)
        s = s.translate(_INVISIBLE)
    return " ".join(s.split())


def name_text(value: object) -> str:
    """A person's name: spaces typed between Chinese characters to line names up ("张  红")
    are dropped; a space inside a name in Latin letters stays."""
    return _CJK_GAP.sub("", text(value))


# ---- dates -----------------------------------------------------------------------------------

_EXCEL_EPOCH = dt.date(1899, 12, 30)
_YMD = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{4,5}(?:\.0+)?$")


def _bad_date(raw: object) -> CellError:
    return CellError(
        gettext("“%(value)s”不是有效的日期，请写成“2021-11-11”或“2021年11月11日”的格式。")
        % {"value": text(raw)[:30]}
    )


def _from_serial(n: float, raw: object) -> dt.date:
    # Excel's day numbers: 1 is 1900-01-01 (and the 1900 leap-year bug puts day 0 at 1899-12-30
    # for every date after February 1900, which is all that matters here).
    if not 1 <= n < 2958466:
        raise _bad_date(raw)
    return _EXCEL_EPOCH + dt.timedelta(days=int(n))


def date(value: object) -> dt.date | None:
    """None for an empty cell; a date from a date cell, an Excel day number, 2021-11-11,
    2021/11/11, 2021.11.11, 2021年11月11日 or 20211111."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise _bad_date(value)
    if isinstance(value, (int, float)):
        if 19000101 <= value <= 21001231 and float(value).is_integer():
            return date(str(int(value)))
        return _from_serial(float(value), value)
    if isinstance(value, str) and len(value) == 10:
        try:  # the common case, 2021-11-11, at C speed
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    s = text(value)
    if not s:
        return None
    m = _YMD.match(s) or _COMPACT.match(s)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            raise _bad_date(value) from None
    if _SERIAL.match(s):  # a day number that came through as text (CSV saved by Excel)
        return _from_serial(float(s), value)
    raise _bad_date(value)


# ---- yes / no and choices --------------------------------------------------------------------

_YES = {"是", "y", "yes", "1", "true", "√", "✓", "✔", "对"}
_NO = {"否", "n", "no", "0", "false", "", "×", "无", "不是"}


def yes_no(value: object) -> bool:
    if isinstance(value, bool):
        return value
    s = text(value).lower()
    if s in _YES:
        return True
    if s in _NO:
        return False
    raise CellError(gettext("请填写“是”或“否”，当前为“%(value)s”。") % {"value": s[:20]})


EDUCATION_WORDS: dict[str, str] = {
    "小学及以下": Education.PRIMARY,
    "小学": Education.PRIMARY,
    "文盲": Education.PRIMARY,
    "初中": Education.JUNIOR,
    "初中及以下": Education.JUNIOR,
    "高中": Education.SENIOR,
    "中专": Education.SENIOR,
    "高中/中专": Education.SENIOR,
    "中技": Education.SENIOR,
    "技校": Education.SENIOR,
    "职高": Education.SENIOR,
    "中等专科": Education.SENIOR,
    "高中及中专": Education.SENIOR,
    "大专": Education.COLLEGE,
    "大学专科": Education.COLLEGE,
    "专科": Education.COLLEGE,
    "高职": Education.COLLEGE,
    "大专及以上": Education.COLLEGE,
    "本科": Education.BACHELOR,
    "大学本科": Education.BACHELOR,
    "大学": Education.BACHELOR,
    "学士": Education.BACHELOR,
    "研究生": Education.POSTGRADUATE,
    "硕士": Education.POSTGRADUATE,
    "博士": Education.POSTGRADUATE,
    "硕士研究生": Education.POSTGRADUATE,
    "博士研究生": Education.POSTGRADUATE,
    "研究生及以上": Education.POSTGRADUATE,
}
STATUS_WORDS: dict[str, str] = {
    "正式党员": MemberStatus.FULL,
    "正式": MemberStatus.FULL,
    "预备党员": MemberStatus.PROBATIONARY,
    "预备": MemberStatus.PROBATIONARY,
}
STANDING_WORDS: dict[str, str] = {
    "正常": Standing.NORMAL,
    "": Standing.NORMAL,
    "保留党籍": Standing.RESERVED,
    "保留": Standing.RESERVED,
    "停止党籍": Standing.SUSPENDED,
    "停止": Standing.SUSPENDED,
}


def choice(value: object, words: Mapping[str, str], values: frozenset[str] | list[str]) -> str:
    """The stored value for a label ("本科"), a variant ("大学本科") or the value itself; ""
    when it is none of those (the rules then say what to choose)."""
    if isinstance(value, str) and value in words:
        return words[value]
    s = text(value).replace(" ", "")
    if s in words:
        return words[s]
    return s if s in values else ""


# ---- ID numbers ------------------------------------------------------------------------------

_SCIENTIFIC = re.compile(r"^\d(?:\.\d+)?[eE]\+?\d+$")


def _excel_number(shown: str) -> CellError:
    return CellError(
        gettext(
            "身份证号码被Excel当成了数字（显示为%(shown)s），后几位已经丢失或变成了0。"
            "请把这一列的单元格格式设置为“文本”，再重新输入完整的18位号码。"
        )
        % {"shown": shown}
    )


def id_number(value: object) -> str:
    """The number as written, normalized; refuses what Excel has turned into a number."""
    if isinstance(value, bool):
        raise CellError(gettext("请填写18位身份证号码。"))
    if isinstance(value, (int, float)):
        if value >= 1e15:
            raise _excel_number(f"{float(value):.5E}")
        raise CellError(gettext("请填写18位身份证号码。"))
    if isinstance(value, str) and len(value) == 18 and value.isdigit():
        s = value  # the common case, already clean
    else:
        s = idnumber.normalize(text(value))
        if _SCIENTIFIC.match(s):
            raise _excel_number(s)
    if len(s) == 18 and s.isdigit() and s.endswith("000") and idnumber.check_digit(s[:17]) != s[17]:
        raise CellError(
            gettext(
                "身份证号码末三位都是0且校验位不正确，很可能是Excel把它当成数字后丢掉了最后几位。"
                "请把这一列的单元格格式设置为“文本”，再重新输入完整的18位号码。"
            )
        )
    return s
