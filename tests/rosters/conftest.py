from __future__ import annotations

from typing import Any

import pytest

from tests.rosters import sheets
from tongxin.core.scope import scope_for_user
from tongxin.rosters import services
from tongxin.rosters.models import ImportJob, ImportKind


@pytest.fixture(autouse=True)
def _immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def check(user: Any, content: bytes, name: str = "名册.xlsx") -> ImportJob:
    """Upload and check, as the upload page does; the job as stored afterwards."""
    job = services.job_create(
        actor=user, scope=scope_for_user(user), upload=sheets.upload(content, name)
    )
    services.start(job, "check")
    job.refresh_from_db()
    return job


def check_orgs(user: Any, content: bytes, name: str = "党组织名册.xlsx") -> ImportJob:
    """The same for an organization roster (党组织名册)."""
    job = services.job_create(
        actor=user,
        scope=scope_for_user(user),
        kind=ImportKind.ORGS,
        upload=sheets.upload(content, name),
    )
    services.start(job, "check")
    job.refresh_from_db()
    return job


def commit(user: Any, job: ImportJob) -> ImportJob:
    services.job_commit_request(actor=user, job=job)
    services.start(job, "commit")
    job.refresh_from_db()
    return job


def messages(job: ImportJob, field: str | None = None) -> list[str]:
    return [e["message"] for e in job.report.get("errors", []) if field in (None, e["field"])]
