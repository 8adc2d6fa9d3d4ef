from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tongxin.meetings.models import Meeting, MeetingKind, MeetingStatus

SH = ZoneInfo("Asia/Shanghai")
T0 = dt.datetime(2026, 12, 7, 9, 0, tzinfo=SH)


def hold_committee(org, on: dt.date) -> Meeting:
    """A held 支部委员会 (arranged directly: the meetings app's own tests cover recording)."""
    return Meeting.objects.create(
        org=org,
        org_path=org.path,
        branch=org,
        kind=MeetingKind.COMMITTEE,
        title="支部委员会",
        status=MeetingStatus.HELD,
        date=on,
        start_time=dt.time(19),
        end_time=dt.time(20),
    )


@pytest.fixture
def t0():
    return T0
