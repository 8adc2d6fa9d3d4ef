"""The member rules of ``tongxin.members.services.validate_member``, for many rows at once.

validate_member looks up the ID number with one query per member; an import checks tens of
thousands of rows, so it looks numbers up in batches (importer.py) and applies the field rules
here, without a query. tests/rosters/test_rules.py runs both on the same inputs and checks that
they agree, field by field and message by message."""

from __future__ import annotations

import datetime as dt
import operator

from django.utils.translation import gettext

from tongxin.core import idnumber, pii
from tongxin.members.models import Education, MemberStatus, Standing
from tongxin.members.services import MemberInput, _add_years
from tongxin.orgs.models import OrgKind

EDUCATIONS = frozenset(Education.values)
STATUSES = frozenset(MemberStatus.values)
STANDINGS = frozenset(Standing.values)


_WEIGHTED_ZERO = 48 * sum(idnumber.WEIGHTS)  # the weighted sum of 17 ASCII "0"s


def parse_id(number: str, today: dt.date) -> idnumber.IdInfo | idnumber.IdNumberError:
    """idnumber.parse, or the error it raises. A well-formed number is checked here with the
    same tests at C speed (the weighted sum over the bytes); anything unusual goes to
    idnumber.parse, which words the message. test_rules checks both agree."""
    if len(number) == 18 and number.isascii() and number[:17].isdigit():
        raw = number.encode()
        check = idnumber.CHECK_CHARS[
            (sum(map(operator.mul, raw[:17], idnumber.WEIGHTS)) - _WEIGHTED_ZERO) % 11
        ]
        if check == number[17] and number[:2] in idnumber.PROVINCES and number[2:6] != "0000":
            try:
                birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            except ValueError:
                birth = None
            if birth is not None and birth.year >= 1900 and birth <= today:
                return idnumber.IdInfo(number, birth, "M" if int(number[16]) % 2 else "F")
    try:
        return idnumber.parse(number, today=today)
    except idnumber.IdNumberError as e:
        return e


def member_errors(
    data: MemberInput,
    *,
    today: dt.date,
    org_kind: str | None = None,
    parsed: idnumber.IdInfo | idnumber.IdNumberError | None = None,
) -> tuple[dict[str, str], idnumber.IdInfo | None, str]:
    """(field errors, parsed ID number, normalized phone): validate_member's checks but the
    duplicate lookup. org_kind defaults to data.org.kind; parsed is parse_id(data.id_number)
    when the caller has it already."""
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = gettext("请填写姓名。")
    if parsed is None:
        parsed = parse_id(data.id_number, today)
    info = None
    if isinstance(parsed, idnumber.IdNumberError):
        errors["id_number"] = str(parsed)
    else:
        info = parsed
    phone = data.phone or ""
    if phone and not (len(phone) == 11 and phone.isdigit()):
        phone = pii.normalize_phone(phone)
    if phone and not pii.is_mobile(phone):
        errors["phone"] = gettext("手机号码应为11位、以1开头的数字，请核对。")
    if data.education and data.education not in EDUCATIONS:
        errors["education"] = gettext("请选择学历。")
    if data.status not in STATUSES:
        errors["status"] = gettext("请选择党员类别（预备党员或正式党员）。")
    if data.standing not in STANDINGS:
        errors["standing"] = gettext("请选择党籍状态。")
    if data.joined_on > today:
        errors["joined_on"] = gettext("入党日期不能晚于今天。")
    elif info and data.joined_on < _add_years(info.birth_date, 18):
        errors["joined_on"] = gettext("入党时应年满18周岁，请核对入党日期和身份证号码。")
    if data.confirmed_on:
        if data.confirmed_on > today:
            errors["confirmed_on"] = gettext("转正日期不能晚于今天。")
        elif data.confirmed_on < data.joined_on:
            errors["confirmed_on"] = gettext("转正日期不能早于入党日期。")
        elif data.confirmed_on < _add_years(data.joined_on, 1):
            errors["confirmed_on"] = gettext("预备期为一年，转正日期应在入党满一年之后，请核对。")
        elif data.status == MemberStatus.PROBATIONARY:
            errors["confirmed_on"] = gettext("预备党员没有转正日期；已转正的请选择“正式党员”。")
    elif data.status == MemberStatus.FULL and "status" not in errors:
        errors["confirmed_on"] = gettext("正式党员请填写转正日期。")
    if (org_kind if org_kind is not None else data.org.kind) == OrgKind.GROUP:
        errors["org"] = gettext("党员的组织关系应在党支部，不能直接编入党小组。")
    if data.is_floating and not data.floating_to.strip():
        errors["floating_to"] = gettext("流动党员请填写流动去向。")
    return errors, info, phone
