from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import pytest
from django.core.cache import cache

from tests.helpers import is_chinese
from tests.stranger_setup import scope_of
from tongxin.core.errors import ServiceError
from tongxin.core.models import AuditLog
from tongxin.meetings import selectors, services
from tongxin.meetings.models import Attendance, Guest, Meeting, MeetingAttachment, TokenUse


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


def plan(org, *, kind="theme_day", day=None, start="00:00", end="00:30", title="学习党章"):
    """A meeting of `org`; by default today, at a time already past (it may be recorded held)."""
    return services.meeting_plan(
        scope=scope_of(None),
        actor=None,
        data=services.PlanInput(
            org=org,
            kind=kind,
            title=title,
            date=day or selectors.local_today(),
            start_time=dt.time.fromisoformat(start),
            end_time=dt.time.fromisoformat(end),
            location="党群服务中心",
        ),
    )


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (Meeting, Attendance, Guest, TokenUse, MeetingAttachment, AuditLog)
    )


@contextmanager
def refused(contains: str = "", field: str | None = None):
    """A ServiceError with a Chinese message, and nothing written."""
    before = counts()
    with pytest.raises(ServiceError) as exc:
        yield exc
    err = exc.value
    assert is_chinese(err.message), err.message
    assert contains in err.message or contains in " ".join(err.fields.values()), (
        err.message,
        err.fields,
    )
    if field:
        assert field in err.fields, err.fields
    assert counts() == before, "a refused operation must write nothing"


def all_present(meeting) -> dict[int, tuple[str, str]]:
    """Every member of the branch on the meeting's date marked present (the minutes need a
    mark for each)."""
    return {m.pk: ("present", "") for m in selectors.roster(meeting)}


@pytest.fixture
def meeting(world):
    return plan(world["branch_a1"])
