"""The import's bulk checks agree with the member service's: the same fields refused with the
same messages, the same ID number parsing, the same encryption and blind index."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random

from tests import factories
from tests.helpers import today
from tongxin.core import idnumber, pii
from tongxin.core.errors import ServiceError
from tongxin.members.services import validate_member
from tongxin.rosters import rules
from tongxin.rosters.member_writing import Sealer


def cases(org, group, day: dt.date):
    base = factories.member_input(org)
    future = day + dt.timedelta(days=3)
    young = idnumber.make("330203", dt.date(day.year - 20, 1, 1), 7)
    return [
        base,
        dataclasses.replace(base, name="  "),
        dataclasses.replace(base, id_number="12345"),
        dataclasses.replace(base, id_number=base.id_number[:17] + "Y"),
        dataclasses.replace(base, id_number="000000" + base.id_number[6:]),
        dataclasses.replace(base, id_number=base.id_number[:6] + "19991340" + base.id_number[14:]),
        dataclasses.replace(base, id_number=base.id_number[:17] + "0"),
        dataclasses.replace(base, phone="12345"),
        dataclasses.replace(base, phone="+86 139-0000-1234"),
        dataclasses.replace(base, ethnicity=" "),
        dataclasses.replace(base, education="kindergarten"),
        dataclasses.replace(base, status="candidate"),
        dataclasses.replace(base, standing="gone"),
        dataclasses.replace(base, joined_on=future),
        dataclasses.replace(base, id_number=young, joined_on=dt.date(day.year - 5, 1, 1)),
        dataclasses.replace(base, confirmed_on=future),
        dataclasses.replace(base, confirmed_on=dt.date(2009, 1, 1)),
        dataclasses.replace(base, confirmed_on=dt.date(2010, 12, 1)),
        dataclasses.replace(base, status="probationary"),
        dataclasses.replace(base, confirmed_on=None),
        dataclasses.replace(base, status="candidate", confirmed_on=None),
        dataclasses.replace(base, org=group),
        dataclasses.replace(base, is_floating=True, floating_to=" "),
        dataclasses.replace(base, name="", education="", status="", phone="1", org=group),
    ]


def test_bulk_rules_agree_with_validate_member(world):
    day = today()
    for data in cases(world["branch_a1"], world["group_a1"], day):
        try:
            validate_member(data)
            expected: dict[str, str] = {}
        except ServiceError as e:
            expected = dict(e.fields)
        got, _info, _phone = rules.member_errors(data, today=day)
        assert got == expected, data


def test_parse_id_agrees_with_idnumber_parse():
    day = today()
    rng = random.Random(5)
    numbers = [factories.id_number() for _ in range(300)]
    mutated = []
    for n in numbers[:200]:
        i = rng.randrange(18)
        mutated.append(n[:i] + rng.choice("0123456789X") + n[i + 1 :])
    odd = [
        "",
        "1" * 18,
        "99" + numbers[0][2:],
        numbers[0][:6] + "20991231" + numbers[0][14:],
        numbers[0][:6] + "18991231" + numbers[0][14:],
        numbers[0].lower(),
        "３３" + numbers[0][2:],
    ]
    for n in numbers + mutated + odd:
        fast = rules.parse_id(n, day)
        try:
            slow: object = idnumber.parse(n, today=day)
        except idnumber.IdNumberError as e:
            assert isinstance(fast, idnumber.IdNumberError) and str(fast) == str(e), n
        else:
            assert fast == slow, n


def test_sealer_writes_what_pii_reads(settings):
    sealer = Sealer()
    for value in ["330203196001010016", "13900001234", "张红"]:
        assert pii.decrypt(sealer.encrypt(value)) == value
        assert sealer.index(value) == pii.blind_index(value)
    assert sealer.encrypt("x") != sealer.encrypt("x"), "a fresh nonce each time"
