"""The demo town's 初心图谱: sites of the three kinds near their communities, lessons at the
学堂, routes, check-ins, and the story branch's visit booked with its 主题党日 planned."""

from __future__ import annotations

import pytest

from tongxin.meetings.models import MeetingKind, MeetingStatus
from tongxin.redmap.models import CheckIn, GroupVisit, Lesson, RedSite, Route, SiteKind


@pytest.mark.django_db
def test_the_demo_town_has_a_map_of_red_sites(demo_town):
    kinds = {k: RedSite.objects.filter(kind=k).count() for k in SiteKind.values}
    assert kinds[SiteKind.SCHOOL] >= 8 and kinds[SiteKind.BASE] + kinds[SiteKind.CHARTER] >= 16
    assert RedSite.objects.filter(name="张人亚党章学堂").exists()
    site = RedSite.objects.first()
    assert site is not None and site.area.level == "community" and site.area_path == site.area.path
    assert Lesson.objects.count() == 2 * kinds[SiteKind.SCHOOL]
    assert Route.objects.exists() and all(r.stops.count() == 4 for r in Route.objects.all())
    assert CheckIn.objects.count() > 100
    visit = GroupVisit.objects.select_related("meeting").get()
    assert visit.meeting.kind == MeetingKind.THEME_DAY
    assert visit.meeting.status == MeetingStatus.PLANNED
