import pytest

from tongxin.core import creditcode


def test_a_made_code_validates_and_full_width_is_normalized():
    code = creditcode.make("91", "330203", "12345678")
    assert creditcode.validate(code) == code
    wide = code.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert creditcode.validate(f" {wide.lower()} ") == code


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("91330203123456", "应为18位"),
        ("91330203I2345678XA", "不含I、O、Z、S、V"),
    ],
)
def test_malformed_codes_are_refused_in_chinese(raw, fragment):
    with pytest.raises(creditcode.CreditCodeError, match=fragment):
        creditcode.validate(raw)


def test_a_wrong_check_character_is_refused():
    code = creditcode.make("91", "330203", "12345678")
    wrong = code[:17] + ("1" if code[17] != "1" else "2")
    with pytest.raises(creditcode.CreditCodeError, match="校验位"):
        creditcode.validate(wrong)


@pytest.mark.parametrize(
    ("raw", "fragment"),
    [
        ("000000000000000000", "前8位"),  # no registering authority, no region
        ("91000000123456785X", "前8位"),
    ],
)
def test_authority_and_region_are_checked(raw, fragment):
    with pytest.raises(creditcode.CreditCodeError, match=fragment):
        creditcode.validate(raw)


def test_the_organization_code_check_is_verified():
    good = creditcode.make("91", "330203", "12345678")
    # change the 17th character (organization-code check) and recompute the final check
    wrong17 = good[:16] + ("0" if good[16] != "0" else "1")
    forged = wrong17 + creditcode.check_char(wrong17)
    with pytest.raises(creditcode.CreditCodeError, match="组织机构代码"):
        creditcode.validate(forged)
