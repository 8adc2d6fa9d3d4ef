"""Importing an organization roster (党组织名册): parents named by name, in the system or in
the file (before or after), the organization rules of orgs.services per row, and a refused
import that writes nothing."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.utils import timezone

from tests import factories
from tests.helpers import is_chinese
from tests.rosters import sheets
from tests.rosters.conftest import check_orgs as check
from tests.rosters.conftest import commit, messages
from tongxin.accounts.models import RoleAssignment
from tongxin.core.errors import ServiceError
from tongxin.core.models import AuditLog
from tongxin.orgs.models import Establishment, Organization, OrgKind, Sector, Unit
from tongxin.orgs.services import org_update
from tongxin.rosters.models import ImportJob, JobStatus


def db_state() -> tuple[int, int]:
    """Organizations and every audit row but the upload's own."""
    return (Organization.objects.count(), AuditLog.objects.exclude(action="rosters.upload").count())


def by_row(job: ImportJob) -> dict[int, dict[str, str]]:
    out: dict[int, dict[str, str]] = {}
    for e in job.report.get("errors", []):
        out.setdefault(e["row"], {})[e["field"]] = e["message"]
    return out


def child(parent: Organization, name: str) -> Organization:
    return Organization.objects.get(path__startswith=parent.path, depth=parent.depth + 1, name=name)


def tree_is_sound() -> None:
    problems = Organization.objects.find_problems()
    assert all(not p for p in problems), problems


# ---- the happy path --------------------------------------------------------------------------


def test_children_before_their_parents_in_the_file_are_created_parents_first(world):
    alice = world["alice"]
    rows = [
        sheets.org("第三党支部第一党小组", "紫金社区第三党支部", "党小组"),
        sheets.org(
            "紫金社区第三党支部",
            "紫金社区党委",
            "党支部",
            建制类型="功能性",
            成立日期="2021年7月1日",
        ),
        sheets.org(
            "南门街道机关党总支",
            "南门街道党工委",
            "党总支",
            所属领域="机关事业单位",
            所在区域="南门街道",
        ),
        sheets.org("机关第一党支部", "南门街道机关党总支", "支部"),
    ]
    before = db_state()
    job = check(alice, sheets.org_xlsx(rows))
    assert job.status == JobStatus.READY, job.report
    assert (job.rows_total, job.to_create, job.to_update, job.error_rows) == (4, 4, 0, 0)
    assert db_state() == before, "the check writes nothing"

    job = commit(alice, job)
    assert job.status == JobStatus.DONE, (job.message, job.report)
    third = child(world["comm_a_org"], "紫金社区第三党支部")
    assert third.kind == OrgKind.BRANCH and third.establishment == Establishment.FUNCTIONAL
    assert third.founded_on == dt.date(2021, 7, 1)
    assert third.sector == Sector.COMMUNITY and third.area == world["comm_a"], "as the parent"
    group = child(third, "第三党支部第一党小组")
    assert group.kind == OrgKind.GROUP and group.establishment == Establishment.FORMAL
    office = child(world["street_a"], "南门街道机关党总支")
    assert office.kind == OrgKind.GENERAL_BRANCH and office.sector == Sector.PUBLIC_INSTITUTION
    assert office.area == world["street_a_area"]
    assert child(office, "机关第一党支部").sector == Sector.PUBLIC_INSTITUTION
    tree_is_sound()
    # Each organization audited as if made on its page, the import once, the upload once.
    created = AuditLog.objects.filter(action="orgs.create", actor=alice)
    assert created.count() == 4 and {a.org_path for a in created} >= {third.path, group.path}
    log = AuditLog.objects.get(action="rosters.import_orgs")
    assert log.actor == alice and log.diff["created"] == 4
    assert AuditLog.objects.filter(action="rosters.upload", diff__kind="orgs").count() == 1


def test_reimport_updates_instead_of_duplicating(world):
    alice = world["alice"]
    rows = [
        sheets.org("紫金社区第三党支部", "紫金社区党委"),
        sheets.org("紫金社区第二党支部", "紫金社区党委", 成立日期="2015-06-01"),
    ]
    job = commit(alice, check(alice, sheets.org_xlsx(rows)))
    assert (job.status, job.to_create, job.to_update) == (JobStatus.DONE, 1, 1), job.report
    a2 = world["branch_a2"]
    a2.refresh_from_db()
    assert a2.founded_on == dt.date(2015, 6, 1)
    n = Organization.objects.count()

    rows[0]["建制类型"] = "功能性"
    job = check(alice, sheets.org_xlsx(rows))
    assert (job.to_create, job.to_update, job.unchanged) == (0, 1, 1), job.report
    commit(alice, job)
    assert Organization.objects.count() == n
    assert child(world["comm_a_org"], "紫金社区第三党支部").establishment == "functional"
    update = AuditLog.objects.filter(action="orgs.update").latest("id")
    assert update.diff == {"establishment": ["formal", "functional"]}
    # The same file again changes nothing.
    job = check(alice, sheets.org_xlsx(rows))
    assert (job.to_create, job.to_update, job.unchanged) == (0, 0, 2)


