"""Spreadsheets that would take a worker down are refused with a sentence, on both sides of
the 512 KB line (read within the request, or by the task worker), for every import; and what
the limits miss is contained by the reader's own process."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests.helpers import is_chinese
from tests.rosters import bombs, conftest, sheets
from tongxin.core.errors import ServiceError
from tongxin.core.scope import scope_for_user
from tongxin.dues import imports
from tongxin.members.models import Member
from tongxin.rosters import services
from tongxin.rosters.models import JobStatus


@pytest.fixture
def check(django_capture_on_commit_callbacks):
    """Upload and check; a file over the line is read by the task worker (run at once)."""

    def run(user, content, name="名册.xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            job = conftest.check(user, content, name)
        job.refresh_from_db()
        return job

    return run


@pytest.fixture
def check_orgs(django_capture_on_commit_callbacks):
    def run(user, content):
        with django_capture_on_commit_callbacks(execute=True):
            job = conftest.check_orgs(user, content)
        job.refresh_from_db()
        return job

    return run


def rosters_on_disk() -> list[Path]:
    folder = Path(django_settings.UPLOAD_ROOT) / "rosters"
    return sorted(folder.glob("*")) if folder.exists() else []


BOMBS = {
    "sparse": (lambda: bombs.sparse(), "通常是远处有零散的单元格"),
    "sparse, no dimension": (lambda: bombs.sparse(declared=False), "通常是远处有零散的单元格"),
    "whitespace": (lambda: bombs.whitespace(1024 * 1024), "有一段文字或空白超过32767个字符"),
    "huge cell": (lambda: bombs.huge_cell(1024 * 1024), "有一段文字或空白超过32767个字符"),
    "long cell": (lambda: bombs.huge_cell(40_000), "第2行A列的单元格超过32767个字符"),
}


@pytest.mark.parametrize("big", [False, True], ids=["under 512 KB", "over 512 KB"])
@pytest.mark.parametrize("bomb", list(BOMBS))
def test_member_roster_bombs_are_refused_with_a_sentence(check, world, bomb, big):
    make, text = BOMBS[bomb]
    content = bombs.sized(make(), big)
    assert (len(content) > services.inline_bytes()) == big
    before = Member.objects.count()
    job = check(world["alice"], content)
    assert job.status == JobStatus.FAILED
    assert text in job.message and is_chinese(job.message), job.message
    assert Member.objects.count() == before
    assert rosters_on_disk() == []  # the file went with the failed job


@pytest.mark.parametrize("big", [False, True], ids=["under 512 KB", "over 512 KB"])
def test_inflating_past_the_uncompressed_limit_is_refused(check, world, settings, big):
    settings.TONGXIN_SHEET_MAX_UNCOMPRESSED = 2 * 1024 * 1024
    content = bombs.sized(bombs.whitespace(100_000, runs=30), big)  # 3 MB of spaces inside
    job = check(world["alice"], content)
    assert job.status == JobStatus.FAILED
    assert "解压后超过2 MB" in job.message, job.message


def test_too_many_parts_are_refused(check, world, settings):
    settings.TONGXIN_SHEET_MAX_ENTRIES = 5
    job = check(world["alice"], sheets.xlsx([sheets.person()]))
    assert job.status == JobStatus.FAILED and "超过上限5个" in job.message, job.message


def test_a_real_roster_passes_the_limits(check, world):
    job = check(world["alice"], bombs.sized(sheets.xlsx([sheets.person()]), True))
    assert job.status == JobStatus.READY, job.message


def test_what_the_limits_miss_costs_only_the_job(check, world, settings):
    """With the limits set out of the way, the sparse file reaches the reader, which tries
    to allocate its 17 billion cells: the reader's process dies at its address-space limit,
    the job fails with a sentence, and this process (the worker) goes on."""
    settings.TONGXIN_SHEET_MAX_ROWS = 10**9
    settings.TONGXIN_SHEET_MAX_COLUMNS = 10**9
    settings.TONGXIN_SHEET_MAX_CELLS = 10**18
    settings.TONGXIN_SHEET_MAX_MEMORY = 512 * 1024 * 1024
    job = check(world["alice"], bombs.sparse())
    assert job.status == JobStatus.FAILED
    assert "无法在限定的内存内读取" in job.message, job.message
    assert check(world["alice"], sheets.xlsx([sheets.person()])).status == JobStatus.READY


@pytest.mark.parametrize("big", [False, True], ids=["under 512 KB", "over 512 KB"])
def test_organization_roster_bombs_are_refused(check_orgs, world, big):
    job = check_orgs(world["alice"], bombs.sized(bombs.sparse(), big))
    assert job.status == JobStatus.FAILED and "零散的单元格" in job.message, job.message


@pytest.mark.parametrize("bomb", ["sparse", "whitespace", "huge cell"])
def test_dues_bases_bombs_are_refused(world, bomb):
    with pytest.raises(ServiceError) as e:
        imports.dues_import_check(
            scope=scope_for_user(world["alice"]),
            upload=sheets.upload(BOMBS[bomb][0](), "党费基数.xlsx"),
        )
    assert BOMBS[bomb][1] in e.value.message


def test_a_csv_of_one_endless_line_is_refused(check, world):
    content = (",".join(sheets.HEADER) + "\n").encode() + b"x" * (1024 * 1024)
    job = check(world["alice"], content, "名册.csv")
    assert job.status == JobStatus.FAILED and "有一段文字或空白超过" in job.message, job.message


def test_a_csv_with_too_many_columns_is_refused(check, world, settings):
    settings.TONGXIN_SHEET_MAX_COLUMNS = 20
    content = ",".join(["姓名", "身份证号码"] + ["x"] * 30).encode()
    job = check(world["alice"], content, "名册.csv")
    assert job.status == JobStatus.FAILED and "超过上限20列" in job.message, job.message


def test_uploaded_rosters_are_private_to_the_server(world):
    from tongxin.rosters import reading

    stored = reading.store(sheets.upload(sheets.xlsx([sheets.person()])))
    try:
        assert Path(reading.full_path(stored.name)).stat().st_mode & 0o777 == 0o600
    finally:
        reading.delete(stored.name)


def test_a_bomb_through_the_api_is_refused_with_a_sentence(world, client):
    from tests.rosters.test_api import bearer

    r = client.post(
        "/api/v1/rosters/imports",
        {"file": sheets.upload(bombs.sparse())},
        **bearer(world["alice"]),
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["status"] == "failed" and "零散的单元格" in body["message"], body


def test_a_bomb_on_the_dues_page_is_refused_with_a_sentence(world, client_for):
    from django.urls import reverse

    r = client_for(world["alice"]).post(
        reverse("dues:import"), {"file": sheets.upload(bombs.sparse(), "党费基数.xlsx")}
    )
    assert r.status_code == 200
    assert "零散的单元格" in r.content.decode()


def test_the_sheet_scan_counts_cells_that_do_not_name_themselves():
    from tongxin.rosters import reading, sheet_read

    scan = sheet_read._SheetScan(reading.sheet_limits())
    scan.feed(b'<row r="1"><c t="s"><v>0</v></c><c r="B1"><v>1</v></c></row>')
    with pytest.raises(sheet_read.Refused) as e:
        scan.feed(b'<x:row r="1100000"><x:c t="n"><x:v>1</x:v></x:c></x:row>')
    assert e.value.code == "rows"


def test_the_sheet_scan_ignores_far_cells_that_hold_nothing():
    """A style on an empty cell far away (<c r="XFD1048576" s="1"/>) holds no value: the
    reader does not stretch its rectangle to it, so neither do the limits."""
    from tongxin.rosters import reading, sheet_read

    scan = sheet_read._SheetScan(reading.sheet_limits())
    scan.feed(b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="XFD1048576" s="1"/></row>')
    scan.finish()
    assert (scan.max_row, scan.max_col) == (1, 1)
