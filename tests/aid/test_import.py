"""党员捐助导入 through the rosters' reading path: check (every problem by row and column,
nothing written), then commit (all or nothing)."""

from __future__ import annotations

from typing import Any

import pytest

from tests.aid.helpers import counts
from tests.aid.world import S, aid_world
from tests.helpers import today
from tests.rosters import sheets
from tongxin.aid import imports, selectors
from tongxin.aid.models import Donation
from tongxin.aid.services.imports import donation_import_commit
from tongxin.core.errors import ServiceError

pytestmark = pytest.mark.django_db
HEADER = ["姓名", "身份证号码", "捐助金额（元）", "捐助日期"]


@pytest.fixture
def w():
    return aid_world()


def row(member: Any, **over: Any) -> dict[str, Any]:
    r = {
        "姓名": member.name,
        "身份证号码": member.reveal_id_number(),
        "捐助金额（元）": "200",
        "捐助日期": today().isoformat(),
    }
    r.update(over)
    return r


def check(w, rows) -> imports.Report:
    return imports.donation_import_check(
        scope=S(w["alice"]),
        fund=w["fund"],
        upload=sheets.upload(sheets.xlsx(rows, HEADER), "捐助.xlsx"),
    )


def test_a_clean_file_is_checked_then_written_whole(w):
    report = check(w, [row(w["m_a1"]), row(w["m_a2"], **{"捐助金额（元）": "1,000.50"})])
    assert not report.errors and report.token
    assert Donation.objects.count() == 0  # the check writes nothing
    n = donation_import_commit(
        actor=w["alice"], scope=S(w["alice"]), fund=w["fund"], token=report.token
    )
    assert n == 2
    assert selectors.fund_balance(w["fund"]).income == 120_050
    assert sorted(Donation.objects.values_list("amount_fen", flat=True)) == [20_000, 100_050]


@pytest.mark.parametrize(
    ("over", "column", "contains"),
    [
        ({"捐助金额（元）": "-50"}, "捐助金额（元）", "应大于0元"),
        ({"捐助金额（元）": "5000000"}, "捐助金额（元）", "多输了位数"),
        ({"捐助金额（元）": "两百"}, "捐助金额（元）", "不是有效的金额"),
        ({"捐助日期": "2099-01-01"}, "捐助日期", "不能晚于今天"),
        ({"姓名": "李四"}, "姓名", "不一致"),
    ],
)
def test_a_bad_row_is_named_by_row_and_column_and_nothing_is_written(w, over, column, contains):
    before = counts()
    report = check(w, [row(w["m_a1"]), row(w["m_a2"], **over)])
    assert not report.token
    assert [(e["row"], e["column"]) for e in report.errors] == [(3, column)]
    assert contains in report.errors[0]["message"]
    assert counts() == before


def test_a_member_of_another_organization_is_a_bad_row(w):
    report = check(w, [row(w["m_b1"])])
    assert report.errors[0]["column"] == "身份证号码"
    assert "没有身份证号码" in report.errors[0]["message"]


def test_a_forged_or_foreign_token_writes_nothing(w):
    report = check(w, [row(w["m_a1"])])
    before = counts()
    for actor, token in ((w["alice"], report.token + "x"), (w["bob"], report.token)):
        with pytest.raises(ServiceError):
            donation_import_commit(actor=actor, scope=S(actor), fund=w["fund"], token=token)
    assert counts() == before