def test_an_empty_cell_keeps_what_is_stored(world):
    alice = world["alice"]
    org_update(
        actor=None,
        org=world["branch_a2"],
        founded_on=dt.date(2001, 1, 1),
        establishment=Establishment.FUNCTIONAL,
    )
    job = check(alice, sheets.org_xlsx([sheets.org("紫金社区第二党支部", "紫金社区党委")]))
    assert (job.to_update, job.unchanged) == (0, 1), job.report


def test_messy_cells_and_header_variants(world):
    alice = world["alice"]
    header = [
        "党组织名称（全称）",
        "隶属党组织",
        "组织类型",
        "建制",
        "领域",
        "所在社区",
        "成立时间",
    ]
    rows = [
        {
            "党组织名称（全称）": " 紫金社区 第三党支部 ",
            "隶属党组织": "紫金社区党委",
            "组织类型": "联合党支部",
            "建制": "功能型",
            "领域": "城市社区",
            "所在社区": "紫金花园",
            "成立时间": "２０２１－０７－０１",
        },
        {
            "党组织名称（全称）": "第三党支部第一党小组",
            "隶属党组织": "紫金社区 第三党支部",
            "组织类型": "小组",
            "成立时间": 44378,
        },
    ]
    job = commit(alice, check(alice, sheets.xlsx(rows, header)))
    assert job.status == JobStatus.DONE, job.report
    third = child(world["comm_a_org"], "紫金社区第三党支部")
    assert third.is_joint and third.establishment == Establishment.FUNCTIONAL
    assert third.area == world["compound_a"] and third.founded_on == dt.date(2021, 7, 1)
    group = child(third, "第三党支部第一党小组")
    assert group.kind == OrgKind.GROUP and group.founded_on == dt.date(2021, 7, 1)
    assert group.area == world["compound_a"], "the parent's area"


def test_a_name_repeated_in_reach_is_written_as_parent_slash_name(world):
    alice = world["alice"]
    second = factories.org("第一党支部", OrgKind.BRANCH, world["comm_a_org"])
    factories.org("第一党支部", OrgKind.BRANCH, world["street_a"])
    job = check(alice, sheets.org_xlsx([sheets.org("第一党小组", "第一党支部", "党小组")]))
    assert job.status == JobStatus.INVALID
    [msg] = messages(job, "parent")
    assert (
        "有2个" in msg and "紫金社区党委/第一党支部" not in msg and "上级组织名称/第一党支部" in msg
    )
    job = commit(
        alice,
        check(
            alice, sheets.org_xlsx([sheets.org("第一党小组", "紫金社区党委/第一党支部", "党小组")])
        ),
    )
    assert job.status == JobStatus.DONE, job.report
    assert child(second, "第一党小组").kind == OrgKind.GROUP


def test_a_new_row_and_an_existing_org_of_one_name_need_the_parent(world):
    """The file adds a 第一党支部 under the street while 紫金社区党委 has one too: a row
    under "第一党支部" is ambiguous; "南门街道党工委/第一党支部" names the new one."""
    alice = world["alice"]
    factories.org("第一党支部", OrgKind.BRANCH, world["comm_a_org"])
    rows = [
        sheets.org("第一党支部", "南门街道党工委"),
        sheets.org("第一党小组", "第一党支部", "党小组"),
    ]
    job = check(alice, sheets.org_xlsx(rows))
    assert "有2个" in by_row(job)[3]["parent"]
    rows[1]["上级党组织"] = "南门街道党工委/第一党支部"
    job = commit(alice, check(alice, sheets.org_xlsx(rows)))
    assert job.status == JobStatus.DONE, job.report
    new = child(world["street_a"], "第一党支部")
    assert child(new, "第一党小组")


