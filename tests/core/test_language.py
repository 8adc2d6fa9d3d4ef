"""Chinese by default, whatever the browser asks for; English when the user chooses it."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from tests import factories
from tests.rosters import sheets
from tongxin.cases.models import Category
from tongxin.core.scope import scope_for_user
from tongxin.dues import imports
from tongxin.geo.models import Area
from tongxin.members.models import Member
from tongxin.orgs.models import Organization


def test_an_english_browser_still_gets_chinese(client):
    body = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "登录" in body and 'lang="zh-hans"' in body


def test_the_switch_sets_english_for_this_user(client):
    r = client.post("/i18n/setlang/", {"language": "en"}, HTTP_REFERER="/accounts/login/")
    assert r.status_code == 302
    body = client.get("/accounts/login/").content.decode()
    assert 'lang="en"' in body and "Sign in" in body


# ---- the English catalogue -------------------------------------------------------------------

PO_FILE = Path(settings.BASE_DIR) / "tongxin" / "locale" / "en" / "LC_MESSAGES" / "django.po"
CJK = re.compile(r"[\u3400-\u9fff]+")


def _po_entries() -> list[tuple[str, list[str], list[str]]]:
    """(msgid, flags, msgstrs) of every live entry of the catalogue, the header left out."""
    entries = []
    for block in PO_FILE.read_text(encoding="utf-8").split("\n\n"):
        lines = [line for line in block.splitlines() if not line.startswith("#~")]
        flags = [f.strip() for line in lines if line.startswith("#,") for f in line[2:].split(",")]
        fields: dict[str, str] = {}
        key = ""
        for line in lines:
            if line.startswith(("msgctxt ", "msgid ", "msgid_plural ", "msgstr")):
                key, _, value = line.partition(" ")
                fields[key] = value[1:-1]
            elif line.startswith('"') and key:
                fields[key] += line[1:-1]
        if fields.get("msgid"):
            strs = [v for k, v in fields.items() if k.startswith("msgstr")]
            entries.append((fields["msgid"], flags, strs))
    return entries


def test_every_string_of_the_catalogue_has_an_english_translation():
    entries = _po_entries()
    assert len(entries) > 2000
    assert [m for m, flags, _ in entries if "fuzzy" in flags] == []
    assert [m for m, _, strs in entries if not strs or not all(strs)] == []
    # and the compiled catalogue holds them: a string added to the .po reaches the pages
    with translation.override("en"):
        assert translation.gettext("待派遣") == "To dispatch"
        assert translation.gettext("党费基数导入模板") == "dues base import template"


# ---- pages in English --------------------------------------------------------------------------


class _Visible(HTMLParser):
    """The text a person reads: element text and the labels of controls, no script or style."""

    def __init__(self) -> None:
        super().__init__()
        self.skip = 0
        self.parts: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.skip += tag in ("script", "style")
        self.parts += [v for k, v in attrs if k in ("placeholder", "aria-label", "title") and v]

    def handle_endtag(self, tag):
        self.skip -= tag in ("script", "style") and self.skip > 0

    def handle_data(self, data):
        if not self.skip and data.strip():
            self.parts.append(data.strip())


def visible(response) -> str:
    p = _Visible()
    p.feed(response.content.decode())
    return " | ".join(p.parts)


def chinese_left(text: str) -> list[str]:
    """The Chinese a page still shows once the people's data is taken out: the names of
    organizations, areas, members and case categories, the brand mark and the language menu."""
    data = [
        *Organization.objects.values_list("name", flat=True),
        *Area.objects.values_list("name", flat=True),
        *Member.objects.values_list("name", flat=True),
        *Category.objects.values_list("name", flat=True),
        "简体中文",
    ]
    for name in sorted(data, key=len, reverse=True):
        text = text.replace(name, "")
    return [run for run in CJK.findall(text) if run != "同"]


@pytest.fixture
def english(world, client):
    """The test client with English chosen, logged in as whoever the test names."""
    world["hong"] = factories.user("hong", "member", org=world["branch_a1"], member=world["m_a1"])
    client.post("/i18n/setlang/", {"language": "en"}, HTTP_REFERER="/")

    def as_user(user):
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return as_user


@pytest.mark.parametrize(
    "who, url, labels",
    [
        (
            "alice",
            "/cases/",
            [
                "Awaiting acceptance",
                "To dispatch",
                "To verify",
                "To close",
                "Tracking code / title",
                "Whistle blown (escalated)",
                "No cases here.",
            ],
        ),
        (
            "alice",
            "/grids/",
            [
                "Coverage check",
                "New grid",
                "Only grids without an instructor",
                "Party-building instructor",
                "Serving Party branch",
            ],
        ),
        (
            "hong",
            "/transfers/mine/",
            [
                "My organizational relation",
                "Apply to transfer organizational relation",
                "Find the receiving Party branch by name",
                "Moving house",
                "Submit application",
                "You have no transfer records yet.",
            ],
        ),
        (
            "alice",
            "/",
            [
                "Dashboard",
                "Coverage check",
                "Transfers waiting for me",
                "Organizational life compliance",
                "Shared neighbourhood",
            ],
        ),
    ],
)
def test_a_page_in_english_shows_no_chinese_but_the_data(world, english, who, url, labels):
    r = english(world[who]).get(url)
    assert r.status_code == 200 and 'lang="en"' in r.content.decode()
    text = visible(r)
    assert [label for label in labels if label not in text] == []
    assert chinese_left(text) == [], text


@pytest.mark.parametrize(
    "url, labels, chinese",
    [
        (
            "/rosters/orgs/",
            [
                "Import Party organization roster",
                "Party organization roster file",
                "Upload and check",
                "Download the import template",
                "Recognised columns",
                "Parent Party organization",
                "My imports",
                "No Party organization rosters imported yet.",
            ],
            ["导入党组织名册", "上传并检查", "可以识别的列", "我的导入记录"],
        ),
        (
            "/dues/import/",
            [
                "Import dues bases",
                "Dues base file",
                "Upload and check",
                "Download the import template",
                "Monthly salary base",
                "Start month",
            ],
            ["导入党费基数", "党费基数文件", "上传并检查", "下载导入模板"],
        ),
    ],
)
def test_an_import_page_in_english(world, english, url, labels, chinese):
    """An import page lists the Chinese column titles it also accepts (people's spreadsheets
    are in Chinese): its own words are English."""
    text = visible(english(world["alice"]).get(url))
    assert [label for label in labels if label not in text] == []
    assert [word for word in chinese if word in text] == []


def test_a_template_downloaded_in_english_is_read_back(world, english):
    """The dues template's headers are English for an English user; the filled-in sheet is
    read by those headers, in whichever language the check runs."""
    r = english(world["bob"]).get(reverse("dues:import_template"))
    assert "dues-base-import-template.xlsx" in r["Content-Disposition"]
    wb = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(r.streaming_content)))
    header = wb.get_sheet_by_index(0).to_python()[0]
    assert header == [
        "Name*",
        "ID number*",
        "Start month*",
        "Category",
        "Monthly salary base (yuan)*",
    ]
    a1 = world["m_a1"]
    filled = sheets.xlsx([[a1.name, a1.reveal_id_number(), "2026-11", "在职", 4000]], header=header)
    report = imports.dues_import_check(
        scope=scope_for_user(world["bob"]), upload=sheets.upload(filled, "dues.xlsx")
    )
    assert report.errors == [] and report.plan[0].monthly_due_fen == 4000  # 1%


def test_the_dashboard_figures_cached_in_one_language_are_not_shown_in_another(world, client):
    """The compliance card keeps its figures for a minute, period names included: a user who
    switches to English right after seeing the page in Chinese gets English period names."""
    client.force_login(world["alice"], backend="django.contrib.auth.backends.ModelBackend")
    assert "季度" in client.get("/").content.decode()  # computed and cached in Chinese
    client.post("/i18n/setlang/", {"language": "en"}, HTTP_REFERER="/")
    text = client.get("/").content.decode()
    assert "季度" not in text
    assert re.search(r"Q[1-4] 20\d\d", text)  # the quarter, named in English
