"""党费基数导入: check (nothing written, every problem by row and column), commit (all or
nothing, audited), the template, the pages and the API, and strangers."""

from __future__ import annotations

import io
from contextlib import contextmanager
from typing import Any

import pytest
from django.core import signing
from django.urls import reverse
from python_calamine import CalamineWorkbook

from tests import factories
from tests.helpers import is_chinese, texts
from tests.rosters import sheets
from tongxin.core import idnumber
from tongxin.core.errors import ServiceError
from tongxin.core.models import AuditLog
from tongxin.core.scope import Scope, scope_for_user
from tongxin.dues import imports, rules, selectors, services
from tongxin.dues.models import DuesBase, DuesPayment

EVERYTHING = Scope.everything()  # a system task's scope: these tests are not about reach

HEADER = ["姓名", "身份证号码", "起始月份", "人员类别", "月工资收入基数（元）"]


def this_month_cell() -> str:
    """This month as a file gives it, e.g. 2026-11."""
    return f"{rules.this_month():%Y-%m}"


def id_of(member) -> str:
    return member.reveal_id_number()


def row(member=None, **over: Any) -> dict[str, Any]:
    r: dict[str, Any] = {
        "姓名": member.name if member else "某某",
        "起始月份": this_month_cell(),
        "身份证号码": id_of(member) if member else sheets.new_id(),
        "人员类别": "在职",
        "月工资收入基数（元）": "4500",
    }
    r.update(over)
    return r


def xlsx(rows: list[dict[str, Any]], header: list[str] | None = None) -> bytes:
    return sheets.xlsx(rows, header or HEADER)


def check(user, content: bytes, name: str = "党费基数.xlsx") -> imports.Report:
    return imports.dues_import_check(
        scope=scope_for_user(user), upload=sheets.upload(content, name)
    )


def commit(user, report: imports.Report) -> imports.ImportResult:
    return services.dues_import_commit(actor=user, scope=scope_for_user(user), token=report.token)


@contextmanager
def nothing_written():
    before = (
        list(DuesBase.objects.values_list("id", "category", "base_fen")),
        DuesPayment.objects.count(),
        AuditLog.objects.count(),
    )
    yield
    after = (
        list(DuesBase.objects.values_list("id", "category", "base_fen")),
        DuesPayment.objects.count(),
        AuditLog.objects.count(),
    )
    assert before == after, "a check or a refused import must write nothing"


def errors_of(report: imports.Report) -> list[tuple[int, str, str]]:
    return [(e["row"], e["field"], e["message"]) for e in report.errors]


# ---- the happy path ---------------------------------------------------------------------------


def test_check_writes_nothing_then_commit_writes_every_row_and_one_audit_row(world):
    month = rules.this_month()
    bob, a1, b = world["bob"], world["m_a1"], world["m_a1b"]
    content = xlsx(
        [
            row(a1, 月工资收入基数="3,500.00"),
            row(
                b, 人员类别="退休", 起始月份=f"{month.year}年{month.month}月", 月工资收入基数="6000"
            ),
        ],
        header=["姓名", "身份证号码", "起始月份", "人员类别", "月工资收入基数"],
    )
    with nothing_written():
        report = check(bob, content)
    assert errors_of(report) == [] and report.token
    assert (report.rows, report.to_create, report.to_update) == (2, 2, 0)
    plan = {p.name: p for p in report.plan}
    assert (plan["张红"].base_fen, plan["张红"].monthly_due_fen) == (350_000, 3500)  # 1%
    assert (plan["李明"].category, plan["李明"].monthly_due_fen) == ("retired", 6000)

    result = commit(bob, report)
    assert (result.created, result.updated, result.unchanged) == (2, 0, 0)
    assert selectors.current_base(a1).base_fen == 350_000
    assert selectors.current_base(b).category == "retired"
    logged = AuditLog.objects.get(action="members.dues_import")
    assert logged.actor == bob and logged.diff["created"] == 2 and logged.diff["rows"] == 2
    assert logged.diff["file"] == "党费基数.xlsx" and len(logged.diff["sha256"]) == 64
    assert sorted(x[0] for x in logged.diff["bases"]) == sorted([a1.pk, b.pk])
    assert logged.org_path == world["branch_a1"].path  # the deepest org above both

    # the same file again: nothing changes; a new base for one member: one update
    again = check(bob, content)
    assert (again.to_create, again.to_update, again.unchanged) == (0, 0, 2)
    changed = check(bob, xlsx([row(a1, **{"月工资收入基数（元）": "12000"})]))
    assert (changed.to_create, changed.to_update) == (0, 1)
    commit(bob, changed)
    assert selectors.current_base(a1).base_fen == 1_200_000
    assert DuesBase.objects.count() == 2