def test_names_above_the_users_reach_in_a_parent_path_are_no_obstacle(world):
    """alice manages street A, not the city above it: a parent written from the city down
    still finds 紫金社区党委 (the city's name is neither confirmed nor denied)."""
    alice = world["alice"]
    rows = [sheets.org("紫金社区第三党支部", "中共宁波市委/南门街道党工委/紫金社区党委")]
    job = commit(alice, check(alice, sheets.org_xlsx(rows)))
    assert job.status == JobStatus.DONE, job.report
    assert child(world["comm_a_org"], "紫金社区第三党支部")


# ---- bad rows: each is reported on its row and nothing is written ----------------------------


def test_unknown_parent_and_parent_out_of_reach(world):
    alice = world["alice"]
    rows = [
        sheets.org("幸福党支部", "幸福社区党委"),
        sheets.org("孝闻社区党小组", "孝闻社区党支部", "党小组"),
    ]
    before = db_state()
    job = check(alice, sheets.org_xlsx(rows))
    assert job.status == JobStatus.INVALID and job.error_rows == 2
    errors = by_row(job)
    assert "找不到“幸福社区党委”" in errors[2]["parent"] and is_chinese(errors[2]["parent"])
    # Street B's branch exists, but alice does not manage it: the same words, nothing more.
    assert "找不到“孝闻社区党支部”" in errors[3]["parent"]
    assert db_state() == before


def test_kinds_not_allowed_under_their_parent(world):
    alice = world["alice"]
    rows = [
        sheets.org("小组下的小组", "紫金社区第一党小组", "党小组"),
        sheets.org("支部下的总支", "紫金社区第一党支部", "党总支"),
        sheets.org("新党小组", "紫金社区第二党支部", "党小组"),
        sheets.org("新党小组下的支部", "新党小组", "党支部"),
        sheets.org("紫金社区党委", "南门街道党工委", "党支部"),  # it has branches below
    ]
    before = db_state()
    job = check(alice, sheets.org_xlsx(rows))
    errors = by_row(job)
    assert errors[2]["kind"] == "党小组只能设在党支部之下，不能设在党小组之下。"
    assert "党总支应设在党委或党工委之下" in errors[3]["kind"]
    assert 4 not in errors
    assert "党支部应设在党委、党工委或党总支之下，不能设在党小组之下" in errors[5]["kind"]
    assert errors[6]["kind"] == "该组织下设有党支部，不能改为党支部。"
    assert job.error_rows == 4 and db_state() == before


def test_duplicate_names_under_one_parent_in_the_file(world):
    alice = world["alice"]
    rows = [
        sheets.org("紫金社区第三党支部", "紫金社区党委"),
        sheets.org("紫金社区第四党支部", "紫金社区党委"),
        sheets.org("紫金社区第三党支部", "南门街道党工委/紫金社区党委"),
        sheets.org("紫金社区第二党支部", "紫金社区党委"),
        sheets.org("紫金社区第二党支部", "紫金社区党委", 建制类型="功能性"),
    ]
    job = check(alice, sheets.org_xlsx(rows))
    errors = by_row(job)
    assert set(errors) == {4, 6}
    assert errors[4]["name"].startswith("与第2行重复") and "紫金社区第三党支部" in errors[4]["name"]
    assert errors[6]["name"].startswith("与第5行重复")


def test_a_cycle_is_an_error_on_each_of_its_rows(world):
    alice = world["alice"]
    rows = [
        sheets.org("甲党委", "丙党委", "党委"),
        sheets.org("乙党委", "甲党委", "党委"),
        sheets.org("丙党委", "乙党委", "党委"),
        sheets.org("丁党支部", "甲党委"),
        sheets.org("自己党支部", "自己党支部"),
    ]
    job = check(alice, sheets.org_xlsx(rows))
    errors = by_row(job)
    assert set(errors) == {2, 3, 4, 6}, "the row hanging under the cycle is not one"
    msg = errors[2]["parent"]
    assert "循环" in msg and "第2行“甲党委”" in msg and "第4行“丙党委”" in msg and is_chinese(msg)
    assert errors[3]["parent"] == errors[2]["parent"] or "第3行“乙党委”" in errors[3]["parent"]
    assert "不能是本组织自己" in errors[6]["parent"]


