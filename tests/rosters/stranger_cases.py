"""Stranger cases of tongxin.rosters.services (see tests/stranger.py)."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.stranger import case, not_acting
from tongxin.core.scope import scope_for_user
from tongxin.rosters import services
from tongxin.rosters.models import ImportJob, JobStatus

not_acting("tongxin.rosters.services.inline_bytes", "a setting read: it writes nothing")
not_acting(
    "tongxin.rosters.services.start",
    "runs a step of a job that job_create or job_commit_request accepted (they check the scope)",
)
not_acting(
    "tongxin.rosters.services.job_run",
    "the task worker's step of a job: it acts with the scope of the job's creator",
)


def _alices_job(w: dict[str, Any]) -> ImportJob:
    return ImportJob.objects.create(
        created_by=w["alice"], file_name="x.csv", original_name="名册.csv", status=JobStatus.READY
    )


@case("tongxin.rosters.services.job_create")
def _(w: dict[str, Any]) -> Any:
    upload = SimpleUploadedFile("名册.csv", "姓名,身份证号\n".encode(), "text/csv")
    charlie = w["charlie"]
    services.job_create(
        actor=charlie, scope=scope_for_user(charlie), upload=upload, org=w["branch_a1"]
    )


@case("tongxin.rosters.services.job_commit_request")
def _(w: dict[str, Any]) -> Any:
    job = _alices_job(w)
    yield
    services.job_commit_request(actor=w["charlie"], job=job)


@case("tongxin.rosters.services.job_cancel")
def _(w: dict[str, Any]) -> Any:
    job = _alices_job(w)
    yield
    services.job_cancel(actor=w["charlie"], job=job)


@case("tongxin.rosters.services.export_logged")
def _(w: dict[str, Any]) -> Any:
    services.export_logged(
        actor=w["charlie"], rows=3, revealed=False, filters={}, org_path=w["branch_a1"].path
    )
