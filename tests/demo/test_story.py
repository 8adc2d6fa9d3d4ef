"""The demo tells one story: on a freshly loaded demo town, the demo users walk every
cross-role journey through the pages, as README's 演示账号 table says. A demo change that
moves a user out of the story (another street, another grid, no branch) breaks a step here.

The case journey is also walked in Chromium (tests/e2e/test_demo_story.py)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tongxin.accounts.models import Resident, User
from tongxin.cases.models import Case
from tongxin.demo.loader import DEMO_PASSWORD
from tongxin.dual_reports.models import DualReport
from tongxin.grids.models import Grid
from tongxin.meetings.models import Meeting
from tongxin.members.models import Member
from tongxin.sharing.models import Listing, Match

pytestmark = pytest.mark.django_db


def as_user(username: str) -> Client:
    """A browser of its own, signed in through the login page with the demo password."""
    c = Client()
    r = c.post(reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 302, f"{username} cannot sign in"
    return c


def page(c: Client, url: str, status: int = 200) -> str:
    r = c.get(url)
    assert r.status_code == status, (url, r.status_code)
    return r.content.decode()


def post(c: Client, url: str, data: dict, follow: bool = True) -> str:
    r = c.post(url, data, follow=follow)
    assert r.status_code == 200, (url, r.status_code)
    return r.content.decode()


@pytest.fixture
def town(demo_town: dict[str, User]) -> dict[str, User]:
    """The freshly loaded demo town (tests/conftest.py), its users by username."""
    return demo_town


def test_the_demo_users_sit_in_one_street_one_grid_one_branch(town):
    jumin = Resident.objects.select_related("home").get(user__username="jumin")
    grid = Grid.objects.get(workers__user__username="wangge")
    assert grid.compounds.filter(pk=jumin.home_id).exists(), "jumin lives in wangge's grid"
    street = town["jiedao"].assignments.get().org
    assert jumin.home.path.startswith(street.area.path), "that grid lies in jiedao's street"
    branch = town["zhibu"].member.org
    assert town["dangyuan"].member.org_id == branch.pk
    assert branch.path.startswith(street.path) and grid.serving_branch_id == branch.pk
    assert town["dangyuan"].member.grid_membership.grid_id == grid.pk
    assert Resident.objects.get(user__username="linju").home_id == jumin.home_id


def test_a_resident_report_walks_to_the_department_and_back(town):
    jumin, wangge, jiedao, bumen = (as_user(u) for u in ("jumin", "wangge", "jiedao", "bumen"))
    home = Resident.objects.get(user__username="jumin").home
    form = page(jumin, reverse("cases:report"))
    sanitation = re.search(r'<option value="(\d+)">环境卫生</option>', form)
    assert sanitation and f'value="{home.pk}"' in form
    post(
        jumin,
        reverse("cases:report"),
        {
            "category": sanitation.group(1),
            "area": home.pk,
            "address": "北门",
            "description": "北门垃圾桶满了三天没人清运，气味很大。",
        },
    )
    case = Case.objects.get(resident__user__username="jumin", description__startswith="北门垃圾桶")

    def step(c: Client, action: str, **data: str) -> None:
        url = reverse("cases:act", args=[case.pk, action])
        assert f'action="{url}"' in page(c, reverse("cases:detail", args=[case.pk])), action
        post(c, url, data)

    find = f"?q={case.tracking_code}"
    assert case.tracking_code in page(wangge, reverse("cases:index") + find + "&inbox=grid")
    step(wangge, "grid_call", note="现场核实，垃圾确实未清运。")
    step(jiedao, "accept")
    step(jiedao, "dispatch", agency=str(case.agency_id))
    assert case.tracking_code in page(bumen, reverse("cases:index") + find + "&inbox=claim")
    step(bumen, "claim")
    step(bumen, "resolve", note="城管三中队派车，费用走环卫合同。", reply="已安排清运车清理完毕。")
    step(jiedao, "verify")
    step(jiedao, "close")
    text = page(jumin, reverse("cases:mine_detail", args=[case.pk]))
    assert "已结案" in text and "已安排清运车清理完毕" in text  # the public reply
    assert "环卫合同" not in text  # never the internal note
    post(jumin, reverse("cases:rate", args=[case.pk]), {"rating": "5"})
    case.refresh_from_db()
    assert (case.state, case.rating, case.agency.code) == ("closed", 5, "chengguan")


def test_the_secretary_plans_a_meeting_the_member_checks_in_and_the_minutes_are_kept(town):
    zhibu, dangyuan = as_user("zhibu"), as_user("dangyuan")
    branch = town["zhibu"].member.org
    post(
        zhibu,
        reverse("meetings:create"),
        {
            "org": branch.pk,
            "kind": "theme_day",
            "title": "主题党日：重温入党誓词",
            "date": timezone.localdate().isoformat(),
            "start_time": "00:00",
            "end_time": "00:30",
            "location": "社区党群服务中心",
        },
    )
    meeting = Meeting.objects.get(org=branch, title="主题党日：重温入党誓词")
    card = page(dangyuan, reverse("meetings:card"))
    token = re.search(r'data-token="([^"]+)"', card)
    assert token, "the member's card shows a check-in QR"
    post(zhibu, reverse("meetings:checkin", args=[meeting.pk]), {"code": token.group(1)})
    member = town["dangyuan"].member
    assert meeting.attendance.filter(member=member, state="present").exists()
    # The minutes: every member of the branch marked (present), as the meeting rules ask.
    record = page(zhibu, reverse("meetings:record", args=[meeting.pk]))
    marks = {f"att_{pk}": "present" for pk in set(re.findall(r'name="att_(\d+)"', record))}
    assert f"att_{member.pk}" in marks and len(marks) >= 8
    post(
        zhibu,
        reverse("meetings:record", args=[meeting.pk]),
        {
            "title": meeting.title,
            "presenter": town["zhibu"].member.name,
            "recorder": member.name,
            "content": "全体党员重温入党誓词。",
            "decisions": "",
            **marks,
        },
    )
    meeting.refresh_from_db()
    assert meeting.status == "held" and meeting.present_count == len(marks)


def test_the_member_files_a_dual_report_the_community_accepts_and_hours_return(town):
    dangyuan, jiedao, zhibu = as_user("dangyuan"), as_user("jiedao"), as_user("zhibu")
    mine = page(dangyuan, reverse("dual_reports:mine"))
    community = re.search(r'<option value="(\d+)" selected>', mine)
    assert community, "the member's residence community is offered"
    post(dangyuan, reverse("dual_reports:mine"), {"community": community.group(1)})
    report = DualReport.objects.get(member=town["dangyuan"].member, status="reported")
    assert report.community.path == Resident.objects.get(user__username="jumin").home.path[:-4]
    post(
        jiedao, reverse("dual_reports:act", args=[report.pk, "accept"]), {"service_post": "楼道长"}
    )
    post(
        jiedao,
        reverse("dual_reports:act", args=[report.pk, "hours"]),
        {
            "served_on": timezone.localdate().isoformat(),
            "hours": "1.5",
            "note": "楼道清理",
        },
    )
    assert "1小时30分" in page(dangyuan, reverse("dual_reports:mine"))
    assert "1小时30分" in page(zhibu, reverse("dual_reports:detail", args=[report.pk]))


def test_a_need_meets_a_neighbours_offer_and_both_confirm(town):
    jumin, linju = as_user("jumin"), as_user("linju")
    offer = Listing.objects.get(resident__user__username="linju", title="家里有电钻可以出借")
    assert offer.title in page(jumin, reverse("sharing:home"))
    post(
        jumin,
        reverse("sharing:create"),
        {
            "direction": "need",
            "kind": "tool",
            "title": "借一把电钻装窗帘",
            "body": "用一个下午就还",
            "visibility": "compound",
        },
    )
    need = Listing.objects.get(resident__user__username="jumin", title="借一把电钻装窗帘")
    propose = reverse("sharing:propose", args=[need.pk, offer.pk])
    assert propose in page(jumin, reverse("sharing:detail", args=[need.pk]))
    post(jumin, propose, {})
    match = Match.objects.get(need=need, offer=offer)
    post(linju, reverse("sharing:match", args=[match.pk]), {"action": "confirm"})
    match.refresh_from_db()
    assert match.status == "confirmed"


SKIP_LINKS = ("/accounts/logout", "/i18n/", "/static/", "/admin/", "/api/")


def links(html: str) -> set[str]:
    return {
        h.replace("&amp;", "&")
        for h in re.findall(r'href="(/[^"#]*)"', html)
        if not h.startswith(SKIP_LINKS) and not h.endswith(".ics")
    }


def test_every_demo_user_lands_where_they_work_and_no_link_leads_nowhere(town):
    """Each demo user's landing page, its top navigation and every link on it open (no 404,
    no 403); members and residents land on their phone home."""
    for username in (
        "zuzhibu",
        "jiedao",
        "zhibu",
        "wangge",
        "shenji",
        "dangyuan",
        "bumen",
        "jumin",
    ):
        c = as_user(username)
        r = c.get("/")
        assert r.status_code == 200, (username, r.status_code)
        home = r.content.decode()
        if username == "dangyuan":
            assert 'data-testid="member-home"' in home and 'data-testid="member-total"' not in home
            assert town["dangyuan"].member.name in home and "tx-tabbar" in home
        elif username == "jumin":
            assert 'data-testid="board"' in home and "tx-tabbar" in home
        else:
            assert "tx-tabbar" not in home, username
        me = page(c, reverse("core:me"))
        if username in ("dangyuan", "jumin"):
            assert "tx-tabbar" in me and "API 令牌" not in me and "尚未关联党员" not in me
        # A member also opens the desktop pages their role allows: their top navigation.
        extra = page(c, reverse("meetings:index")) if username == "dangyuan" else ""
        for url in sorted(links(home) | links(me) | links(extra)):
            got = c.get(url, follow=True)
            assert got.status_code == 200, (username, url, got.status_code)


def test_the_readme_names_the_places_of_the_story():
    """README's 演示账号 table names where the users sit in the default demo (seed 1)."""
    from pathlib import Path

    from tongxin.demo.generator import build_plan
    from tongxin.demo.loader import story_of

    _gen, plan, areas, orgs, holders = build_plan(scale="town", seed=1)
    story = story_of(plan, orgs, holders, areas)
    street = next(a for a in areas if a.id == story.street.fields["area_id"])
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for name in (street.name, story.community.name, story.compound.name, story.branch.name):
        assert name in readme, name


def test_the_demos_dated_data_runs_up_to_the_day_it_is_loaded(town):
    """This month's figures on the 工作台 are not empty: dues for this month, meetings, visits,
    volunteering hours and cases up to the last days (not a fixed date in the past)."""
    from django.db.models import Max

    from tongxin.dues.models import DuesPayment
    from tongxin.meetings.models import MeetingStatus
    from tongxin.visits.models import Visit
    from tongxin.volunteering.models import VolunteerHours

    today = timezone.localdate()
    week = today - dt.timedelta(days=7)
    assert DuesPayment.objects.filter(month=today.replace(day=1)).exists()
    last_meeting = Meeting.objects.filter(status=MeetingStatus.HELD).aggregate(d=Max("date"))["d"]
    assert week <= last_meeting <= today
    assert week <= Visit.objects.aggregate(d=Max("visited_on"))["d"] <= today
    assert week <= VolunteerHours.objects.aggregate(d=Max("on"))["d"] < today
    assert Case.objects.filter(reported_at__gte=timezone.now() - dt.timedelta(days=2)).exists()
    assert max(m.joined_on for m in Member.objects.only("joined_on")) > week - dt.timedelta(days=30)