def test_cells_as_spreadsheets_leave_them(world):
    """Dates typed into month cells, numbers as numbers, currency signs, category words,
    blank bases for the fixed categories, a blank category keeping the registered one."""
    month = rules.this_month()
    alice = world["alice"]
    a1, b, a2 = world["m_a1"], world["m_a1b"], world["m_a2"]
    services.dues_base_set(
        actor=None,
        scope=EVERYTHING,
        member=a2,
        effective_from=rules.add_months(month, -2),
        category="retired",
        base_fen=300_000,
    )
    content = sheets.xlsx(
        [
            ["姓名", "身份证号码", "起始月份", "人员类别", "缴费基数"],
            [a1.name, id_of(a1), month, "低保", ""],  # a date cell, the fixed 0.2 元
            [b.name, id_of(b), int(f"{month:%Y%m}"), "在职党员", 8000],  # 202611, a number cell
            [a2.name, id_of(a2), f"{month:%Y/%m}", "", "￥5,200元"],  # keeps 离退休
        ]
    )
    report = check(alice, content)
    assert errors_of(report) == []
    plan = {p.name: p for p in report.plan}
    assert (plan["张红"].category, plan["张红"].monthly_due_fen) == ("subsistence", 20)
    assert (plan["李明"].base_fen, plan["李明"].monthly_due_fen) == (800_000, 12000)
    assert (plan["王芳"].category, plan["王芳"].monthly_due_fen) == ("retired", 5200)
    assert {p.month for p in report.plan} == {month}


@pytest.mark.parametrize("kind", ["csv-utf8", "csv-gb18030", "ods"])
def test_csv_and_ods(world, kind):
    a1 = world["m_a1"]
    rows = [row(a1)]
    if kind == "ods":
        content, name = sheets.ods(rows, HEADER), "基数.ods"
    else:
        enc = "utf-8-sig" if kind == "csv-utf8" else "gb18030"
        content, name = sheets.csv_bytes(rows, HEADER, encoding=enc), "基数.csv"
    report = check(world["bob"], content, name)
    assert errors_of(report) == [] and report.plan[0].base_fen == 450_000


def test_the_downloaded_template_filled_in_imports(world, client_for):
    c = client_for(world["bob"])
    r = c.get(reverse("dues:import_template"))
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    content = b"".join(r.streaming_content)
    wb = CalamineWorkbook.from_filelike(io.BytesIO(content))
    header = wb.get_sheet_by_index(0).to_python()[0]
    assert header == ["姓名*", "身份证号码*", "起始月份*", "人员类别", "月工资收入基数（元）*"]
    assert "填写说明" in wb.sheet_names
    # the template as a finance person fills it: the header row kept, one member below
    a1 = world["m_a1"]
    filled = sheets.xlsx([[a1.name, id_of(a1), this_month_cell(), "在职", 4000]], header=header)
    report = check(world["bob"], filled)
    assert errors_of(report) == [] and report.plan[0].monthly_due_fen == 4000  # 1%


# ---- bad files: nothing written -------------------------------------------------------------------


@pytest.mark.parametrize(
    "content, name, text",
    [
        (b"\x89PNG\r\n\x1a\n" + b"0" * 100, "photo.xlsx", "不是可以读取的电子表格"),
        (b"%PDF-1.4 hello", "基数.pdf", "不是可以读取的电子表格"),
        (b"", "基数.xlsx", "是空的"),
        (sheets.xlsx([], header=None), "空表.xlsx", "表格是空的"),
        (sheets.xlsx([["党员名单"], ["张红", "4500"]]), "无表头.xlsx", "没有找到表头"),
        # the member roster's header: 姓名 and 身份证号码 but no month, no base
        (
            sheets.xlsx([sheets.person()]),
            "名册.xlsx",
            "表头缺少必填的列：“起始月份”、“月工资收入基数”",
        ),
        (sheets.xlsx([], header=HEADER), "只有表头.xlsx", "只有表头"),
    ],
    ids=["png", "pdf", "empty-file", "empty-sheet", "no-header", "wrong-header", "header-only"],
)
def test_a_bad_file_is_refused_with_a_sentence(world, content, name, text):
    with nothing_written(), pytest.raises(ServiceError) as exc:
        check(world["bob"], content, name)
    assert text in exc.value.message and is_chinese(exc.value.message)
    assert "file" in exc.value.fields


