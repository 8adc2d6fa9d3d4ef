"""Everyone lands where they work (issue 13, items 6 and 7): staff on the 工作台 of their
scope, a member on their phone home with their own figures, a resident on their compound's
page; the navigation offers only what the user may open; the 工作台 says which period each
figure covers and leads with the last closed period's 组织生活达标."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from tests import factories
from tests.factories import PASSWORD
from tests.meetings.conftest import plan
from tongxin.accounts.models import Resident
from tongxin.core.scope import scope_for_user
from tongxin.meetings import selectors
from tongxin.meetings.models import ComplianceRule, Meeting, MeetingStatus

pytestmark = pytest.mark.django_db


def html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def hong(world):
    """A member of branch A1 whose account holds only the 党员 role (on their branch)."""
    u = factories.user("hong", "member", org=world["branch_a1"], reach="node")
    u.member = world["m_a1"]
    u.save()
    return u


@pytest.fixture
def rita(world):
    u = factories.user("rita", display_name="居民 丽塔")
    Resident.objects.create(user=u, name="丽塔", home=world["compound_a"])
    return u


def test_a_member_lands_on_their_phone_home_after_login_and_at_root(client, world, hong):
    r = client.post(reverse("accounts:login"), {"username": "hong", "password": PASSWORD})
    assert r.status_code == 302
    home = html(client.get(r["Location"]))
    assert 'data-testid="member-home"' in home and "tx-tabbar" in home
    # Their own figures, never a staff scope's ("党员 0"), and their own name only.
    assert "张红" in home and "紫金社区第一党支部" in home
    assert 'data-testid="member-total"' not in home and "李明" not in home
    assert 'data-testid="my-dues-card"' in home and 'data-testid="my-meetings-card"' in home
    assert r["Location"] == "/" and "党员 0" not in home


def test_a_members_home_counts_their_own_attendance_and_their_branchs_next_meeting(
    client_for, world, hong
):
    from tongxin.meetings.models import Attendance

    today = selectors.local_today()
    held = plan(world["branch_a1"], kind="committee", day=today.replace(month=1, day=1))
    Meeting.objects.filter(pk=held.pk).update(status=MeetingStatus.HELD)
    Attendance.objects.create(meeting=held, member=world["m_a1"], state="present")
    Attendance.objects.create(meeting=held, member=world["m_a1b"], state="absent", reason="出差")
    plan(world["branch_a1"], kind="lecture", day=today + dt.timedelta(days=3), title="下周党课")
    plan(world["branch_b1"], kind="lecture", day=today + dt.timedelta(days=3), title="别的支部")
    home = html(client_for(hong).get("/"))
    assert re.search(r'data-testid="my-attendance">\s*1 / 1 次', home)
    assert "下周党课" in home and "别的支部" not in home


def test_a_resident_gets_their_compound_page_at_root_without_a_redirect(client_for, world, rita):
    r = client_for(rita).get("/")
    page = html(r)
    assert 'data-testid="board"' in page and "紫金花园" in page and "tx-tabbar" in page


def test_a_residents_me_keeps_the_tab_bar_and_offers_only_what_residents_use(
    client_for, world, rita
):
    page = html(client_for(rita).get(reverse("core:me")))
    assert "tx-tabbar" in page and "丽塔" in page and "紫金花园" in page
    assert "API 令牌" not in page and "尚未关联党员" not in page and "我的数据范围" not in page
    assert reverse("accounts:tokens") not in page and reverse("dues:mine") not in page
    assert reverse("cases:mine") in page and reverse("sharing:mine") in page


def test_a_members_me_offers_their_own_pages_and_no_report_tab(client_for, world, hong):
    page = html(client_for(hong).get(reverse("core:me")))
    assert "tx-tabbar" in page and reverse("dues:mine") in page
    assert reverse("accounts:tokens") not in page
    # Not a resident: 报事 would be a 404 for them, so the tab bar does not offer it.
    assert reverse("cases:report") not in page


def test_staff_keep_the_desktop_me_page_and_the_dashboard(client_for, world):
    c = client_for(world["alice"])
    assert "我的数据范围" in html(c.get(reverse("core:me")))
    dashboard = html(c.get("/"))
    assert 'data-testid="member-total"' in dashboard and "tx-tabbar" not in dashboard


def nav_links(page: str) -> list[str]:
    nav = page.split('<nav class="navbar-nav me-auto tx-nav">', 1)[1].split("</nav>", 1)[0]
    return re.findall(r'href="([^"]+)"', nav)


@pytest.mark.parametrize("who", ["alice", "bob", "charlie", "auditor", "hong"])
def test_the_top_navigation_offers_only_pages_the_user_may_open(client_for, world, hong, who):
    user = hong if who == "hong" else world[who]
    c = client_for(user)
    page = html(c.get(reverse("meetings:index")))
    links = nav_links(page)
    assert links, "a signed-in user has a navigation"
    for url in links:
        assert c.get(url, follow=True).status_code == 200, (who, url)
    has_members = scope_for_user(user).has("members.view")
    assert (reverse("members:list") in links) == has_members
    assert ('name="q"' in page) == has_members  # the member search box


def test_the_member_list_stays_closed_to_a_member(client_for, world, hong):
    """Hiding the link is not the guard: a member who types the URL sees no one."""
    page = html(client_for(hong).get(reverse("members:list")))
    assert "李明" not in page


# ---- item 7: the first screen tells the truth ------------------------------------------------

TODAY = dt.date(2026, 12, 7)


def held(org, day):
    m = plan(org, kind="committee", day=day)
    Meeting.objects.filter(pk=m.pk).update(status=MeetingStatus.HELD)


def test_the_headline_is_the_last_closed_periods_rate_with_this_periods_progress(world):
    ComplianceRule.objects.all().delete()
    ComplianceRule.objects.create(kind="committee", period="month", min_count=1)
    # November (closed): A1 and A2 met, B1 did not. December so far: only A1.
    held(world["branch_a1"], dt.date(2026, 11, 10))
    held(world["branch_a2"], dt.date(2026, 11, 20))
    held(world["branch_a1"], dt.date(2026, 12, 3))
    summary = selectors.compliance_summary(scope_for_user(world["auditor"]), today=TODAY)
    assert summary is not None
    total = summary["total"]
    assert (total.previous_pct, total.compliance_pct) == (66.7, 33.3)
    assert summary["periods"] == {"previous": "2026年11月", "current": "2026年12月"}


def test_period_labels_name_each_rules_period_shortest_first():
    labels = selectors.period_labels({"year", "month", "quarter"}, dt.date(2026, 2, 3))
    assert labels["previous"] == "2026年1月、2025年第4季度、2025年"
    assert labels["current"] == "2026年2月、2026年第1季度、2026年"
    assert selectors.period_labels(set(), TODAY) == {"previous": "", "current": ""}


def test_no_branch_in_reach_gives_no_rate_rather_than_zero(world):
    u = factories.user("nobody", "member", org=world["group_a1"], reach="node")
    assert selectors.compliance_summary(scope_for_user(u), today=TODAY) is None


def test_every_dashboard_figure_names_its_period(client_for, world):
    ComplianceRule.objects.all().delete()
    ComplianceRule.objects.create(kind="committee", period="month", min_count=1)
    page = html(client_for(world["alice"]).get("/"))
    today = selectors.local_today()
    prev = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    assert (
        f"{prev.year}年{prev.month}月"
        in page.split('data-testid="compliance-previous-period">')[1][:20]
    )
    assert (
        f"{today.year}年{today.month}月"
        in page.split('data-testid="compliance-current-period">')[1][:30]
    )
    month = f"{today.year}年{today.month}月"
    assert f"{month}已缴党费" in page  # was "12月已缴党费"
    assert 'data-testid="as-of"' in page and f"{today.year}年{today.month}月{today.day}日" in page
    assert "本月" not in page
