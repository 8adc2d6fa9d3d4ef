"""A roster import that adds members to a branch recounts the stored 应到/实到 of the branch's
held meetings (rosters.hooks.members_imported, connected by meetings' AppConfig)."""

from __future__ import annotations

import pytest

from tests.helpers import texts
from tests.meetings.conftest import plan
from tests.meetings.test_rules import minutes
from tests.rosters import sheets
from tests.rosters.conftest import check, commit
from tongxin.core.models import AuditLog
from tongxin.core.scope import Scope
from tongxin.meetings import services
from tongxin.meetings.models import Meeting
from tongxin.rosters.models import JobStatus


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_a_roster_import_refreshes_the_stored_counts(world, meeting, client_for):
    services.meeting_record(
        scope=Scope.everything(),
        actor=None,
        meeting=meeting,
        data=minutes(
            attendance={world["m_a1"].pk: ("present", ""), world["m_a1b"].pk: ("excused", "")}
        ),
    )
    meeting.refresh_from_db()
    assert (meeting.present_count, meeting.expected_count) == (1, 2)
    other = plan(world["branch_b1"])
    services.meeting_record(
        scope=Scope.everything(),
        actor=None,
        meeting=other,
        data=minutes(attendance={world["m_b1"].pk: ("present", "")}),
    )
    other_counts = Meeting.objects.values_list("present_count", "expected_count").get(pk=other.pk)

    alice = world["alice"]
    rows = [sheets.person(), sheets.person(), sheets.person(org="紫金社区第二党支部")]
    job = commit(alice, check(alice, sheets.xlsx(rows)))
    assert job.status == JobStatus.DONE, job.report

    meeting.refresh_from_db()
    # two of the three joined 紫金社区第一党支部 in 2010: on its roster, unmarked
    assert (meeting.present_count, meeting.expected_count) == (1, 4)
    assert (
        Meeting.objects.values_list("present_count", "expected_count").get(pk=other.pk)
        == other_counts
    ), "a branch the file does not touch keeps its counts"
    log = AuditLog.objects.get(action="meetings.counts_refresh")
    assert log.actor == alice and log.diff == {"meetings": 1}
    assert "1/4" in texts(client_for(world["bob"]).get("/meetings/"))

    # the same file again changes nobody: nothing recounted, no second audit row
    job = commit(alice, check(alice, sheets.xlsx(rows)))
    assert job.status == JobStatus.DONE, job.report
    assert AuditLog.objects.filter(action="meetings.counts_refresh").count() == 1