def test_too_many_rows_is_refused(world, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 2)
    a1 = world["m_a1"]
    with nothing_written(), pytest.raises(ServiceError) as exc:
        check(world["bob"], xlsx([row(a1), row(a1), row(a1)]))
    assert "超过2行" in exc.value.message


def test_a_file_over_the_size_limit_is_refused(world, settings):
    settings.ROSTER_MAX_BYTES = 1024 * 1024
    with nothing_written(), pytest.raises(ServiceError) as exc:
        check(world["bob"], b"PK\x03\x04" + b"\x00" * (2 * 1024 * 1024))
    assert "超过1 MB，无法导入" in exc.value.message


# ---- bad rows: every one reported, nothing written ---------------------------------------------


BAD_ROWS = {
    "unknown id": (
        lambda w: row(None, 姓名="陌生人"),
        "id_number",
        "在您管理的党组织中没有身份证号码为",
    ),
    "out of scope": (lambda w: row(w["m_b1"]), "id_number", "在您管理的党组织中没有身份证号码为"),
    "excel number": (
        lambda w: row(w["m_a1"], 身份证号码="3.30203E+17"),
        "id_number",
        "单元格格式设置为“文本”",
    ),
    "check digit": (
        lambda w: row(
            w["m_a1"],
            身份证号码=id_of(w["m_a1"])[:17] + ("1" if id_of(w["m_a1"])[17] != "1" else "2"),
        ),
        "id_number",
        "校验位不正确",
    ),
    "blank id": (lambda w: row(w["m_a1"], 身份证号码=""), "id_number", "请填写身份证号码"),
    "name mismatch": (
        lambda w: row(w["m_a1"], 姓名="李明"),
        "name",
        "身份证号码对应的党员是“张红”",
    ),
    "month 13": (lambda w: row(w["m_a1"], 起始月份="2026-13"), "month", "不是有效的月份"),
    "month text": (lambda w: row(w["m_a1"], 起始月份="下个月"), "month", "不是有效的月份"),
    "month blank": (lambda w: row(w["m_a1"], 起始月份=""), "month", "请填写起始月份"),
    "month decimal": (lambda w: row(w["m_a1"], 起始月份=2026.11), "month", "被当成了小数"),
    "month 2007": (lambda w: row(w["m_a1"], 起始月份="2007-12"), "month", "早于2008年4月"),
    "month far ahead": (
        lambda w: row(w["m_a1"], 起始月份=f"{rules.add_months(rules.this_month(), 13):%Y-%m}"),
        "month",
        "最多只能提前一年",
    ),
    "negative base": (
        lambda w: row(w["m_a1"], **{"月工资收入基数（元）": "-3500"}),
        "base",
        "不能为负数",
    ),
    "absurd base": (
        lambda w: row(w["m_a1"], **{"月工资收入基数（元）": "2000000"}),
        "base",
        "超过每月100万元",
    ),
    "zero base": (lambda w: row(w["m_a1"], **{"月工资收入基数（元）": "0"}), "base", "应大于0"),
    "blank base": (
        lambda w: row(w["m_a1"], **{"月工资收入基数（元）": ""}),
        "base",
        "请填写每月工资收入基数",
    ),
    "text base": (
        lambda w: row(w["m_a1"], **{"月工资收入基数（元）": "四千五"}),
        "base",
        "不是有效的金额",
    ),
    "three decimals": (
        lambda w: row(w["m_a1"], **{"月工资收入基数（元）": "4500.125"}),
        "base",
        "最多两位小数",
    ),
    "category": (
        lambda w: row(w["m_a1"], 人员类别="正式党员"),
        "category",
        "人员类别“正式党员”无法识别",
    ),
    "blank category, no base yet": (
        lambda w: row(w["m_a1"], 人员类别=""),
        "category",
        "请填写人员类别",
    ),
}


@pytest.mark.parametrize("case", list(BAD_ROWS), ids=list(BAD_ROWS))
def test_each_bad_row_is_reported_by_row_and_column(world, case):
    make, field_name, text = BAD_ROWS[case]
    good = row(world["m_a1b"])
    with nothing_written():
        report = check(world["bob"], xlsx([good, make(world)]))
        with pytest.raises(ServiceError):  # no token: nothing to commit
            commit(world["bob"], report)
    assert report.token == "" and report.error_rows == 1
    (number, got_field, message), *_ = errors_of(report)
    assert (number, got_field) == (3, field_name), report.errors
    assert text in message and is_chinese(message), message
    column = next(e["column"] for e in report.errors if e["field"] == field_name)
    assert (
        column
        == {
            "id_number": "身份证号码",
            "name": "姓名",
            "month": "起始月份",
            "base": "月工资收入基数（元）",
            "category": "人员类别",
        }[field_name]
    )