def test_bad_dates_and_unknown_words(world):
    alice = world["alice"]
    tomorrow = timezone.localdate() + dt.timedelta(days=2)
    rows = [
        sheets.org("甲党支部", "紫金社区党委", 成立日期="2021年13月1日"),
        sheets.org("乙党支部", "紫金社区党委", 成立日期=tomorrow.isoformat()),
        sheets.org("丙党支部", "紫金社区党委", "党支部委员会办公室"),
        sheets.org("丁党支部", "紫金社区党委", 建制类型="临时性", 所属领域="学校"),
        sheets.org("", "紫金社区党委"),
        sheets.org("戊党支部", "", ""),
    ]
    job = check(alice, sheets.org_xlsx(rows))
    errors = by_row(job)
    assert "不是有效的日期" in errors[2]["founded_on"]
    assert errors[3]["founded_on"] == "成立日期不能晚于今天。"
    assert "组织类别“党支部委员会办公室”无法识别" in errors[4]["kind"]
    assert "“建制性”或“功能性”" in errors[5]["establishment"] and "学校" in errors[5]["sector"]
    assert errors[6]["name"] == "请填写党组织名称。"
    assert errors[7] == {
        "parent": "请填写上级党组织。",
        "kind": "请填写组织类别（党委、党工委、党总支、党支部或党小组）。",
    }
    assert all(is_chinese(m) for e in errors.values() for m in e.values())


def test_an_area_outside_the_parents_area(world):
    alice = world["alice"]
    rows = [
        sheets.org("甲党支部", "紫金社区党委", 所在区域="孝闻社区"),
        sheets.org("乙党支部", "紫金社区党委", 所在区域="南门街道/紫金社区/紫金花园"),
    ]
    job = check(alice, sheets.org_xlsx(rows))
    errors = by_row(job)
    assert set(errors) == {2} and "在上级党组织所在区域内找不到“孝闻社区”" in errors[2]["area"]


def test_units_by_name_or_credit_code(world):
    alice = world["alice"]
    unit = Unit.objects.create(
        name="紫金物业公司",
        sector=Sector.ENTERPRISE,
        credit_code="91330203MA2H3X7K1W",
        area=world["comm_a"],
    )
    host = factories.org("物业党支部", OrgKind.BRANCH, world["comm_a_org"])
    Organization.objects.filter(pk=host.pk).update(unit=unit)  # a unit in alice's reach
    header = [*sheets.ORG_HEADER, "所在单位"]
    rows = [
        sheets.org("物业第二党支部", "紫金社区党委", 所在单位="紫金物业公司"),
        sheets.org("物业第三党支部", "紫金社区党委", 所在单位="91330203ma2h3x7k1w"),
        sheets.org("外单位党支部", "紫金社区党委", 所在单位="不存在的公司"),
    ]
    job = check(alice, sheets.org_xlsx(rows, header))
    errors = by_row(job)
    assert set(errors) == {4} and "找不到“不存在的公司”" in errors[4]["unit"]
    job = commit(alice, check(alice, sheets.org_xlsx(rows[:2], header)))
    assert job.status == JobStatus.DONE, job.report
    assert child(world["comm_a_org"], "物业第三党支部").unit == unit


def test_one_bad_row_and_nothing_is_written(world):
    alice = world["alice"]
    rows = [sheets.org(f"新党支部{i}", "紫金社区党委") for i in range(50)]
    rows.append(sheets.org("坏党小组", "紫金社区第一党小组", "党小组"))
    before = db_state()
    job = check(alice, sheets.org_xlsx(rows))
    assert job.status == JobStatus.INVALID and job.error_rows == 1
    assert by_row(job)[52]["kind"].startswith("党小组只能设在党支部之下")
    with pytest.raises(ServiceError):
        commit(alice, job)
    assert db_state() == before


def test_the_commit_checks_again_and_writes_nothing_when_the_scope_changed(world):
    """The check passed; before the commit alice lost her street. The commit checks again
    with her scope as it is now, finds the parent out of reach and keeps nothing."""
    alice = world["alice"]
    rows = [
        sheets.org("紫金社区第三党支部", "紫金社区党委"),
        sheets.org("第三党支部第一党小组", "紫金社区第三党支部", "党小组"),
    ]
    job = check(alice, sheets.org_xlsx(rows))
    assert job.status == JobStatus.READY
    RoleAssignment.objects.filter(user=alice).update(org=world["street_b"])
    before = db_state()
    job = commit(alice, job)
    assert job.status == JobStatus.INVALID and "没有写入任何数据" in job.message
    assert db_state() == before
    assert AuditLog.objects.filter(action="rosters.import_orgs").count() == 0


