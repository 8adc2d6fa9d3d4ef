"""统一社会信用代码 (GB 32100-2015): 18 characters from a 31-character alphabet, the last a
check character (MOD 31); characters 9-17 are the organization code with its own GB 11714
check."""

from __future__ import annotations

from django.utils.translation import gettext

from tongxin.core.idnumber import FULLWIDTH

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2]


class CreditCodeError(ValueError):
    """The message is a full Chinese sentence saying what to fix."""


def check_char(first17: str) -> str:
    total = sum(ALPHABET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def org_code_check(body8: str) -> str:
    """GB 11714 check of the 8-character organization code body (digits and capital letters)."""
    value = (
        11
        - sum(
            (int(c) if c.isdigit() else ord(c) - 55) * w
            for c, w in zip(body8, ORG_CODE_WEIGHTS, strict=True)
        )
        % 11
    )
    return {10: "X", 11: "0"}.get(value, str(value))


def make(kind: str, region: str, body8: str) -> str:
    first17 = f"{kind}{region}{body8}{org_code_check(body8)}"
    return first17 + check_char(first17)


def normalize(raw: str) -> str:
    return raw.strip().translate(FULLWIDTH).replace(" ", "").upper()


def validate(raw: str) -> str:
    code = normalize(raw)
    if len(code) != 18:
        raise CreditCodeError(
            gettext("统一社会信用代码应为18位，当前为%(n)d位，请核对。") % {"n": len(code)}
        )
    if any(c not in ALPHABET for c in code):
        raise CreditCodeError(
            gettext("统一社会信用代码只含数字和大写字母（不含I、O、Z、S、V），请核对。")
        )
    # 1st: registering authority; 3rd-8th: the region code (GB/T 2260), digits.
    if code[0] not in "123456789ANY" or not code[2:8].isdigit() or code[2:8] == "000000":
        raise CreditCodeError(
            gettext("统一社会信用代码的登记管理部门代码或行政区划码不正确，请核对前8位。")
        )
    if check_char(code[:17]) != code[17]:
        raise CreditCodeError(gettext("统一社会信用代码校验位不正确，请逐位核对。"))
    body = code[8:16]
    if all(c.isdigit() or c in ALPHABET for c in body) and org_code_check(body) != code[16]:
        raise CreditCodeError(
            gettext("统一社会信用代码中的组织机构代码（第9至17位）校验不正确，请核对。")
        )
    return code