def test_out_of_scope_reads_exactly_like_unknown(world):
    """The importer learns nothing about members outside their reach."""
    stranger, far = row(None), row(world["m_b1"])
    unknown = check(world["bob"], xlsx([stranger])).errors[0]["message"]
    elsewhere = check(world["bob"], xlsx([far])).errors[0]["message"]
    # the same sentence but for the (masked) number the importer typed
    assert unknown.replace(idnumber.mask(stranger["身份证号码"]), "#") == elsewhere.replace(
        idnumber.mask(far["身份证号码"]), "#"
    )
    assert "孝闻" not in elsewhere


def test_duplicate_member_and_month_in_the_file(world):
    a1 = world["m_a1"]
    with nothing_written():
        report = check(
            world["bob"],
            xlsx(
                [
                    row(a1),
                    row(a1, **{"月工资收入基数（元）": "5000"}),
                    row(a1, 起始月份=f"{rules.add_months(rules.this_month(), -1):%Y-%m}"),
                ]
            ),
        )
    # the third row is another month of the same member: fine
    assert errors_of(report) == [
        (3, "month", "与第2行是同一名党员的同一起始月份，请删除重复的行或改正月份。")
    ]
    assert report.token == ""


def test_many_errors_in_one_row_are_all_reported(world):
    report = check(
        world["bob"],
        xlsx([row(world["m_a1"], 起始月份="abc", 姓名="李明", **{"月工资收入基数（元）": "-1"})]),
    )
    assert {e["field"] for e in report.errors} == {"month", "name", "base"}
    assert report.error_rows == 1


# ---- the commit ---------------------------------------------------------------------------------


def test_commit_refuses_a_stale_forged_or_borrowed_token(world, monkeypatch):
    bob, alice = world["bob"], world["alice"]
    report = check(bob, xlsx([row(world["m_a1"])]))
    forged = signing.dumps(
        {
            "u": bob.pk,
            "f": "x",
            "h": "",
            "r": [[2, world["m_b1"].pk, this_month_cell(), "employed", 100]],
        },
        salt="another salt",
        compress=True,
    )
    for user, token in (
        (bob, report.token[:-3] + "abc"),
        (bob, forged),
        (bob, ""),
        (alice, report.token),
    ):
        with nothing_written(), pytest.raises(ServiceError) as exc:
            services.dues_import_commit(actor=user, scope=scope_for_user(user), token=token)
        assert "重新上传文件检查" in exc.value.message
    monkeypatch.setattr(imports, "TOKEN_MAX_AGE", -1)
    with nothing_written(), pytest.raises(ServiceError, match="已过期"):
        commit(bob, report)


def test_commit_rechecks_the_scope_and_writes_nothing_when_a_member_left(world):
    """A member moved out of the importer's reach between check and commit: no row is kept."""
    bob, a1, b = world["bob"], world["m_a1"], world["m_a1b"]
    report = check(bob, xlsx([row(a1), row(b)]))
    assert report.token
    from tongxin.members.models import Member

    Member.objects.filter(pk=b.pk).update(org=world["branch_b1"], org_path=world["branch_b1"].path)
    with nothing_written(), pytest.raises(ServiceError) as exc:
        commit(bob, report)
    assert "第3行的党员在检查之后已不在您的管辖范围内" in exc.value.message


# ---- pages ------------------------------------------------------------------------------------------


def test_pages_check_with_errors_fix_and_confirm(world, client_for):
    c = client_for(world["bob"])
    statement = texts(c.get(reverse("dues:statement")))
    assert reverse("dues:import") in statement and "导入党费基数" in statement
    page = texts(c.get(reverse("dues:import")))
    assert "下载导入模板" in page and "月工资收入基数" in page
    a1, b = world["m_a1"], world["m_a1b"]
    bad = xlsx([row(a1), row(b, **{"月工资收入基数（元）": "-3500"})])
    with nothing_written():
        r = c.post(reverse("dues:import"), {"file": sheets.upload(bad, "基数.xlsx")})
    page = texts(r)
    assert r.status_code == 200 and 'data-testid="error-rows">1<' in page
    assert "第3行" in page and "不能为负数" in page and 'name="token"' not in page
    good = xlsx([row(a1), row(b, **{"月工资收入基数（元）": "3500"})])
    r = c.post(reverse("dues:import"), {"file": sheets.upload(good, "基数.xlsx")})
    page = texts(r)
    assert "全部 2 行检查通过" in page and "确认导入" in page and DuesBase.objects.count() == 0
    token = r.context["report"].token
    r = c.post(reverse("dues:import"), {"token": token}, follow=True)
    assert "新增 2 条" in texts(r) and DuesBase.objects.count() == 2
    # the same token again: the rows are the same, nothing changes
    r = c.post(reverse("dues:import"), {"token": token}, follow=True)
    assert "2 条与已登记的相同" in texts(r) and DuesBase.objects.count() == 2