def test_a_commit_refused_by_the_org_services_rolls_everything_back(world, monkeypatch):
    """Should the services refuse a row the check passed, that row is reported and the rows
    written before it are rolled back."""
    from tongxin.orgs import services as org_services

    alice = world["alice"]
    rows = [sheets.org(f"新党支部{i}", "紫金社区党委") for i in range(3)]
    job = check(alice, sheets.org_xlsx(rows))
    real = org_services.org_create

    def refuse_third(**kw):
        if kw["name"] == "新党支部2":
            raise ServiceError("请按提示修改后再提交。", fields={"name": "名称被占用，请改名。"})
        return real(**kw)

    monkeypatch.setattr(org_services, "org_create", refuse_third)
    before = db_state()
    job = commit(alice, job)
    assert job.status == JobStatus.INVALID and by_row(job) == {4: {"name": "名称被占用，请改名。"}}
    assert db_state() == before


# ---- files that are not an organization roster -----------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 200


@pytest.mark.parametrize(
    "content, name",
    [
        (PNG, "党组织.xlsx"),
        (b"PK\x03\x04" + os.urandom(500), "党组织.xlsx"),
        (b"%PDF-1.4 hello", "党组织.pdf"),
    ],
)
def test_not_a_spreadsheet(world, content, name):
    before = db_state()
    try:
        job = check(world["alice"], content, name)
    except ServiceError as e:
        assert "不是可以读取的电子表格" in e.message
        assert ImportJob.objects.count() == 0
    else:
        assert job.status == JobStatus.FAILED and "不是可以读取的电子表格" in job.message
    assert db_state() == before


def test_an_empty_sheet(world):
    job = check(world["alice"], sheets.xlsx([]))
    assert job.status == JobStatus.FAILED and "表格是空的" in job.message


def test_a_header_without_rows(world):
    job = check(world["alice"], sheets.org_xlsx([]))
    assert job.status == JobStatus.FAILED and "只有表头" in job.message


def test_a_wrong_header_row(world):
    job = check(world["alice"], sheets.xlsx([sheets.person()]))  # a member roster
    assert job.status == JobStatus.FAILED and "没有找到表头" in job.message
    assert "“组织名称”和“上级党组织”" in job.message and is_chinese(job.message)


def test_a_header_missing_the_category(world):
    job = check(
        world["alice"],
        sheets.org_xlsx([sheets.org("甲", "紫金社区党委")], ["组织名称", "上级党组织"]),
    )
    assert job.status == JobStatus.FAILED and "“组织类别”" in job.message


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_csv_from_excel_or_wps(world, encoding):
    alice = world["alice"]
    content = sheets.csv_bytes(
        [sheets.org("紫金社区第三党支部", "紫金社区党委")], sheets.ORG_HEADER, encoding=encoding
    )
    job = commit(alice, check(alice, content, "党组织.csv"))
    assert job.status == JobStatus.DONE, (job.message, job.report)
    assert child(world["comm_a_org"], "紫金社区第三党支部")


def test_large_files_go_through_the_task_queue(world, settings, django_capture_on_commit_callbacks):
    settings.ROSTER_INLINE_BYTES = 0
    alice = world["alice"]
    rows = [sheets.org(f"新党支部{i}", "紫金社区党委") for i in range(5)]
    with django_capture_on_commit_callbacks(execute=True) as queued:
        job = check(alice, sheets.org_xlsx(rows))
    assert len(queued) == 1 and job.status == JobStatus.QUEUED
    job.refresh_from_db()
    assert job.status == JobStatus.READY and job.rows_done == 5
    with django_capture_on_commit_callbacks(execute=True):
        job = commit(alice, job)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.to_create == 5
    tree_is_sound()


# ---- who may import --------------------------------------------------------------------------


def test_a_user_without_orgs_manage_cannot_import(world):
    with pytest.raises(ServiceError) as exc:
        check(world["bob"], sheets.org_xlsx([sheets.org("甲", "紫金社区第一党支部", "党小组")]))
    assert "管理党组织" in exc.value.message and ImportJob.objects.count() == 0


def test_a_stranger_whose_scope_does_not_reach_the_parent_gets_row_errors(world):
    dave = factories.user("dave", "street_secretary", org=world["street_b"])
    rows = [
        sheets.org("紫金社区第三党支部", "紫金社区党委"),
        sheets.org("孝闻社区第一党小组", "孝闻社区党支部", "党小组"),
    ]
    before = db_state()
    job = check(dave, sheets.org_xlsx(rows))
    errors = by_row(job)
    assert set(errors) == {2} and "找不到“紫金社区党委”" in errors[2]["parent"]
    assert db_state() == before
