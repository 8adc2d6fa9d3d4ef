"""居民身份证号码 checks (GB 11643): what a clerk typing a number would be told."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.helpers import is_chinese
from tongxin.core import idnumber
from tongxin.core.idnumber import IdNumberError

# 浙江宁波海曙, born 7 March 1985, sequence 123 (odd: male).
VALID = idnumber.make("330203", dt.date(1985, 3, 7), 123)


def with_check_digit(first17: str) -> str:
    return first17 + idnumber.check_digit(first17)


def test_a_valid_number_gives_birth_date_and_sex():
    info = idnumber.parse(VALID)
    assert info.number == VALID
    assert info.birth_date == dt.date(1985, 3, 7)
    assert info.gender == "M"
    assert idnumber.parse(idnumber.make("330203", dt.date(1990, 1, 2), 124)).gender == "F"


def test_a_known_public_sample_number_with_x_check_digit_is_valid():
    # The sample number printed in GB 11643's explanatory material.
    info = idnumber.parse("11010519491231002X")
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.gender == "F"


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        (VALID[:17], "应为18位，当前为17位"),
        (VALID + "1", "应为18位，当前为19位"),
        ("", "当前为0位"),
        (VALID[:10] + "AB" + VALID[12:], "前17位应为数字"),
        (with_check_digit("99" + VALID[2:17]), "地区码“99"),
        (with_check_digit("330000" + VALID[6:17]), "地区码“330000”不存在"),
        (with_check_digit("330203" + "19990231" + "123"), "出生日期“19990231”不是有效日期"),
        (with_check_digit("330203" + "19851301" + "123"), "不是有效日期"),
        (with_check_digit("330203" + "18891231" + "123"), "出生日期“18891231”不合理"),
    ],
)
def test_bad_numbers_are_refused_with_a_chinese_sentence(raw, fragment):
    with pytest.raises(IdNumberError) as exc:
        idnumber.parse(raw)
    message = str(exc.value)
    assert fragment in message
    assert is_chinese(message) and message.endswith("。")


def test_a_birth_date_after_today_is_refused():
    tomorrow = dt.date(2030, 6, 2)
    number = idnumber.make("330203", tomorrow, 5)
    with pytest.raises(IdNumberError, match="出生日期“20300602”不合理"):
        idnumber.parse(number, today=dt.date(2030, 6, 1))
    assert idnumber.parse(number, today=tomorrow).birth_date == tomorrow


def test_a_wrong_check_digit_is_refused():
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    with pytest.raises(IdNumberError) as exc:
        idnumber.parse(wrong)
    assert str(exc.value) == "身份证号码校验位不正确，请逐位核对后重新填写。"


def test_full_width_digits_spaces_and_lower_case_x_are_normalized():
    full_width = VALID.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    assert idnumber.parse(full_width).number == VALID
    assert idnumber.parse(f"  {VALID[:6]} {VALID[6:14]} {VALID[14:]} ").number == VALID
    sample = idnumber.parse("11010519491231002x")
    assert sample.number == "11010519491231002X"


def test_mask_keeps_the_first_four_and_last_four():
    assert idnumber.mask("33020319850307123X") == "3302**********123X"
    assert idnumber.mask("123") == "***"