def test_page_shows_a_bad_file_on_the_form(world, client_for):
    c = client_for(world["bob"])
    png = sheets.upload(b"\x89PNG\r\n\x1a\n" + b"0" * 100, "photo.xlsx")
    r = c.post(reverse("dues:import"), {"file": png})
    assert r.status_code == 200 and "不是可以读取的电子表格" in texts(r)
    r = c.post(reverse("dues:import"), {"token": "nonsense"}, follow=True)
    assert "检查结果已过期或无效" in texts(r) and DuesBase.objects.count() == 0


def test_strangers_cannot_reach_the_import(world, client_for):
    """Without members.manage (the auditor, a plain member) the pages and operations do not
    exist; charlie manages another branch: bob's members are unknown to him."""
    member_user = factories.user("dy", "member", org=world["branch_a1"], member=world["m_a1"])
    content = xlsx([row(world["m_a1"])])
    bob_report = check(world["bob"], content)
    for user in (world["auditor"], member_user):
        c = client_for(user)
        for url in (reverse("dues:import"), reverse("dues:import_template")):
            assert c.get(url).status_code == 404, (user, url)
        with nothing_written():
            assert (
                c.post(reverse("dues:import"), {"file": sheets.upload(content)}).status_code == 404
            )
            assert c.post(reverse("dues:import"), {"token": bob_report.token}).status_code == 404
            r = c.post("/api/v1/dues/bases/import/check", {"file": sheets.upload(content)})
            assert r.status_code == 404
            r = c.post(
                "/api/v1/dues/bases/import/commit",
                {"token": bob_report.token},
                content_type="application/json",
            )
            assert r.status_code == 404
        assert "导入党费基数" not in texts(c.get(reverse("dues:statement")))
    c = client_for(world["charlie"])
    with nothing_written():
        r = c.post(reverse("dues:import"), {"file": sheets.upload(content)})
        # his own file's cells are echoed; nothing about the member registered under bob
        assert "在您管理的党组织中没有" in texts(r) and "紫金社区第一党支部" not in texts(r)
        r = c.post(reverse("dues:import"), {"token": bob_report.token}, follow=True)
        assert "重新上传文件检查" in texts(r)


# ---- API --------------------------------------------------------------------------------------------


def test_api_check_and_commit(world, client_for):
    c = client_for(world["bob"])
    a1 = world["m_a1"]
    bad = xlsx([row(a1, 起始月份="2026-13")])
    with nothing_written():
        r = c.post("/api/v1/dues/bases/import/check", {"file": sheets.upload(bad)})
    body = r.json()
    assert r.status_code == 200 and body["error_rows"] == 1 and body["token"] == ""
    assert body["errors"][0]["row"] == 2 and body["errors"][0]["field"] == "month"
    r = c.post(
        "/api/v1/dues/bases/import/check",
        {"file": sheets.upload(b"not a sheet", "x.csv.exe")},
    )
    assert r.status_code == 400 and "file" in r.json()["fields"]
    r = c.post("/api/v1/dues/bases/import/check", {"file": sheets.upload(xlsx([row(a1)]))})
    body = r.json()
    assert body["to_create"] == 1 and body["plan"][0]["monthly_due_fen"] == 4500
    assert body["plan"][0]["month"] == this_month_cell() and body["plan"][0]["action"] == "create"
    r = c.post(
        "/api/v1/dues/bases/import/commit",
        {"token": "forged"},
        content_type="application/json",
    )
    assert r.status_code == 400 and is_chinese(r.json()["message"])
    r = c.post(
        "/api/v1/dues/bases/import/commit",
        {"token": body["token"]},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["created"] == 1
    assert selectors.current_base(a1).base_fen == 450_000


def test_check_query_count_does_not_grow_with_the_rows(world, django_assert_max_num_queries):
    members = [factories.member(world["branch_a1"]) for _ in range(30)]
    content = xlsx([row(m) for m in members])
    scope = scope_for_user(world["bob"])
    # 1 the members by blind index (within the scope), 2 their bases
    with django_assert_max_num_queries(2):
        report = imports.dues_import_check(scope=scope, upload=sheets.upload(content))
    assert report.to_create == 30 and report.error_rows == 0
