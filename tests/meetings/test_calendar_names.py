"""Calendar links say where they go (WCAG 2.4.4): a meeting's link names its date and title,
not only "00:00 主题党日", and each ＋ link names the day it schedules a meeting on."""

from __future__ import annotations

import re

from tests.meetings.conftest import plan
from tongxin.meetings import selectors


def test_calendar_links_name_their_date(world, client_for):
    meeting = plan(world["branch_a1"], title="重温入党誓词")
    today = selectors.local_today()
    page = client_for(world["bob"]).get("/meetings/").content.decode()
    day = f"{today.year}年{today.month}月{today.day}日"
    link = re.search(rf'<a class="tx-ev [^"]*" href="/meetings/{meeting.pk}/"[^>]*>(.*?)</a>', page)
    assert link, "the meeting is in the calendar"
    name = re.sub(r"<[^>]+>", "", link.group(1))
    assert name == f"{day} 00:00 主题党日 重温入党誓词"
    assert f'aria-label="在{day}安排会议"' in page
    assert 'aria-label="在这天安排会议"' not in page


def test_a_stranger_sees_no_meeting_of_branch_a1_in_the_calendar(world, client_for):
    meeting = plan(world["branch_a1"], title="重温入党誓词")
    page = client_for(world["charlie"]).get("/meetings/").content.decode()
    assert f"/meetings/{meeting.pk}/" not in page and "重温入党誓词" not in page
