"""Member writes: bad input is a Chinese field error that writes nothing (DESIGN §3.2, §4.2)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from tests import factories
from tests.helpers import refused, today
from tongxin.core import idnumber
from tongxin.core.models import AuditLog
from tongxin.members.models import Member, MemberStatus, OrgRelationChange, RelationChangeKind
from tongxin.members.services import member_create, member_reveal_pii, member_update

VALID = idnumber.make("330203", dt.date(1985, 3, 7), 123)


def tomorrow(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=1)


def attempt(world, **over):
    return member_create(
        actor=world["bob"], data=factories.member_input(world["branch_a1"], **over)
    )


def make_id(first17: str) -> str:
    return first17 + idnumber.check_digit(first17)


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("33020319850307123", "身份证号码应为18位，当前为17位"),
        (make_id("99020319850307123"), "地区码“990203”不存在"),
        (make_id("33020319990231123"), "出生日期“19990231”不是有效日期"),
        (VALID[:17] + ("0" if VALID[17] != "0" else "1"), "校验位不正确"),
    ],
)
def test_an_invalid_id_number_is_a_field_error(world, number, fragment):
    with refused("id_number", contains=fragment):
        attempt(world, id_number=number)


def test_a_duplicate_id_number_does_not_say_where_the_other_record_is(world):
    # 赵刚 is in street B: bob must not learn that from the refusal.
    other = world["m_b1"]
    with refused("id_number", contains="不能重复登记", audited="members.duplicate_refused") as exc:
        attempt(world, id_number=other.reveal_id_number())
    said = exc.value.message + json.dumps(exc.value.fields, ensure_ascii=False)
    for secret in ("孝闻社区党支部", "鼓楼街道", "赵刚"):
        assert secret not in said


def test_a_duplicate_typed_in_full_width_is_still_a_duplicate(world):
    number = world["m_a2"].reveal_id_number()
    full_width = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    with refused("id_number", contains="不能重复登记", audited="members.duplicate_refused"):
        attempt(world, id_number=full_width)


@pytest.mark.parametrize(
    ("over", "field", "fragment"),
    [
        (
            dict(joined_on=dt.date(2012, 7, 1), confirmed_on=dt.date(2011, 7, 1)),
            "confirmed_on",
            "转正日期不能早于入党日期",
        ),
        (
            dict(
                id_number=idnumber.make("330203", dt.date(1995, 3, 1), 7),
                joined_on=dt.date(2013, 2, 28),
                confirmed_on=dt.date(2014, 3, 1),
            ),
            "joined_on",
            "入党时应年满18周岁",
        ),
        (
            dict(
                joined_on=tomorrow,
                confirmed_on=None,
                status=MemberStatus.PROBATIONARY,
            ),
            "joined_on",
            "入党日期不能晚于今天",
        ),
        (
            dict(status=MemberStatus.PROBATIONARY, confirmed_on=dt.date(2011, 7, 1)),
            "confirmed_on",
            "预备党员没有转正日期",
        ),
        (
            dict(status=MemberStatus.FULL, confirmed_on=None),
            "confirmed_on",
            "正式党员请填写转正日期",
        ),
        (dict(confirmed_on=tomorrow), "confirmed_on", "转正日期不能晚于今天"),
        (dict(phone="1381234567"), "phone", "手机号码应为11位"),
        (dict(phone="02788886666"), "phone", "手机号码应为11位"),
        (dict(name="  "), "name", "请填写姓名"),
        (dict(education="phd"), "education", "请选择学历"),
        (dict(status="member"), "status", "请选择党员类别"),
        (dict(is_floating=True, floating_to=""), "floating_to", "流动党员请填写流动去向"),
    ],
)
def test_inconsistent_input_is_a_field_error_and_writes_nothing(world, over, field, fragment):
    # A date given as a function of today is built now, when the test runs.
    data = {key: value(today()) if callable(value) else value for key, value in over.items()}
    with refused(field, contains=fragment):
        attempt(world, **data)


def test_turning_18_on_the_day_of_joining_is_allowed(world):
    number = idnumber.make("330203", dt.date(1995, 3, 1), 9)
    m = attempt(
        world, id_number=number, joined_on=dt.date(2013, 3, 1), confirmed_on=dt.date(2014, 3, 1)
    )
    assert m.birth_date == dt.date(1995, 3, 1)


def test_members_cannot_be_registered_directly_in_a_group(world):
    with refused("org", contains="不能直接编入党小组"):
        member_create(actor=None, data=factories.member_input(world["group_a1"]))


def test_all_field_errors_are_reported_at_once(world):
    with refused() as exc:
        attempt(world, name="", phone="123", id_number="123")
    assert set(exc.value.fields) >= {"name", "phone", "id_number"}
    assert exc.value.message == "请按提示修改后再提交。"


def test_create_stores_pii_encrypted_and_writes_history_and_audit(world):
    number = idnumber.make("330203", dt.date(1988, 5, 17), 42)
    m = attempt(world, name=" 孙丽 ", id_number=number.lower(), phone="+86 139-0000-1234")
    m.refresh_from_db()
    assert m.name == "孙丽"
    assert m.birth_date == dt.date(1988, 5, 17) and m.gender == "F"
    assert m.id_number_masked == number[:4] + "*" * 10 + number[-4:]
    assert m.phone_masked == "139****1234"
    assert number not in m.id_number_enc and "13900001234" not in m.phone_enc
    assert m.reveal_id_number() == number and m.reveal_phone() == "13900001234"
    assert m.org_path == world["branch_a1"].path

    joined = OrgRelationChange.objects.get(member=m)
    assert joined.kind == RelationChangeKind.JOINED
    assert joined.to_org == world["branch_a1"] and joined.to_org_name == "紫金社区第一党支部"
    assert joined.on == m.joined_on

    row = AuditLog.objects.get(action="members.create", object_id=str(m.pk))
    assert row.actor == world["bob"]
    assert number not in json.dumps(row.diff) and "13900001234" not in json.dumps(row.diff)


def test_update_diff_never_holds_a_clear_id_number_or_phone(world):
    m = world["m_a1"]
    old_number, old_phone = m.reveal_id_number(), m.reveal_phone()
    new_number = idnumber.make("330204", dt.date(1979, 11, 30), 77)
    data = factories.member_input(
        world["branch_a1"],
        name="张红",
        id_number=new_number,
        phone="13711112222",
        residence=world["compound_a"],
    )
    member_update(actor=world["bob"], member=m, data=data)
    row = AuditLog.objects.get(action="members.update", object_id=str(m.pk))
    dumped = json.dumps(row.diff, ensure_ascii=False)
    for clear in (old_number, new_number, old_phone, "13711112222"):
        assert clear not in dumped
    assert row.diff["id_number"] == [idnumber.mask(old_number), idnumber.mask(new_number)]
    assert row.diff["phone"][1] == "137****2222"
    m.refresh_from_db()
    assert m.reveal_id_number() == new_number and m.birth_date == dt.date(1979, 11, 30)


def test_update_may_keep_its_own_id_number_but_not_take_anothers(world):
    m = world["m_a1"]
    data = factories.member_input(
        world["branch_a1"], name="张红（更正）", id_number=m.reveal_id_number()
    )
    member_update(actor=None, member=m, data=data)
    assert Member.objects.get(pk=m.pk).name == "张红（更正）"
    taken = dataclasses.replace(data, id_number=world["m_b1"].reveal_id_number())
    with refused("id_number", contains="不能重复登记", audited="members.duplicate_refused"):
        member_update(actor=None, member=Member.objects.get(pk=m.pk), data=taken)


def test_an_org_correction_is_recorded_in_the_history(world):
    m = world["m_a1b"]
    data = factories.member_input(world["branch_a2"], name="李明", id_number=m.reveal_id_number())
    member_update(actor=world["alice"], member=m, data=data)
    m.refresh_from_db()
    assert m.org_path == world["branch_a2"].path
    change = m.relation_history.get(kind=RelationChangeKind.CORRECTED)
    assert (change.from_org_name, change.to_org_name) == (
        "紫金社区第一党支部",
        "紫金社区第二党支部",
    )


@pytest.mark.parametrize(("field", "attr"), [("id_number", "id_number"), ("phone", "phone")])
def test_reveal_returns_the_clear_value_and_is_audited(world, field, attr):
    m = world["m_a1"]
    value = member_reveal_pii(actor=world["bob"], member=m, field_name=field)
    assert value == (m.reveal_id_number() if attr == "id_number" else m.reveal_phone())
    assert "*" not in value
    row = AuditLog.objects.get(action="members.reveal_pii")
    assert (row.actor, row.object_id, row.diff) == (world["bob"], str(m.pk), {"field": field})


def test_reveal_of_another_field_is_refused_and_not_audited(world):
    with refused(contains="只能查看身份证号码或手机号码"):
        member_reveal_pii(actor=world["bob"], member=world["m_a1"], field_name="id_number_enc")


def test_builders_stay_valid_past_the_first_hundred_members(world):
    # Every generated member must be a legal registration, however many a test makes.
    for _ in range(150):
        factories.member(world["branch_a2"])
    assert Member.objects.filter(org=world["branch_a2"]).count() == 151


def test_the_duplicate_check_runs_only_when_everything_else_is_valid(world):
    """Otherwise an invalid form would test any number against the whole city unaudited."""
    other = world["m_b1"]
    with refused("joined_on") as exc:
        attempt(world, id_number=other.reveal_id_number(), joined_on=dt.date(2099, 1, 1))
    assert "id_number" not in exc.value.fields


def test_confirmation_needs_the_full_year_of_probation(world):
    with refused("confirmed_on", contains="预备期为一年"):
        attempt(world, joined_on=dt.date(2015, 7, 1), confirmed_on=dt.date(2016, 6, 30))


def test_education_and_ethnicity_may_stay_blank(world):
    # Not yet registered (a branch's own register often lacks them): blank, never a guess.
    m = attempt(world, ethnicity="", education="")
    m.refresh_from_db()
    assert m.ethnicity == "" and m.education == ""
