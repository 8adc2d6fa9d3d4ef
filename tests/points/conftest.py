from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.stranger_setup import scope_of
from tongxin.core.scope import Scope
from tongxin.meetings.models import Attendance, AttendanceState, Meeting, MeetingKind, MeetingStatus
from tongxin.points import services
from tongxin.points.models import Rule
from tongxin.points.rules import seed_default_rule_sets
from tongxin.points.selectors import manual_rules_for
from tongxin.volunteering.models import VolunteerHours, VolunteerTeam

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def png(name: str = "表彰.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def not_an_image() -> SimpleUploadedFile:
    return SimpleUploadedFile("表彰.png", b"<html>hi</html>", content_type="image/png")


@pytest.fixture
def rules(world):
    seed_default_rule_sets()
    return world


def held_meeting(
    org, on: dt.date, kind: str = MeetingKind.GENERAL, title: str = "支部党员大会"
) -> Meeting:
    return Meeting.objects.create(
        org=org,
        org_path=org.path,
        branch=org,
        kind=kind,
        title=title,
        status=MeetingStatus.HELD,
        date=on,
        start_time=dt.time(19, 0),
        end_time=dt.time(20, 30),
    )


def attend(
    meeting: Meeting, member, state: str = AttendanceState.PRESENT, reason: str = ""
) -> Attendance:
    return Attendance.objects.create(meeting=meeting, member=member, state=state, reason=reason)


def volunteer(world, member, on: dt.date, minutes: int = 120) -> VolunteerHours:
    team, _ = VolunteerTeam.objects.get_or_create(
        name="紫金社区党员志愿服务队",
        defaults={
            "org": world["comm_a_org"],
            "org_path": world["comm_a_org"].path,
            "area": world["comm_a"],
        },
    )
    return VolunteerHours.objects.create(
        team=team,
        org_path=team.org_path,
        name=member.name,
        member=member,
        member_org_path=member.org_path,
        on=on,
        minutes=minutes,
    )


def collect(start: dt.date, end: dt.date) -> dict[str, int]:
    return services.points_collect(actor=None, scope=Scope.everything(), start=start, end=end)


def manual_rule(member, code: str = "honour") -> Rule:
    return next(r for r in manual_rules_for(member) if r.code == code)


def propose(world, member, by: str = "bob", code: str = "honour", evidence=None, **kw):
    user = world[by]
    return services.award_propose(
        actor=user,
        scope=scope_of(user),
        member=member,
        rule=manual_rule(member, code),
        on=kw.pop("on", timezone.localdate()),
        reason=kw.pop("reason", "获评街道优秀志愿者"),
        evidence=png() if evidence is None else evidence,
        **kw,
    )
