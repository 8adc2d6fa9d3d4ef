"""Every write of the rosters app: uploads become import jobs; a job is checked (the preview)
and then committed all or nothing; exports are audited.

The check and the commit may run for minutes, so they are not one transaction around the job:
the job row records progress as it goes, and the commit writes the members in its own single
transaction (a failure anywhere rolls all of them back)."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core.audit import audit
from tongxin.core.dbstats import refresh_statistics
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.scope import Scope, acting_scope, in_scope, require, scope_for_user
from tongxin.orgs.models import Organization
from tongxin.orgs.selectors import org_queryset
from tongxin.rosters import jobs, reading, selectors
from tongxin.rosters.hooks import members_imported
from tongxin.rosters.importer import MemberImport
from tongxin.rosters.models import ImportJob, ImportKind, JobStatus
from tongxin.rosters.org_import import OrgImport
from tongxin.rosters.outcome import Outcome, Rollback

log = logging.getLogger(__name__)

INLINE_BYTES_DEFAULT = 512 * 1024
# The tables an import writes in bulk, whose planner statistics it refreshes afterwards.
MEMBER_TABLES = ("members_member", "members_orgrelationchange")
ORG_TABLES = ("orgs_organization",)


def inline_bytes() -> int:
    """Files up to this size are checked and committed within the request; larger ones by
    the task worker, while the page shows the progress."""
    return int(getattr(settings, "ROSTER_INLINE_BYTES", INLINE_BYTES_DEFAULT))


def _require_manage(scope: Scope, kind: str = ImportKind.MEMBERS) -> None:
    if kind == ImportKind.ORGS:
        if not scope.has("orgs.manage"):
            raise ServiceError(
                gettext("导入党组织名册需要“管理党组织”权限，请联系上级组织部门开通。"),
                code="forbidden",
            )
        return
    if not scope.has("members.manage"):
        raise ServiceError(
            gettext("导入党员名册需要“管理党员”权限，请联系上级组织部门开通。"), code="forbidden"
        )


@transaction.atomic
def job_create(
    *,
    actor: User,
    scope: Scope,
    upload: UploadedFile,
    kind: str = ImportKind.MEMBERS,
    org: Organization | None = None,
) -> ImportJob:
    """Store the file and queue its check. The caller runs the check at once for a small
    file (``job_run``), or the task worker does (``enqueue``). `kind`: a member roster, or
    an organization roster (org_import.py). `org`: for a member roster, the organization
    rows without 所在党组织 go to; it must be one the user manages members in."""
    _require_manage(scope, kind)
    report: dict[str, Any] = {}
    if org is not None and kind == ImportKind.MEMBERS:
        # Checked again here, not only by the caller's selector: nothing is stored for an
        # organization out of reach.
        org = selectors.get_import_target_for(scope, org.pk)
        report["target"] = {"id": org.pk, "name": org.name}
    stored = reading.store(upload)
    try:
        job = ImportJob.objects.create(
            kind=kind,
            created_by=actor,
            file_name=stored.name,
            original_name=stored.original_name,
            file_format=stored.file_format,
            size=stored.size,
            sha256=stored.sha256,
            report=report,
        )
        audit(
            actor=actor,
            action="rosters.upload",
            obj=job,
            diff={
                "file": stored.original_name,
                "size": stored.size,
                "sha256": stored.sha256,
                "kind": kind,
                "org": org.pk if org is not None else None,
            },
        )
    except Exception:
        reading.delete(stored.name)
        raise
    return job


def start(job: ImportJob, step: str) -> None:
    """Run the step now (small file) or hand it to the task queue after the commit."""
    if job.size <= inline_bytes():
        job_run(job_id=job.pk, step=step)
        return
    transaction.on_commit(lambda: _enqueue_or_fail(job.pk, step))


def _enqueue_or_fail(job_id: int, step: str) -> None:
    """Hand the job to the task queue; when the queue does not take it (Redis down under
    TONGXIN_TASK_BACKEND=rq) the job fails at once with a message saying so, never silently."""
    # tasks.py imports this module when a task runs: imported here, not at the top.
    from tongxin.rosters.tasks import run_import_job

    try:
        run_import_job.enqueue(job_id, step)
    except Exception as exc:  # any failure of the queue's client: the job must not wait forever
        log.warning("import job %s not enqueued: %s", job_id, exc)
        job = ImportJob.objects.get(pk=job_id)
        jobs.fail(job, jobs.queue_down_message(), from_status=job.status)


def _check_own_job(scope: Scope, job: ImportJob) -> None:
    """A user acts only on the imports they started (selectors.job_queryset)."""
    require(
        scope.is_superuser or in_scope(selectors.job_queryset(scope), job),
        gettext("导入记录不存在或不是您上传的。"),
    )


@transaction.atomic
def job_commit_request(
    *, actor: User | None, job: ImportJob, scope: Scope | None = None
) -> ImportJob:
    """Accept a checked job for writing; refused unless it passed the check."""
    _check_own_job(acting_scope(actor, scope), job)
    if job.status != JobStatus.READY:
        raise ConflictError(
            gettext("只有检查通过且尚未导入的名册才能导入；请重新上传修改后的文件。"),
            fields={"job": gettext("当前状态不能导入。")},
        )
    claimed = ImportJob.objects.filter(pk=job.pk, status=JobStatus.READY).update(
        status=JobStatus.COMMITTING,
        rows_done=0,
        updated_at=timezone.now(),
        worker="",
        heartbeat_at=None,
    )
    if not claimed:
        raise ConflictError(gettext("这份名册已经在导入中，请勿重复提交。"))
    job.status = JobStatus.COMMITTING
    return job


def job_cancel(*, actor: User | None, job: ImportJob, scope: Scope | None = None) -> ImportJob:
    """The importer decides not to write a checked roster: the job ends and its file goes."""
    _check_own_job(acting_scope(actor, scope), job)
    with transaction.atomic():
        now = timezone.now()
        cancelled = ImportJob.objects.filter(pk=job.pk, status=JobStatus.READY).update(
            status=JobStatus.CANCELLED,
            finished_at=now,
            updated_at=now,
            message=gettext("已取消导入，没有写入任何数据，上传的文件已删除。"),
        )
        if not cancelled:
            raise ConflictError(
                gettext("只有检查通过、尚未导入的名册才能取消；这份名册已在导入或已结束。"),
                fields={"job": gettext("当前状态不能取消。")},
            )
        audit(actor=actor, action="rosters.cancel", obj=job, diff={"file": job.original_name})
    _finish_file(job)
    job.refresh_from_db()
    return job


def _save(job: ImportJob, **values: Any) -> None:
    values["updated_at"] = timezone.now()
    ImportJob.objects.filter(pk=job.pk).update(**values)
    for k, v in values.items():
        setattr(job, k, v)


def _report(out: Outcome) -> dict[str, Any]:
    header = out.header
    return {
        "errors": out.errors,
        "errors_truncated": out.error_rows > 0 and len(out.errors) >= 1000,
        "header_row": header.row if header else None,
        "columns": header.titles if header else {},
        "unused_columns": header.unused[:30] if header else [],
        "warnings": out.warnings,
        "warning_rows": out.warning_rows,
        "target": {"id": out.target[0], "name": out.target[1]} if out.target else None,
        "target_rows": out.target_rows,
    }


def job_run(*, job_id: int, step: str) -> ImportJob | None:
    """The check ("check") or the write ("commit") of a job, for its creator's scope."""
    job = selectors.job_by_id(job_id)
    if job is None:
        return None
    if step == "check":
        _check(job)
    elif step == "commit":
        _commit(job)
    return job


def _finish_file(job: ImportJob) -> None:
    reading.delete(job.file_name)


def _importer(job: ImportJob, scope: Scope) -> MemberImport | OrgImport:
    if job.kind == ImportKind.ORGS:
        # The organizations are written through orgs.services, audited as the job's creator.
        return OrgImport(scope=scope, actor=job.created_by)
    target = job.report.get("target") or {}
    return MemberImport(scope=scope, target_org_id=target.get("id"))


def _check(job: ImportJob) -> None:
    if job.status != JobStatus.QUEUED:
        return
    _save(job, status=JobStatus.CHECKING, worker=jobs.process_tag(), heartbeat_at=timezone.now())
    scope = scope_for_user(job.created_by)
    importer = _importer(job, scope)

    def progress(done: int, total: int) -> None:
        _save(job, rows_done=done, rows_total=max(total - 1, done), heartbeat_at=timezone.now())

    try:
        # The beat also covers opening a large workbook, before the first chunk's progress.
        with jobs.heartbeat(job):
            out = importer.run(
                reading.full_path(job.file_name),
                job.file_format,
                job.original_name,
                commit=False,
                progress=progress,
            )
    except ServiceError as e:
        _save(job, status=JobStatus.FAILED, message=e.message[:500], finished_at=timezone.now())
        _finish_file(job)
        return
    except Exception:
        _save(job, status=JobStatus.FAILED, message=_system_error(), finished_at=timezone.now())
        _finish_file(job)
        raise
    _audit_duplicates(job, out)
    status = JobStatus.INVALID if out.error_rows else JobStatus.READY
    _save(
        job,
        status=status,
        rows_total=out.rows,
        rows_done=out.rows,
        error_rows=out.error_rows,
        to_create=out.created,
        to_update=out.updated,
        unchanged=out.unchanged,
        report=_report(out),
        finished_at=timezone.now() if out.error_rows else None,
    )
    if out.error_rows:
        _finish_file(job)


def _audit_duplicates(job: ImportJob, out: Outcome) -> None:
    """As validate_member does: a number found registered out of the importer's reach is
    filed with that record, so its auditors see it was confirmed to someone."""
    for holder in selectors.member_holders(out.duplicates_out_of_reach[:100]):
        audit(
            actor=job.created_by,
            action="members.duplicate_refused",
            obj=holder,
            diff={"import_job": job.pk},
        )


def _commit(job: ImportJob) -> None:
    if job.status != JobStatus.COMMITTING:
        return
    jobs.claim(job)
    scope = scope_for_user(job.created_by)
    importer = _importer(job, scope)
    out: Outcome | None = None
    try:
        with jobs.heartbeat(job), transaction.atomic():
            out = importer.run(
                reading.full_path(job.file_name), job.file_format, job.original_name, commit=True
            )
            audit(
                actor=job.created_by,
                action=f"rosters.import_{job.kind}",
                obj=job,
                diff={
                    "file": job.original_name,
                    "sha256": job.sha256,
                    "rows": out.rows,
                    "created": out.created,
                    "updated": out.updated,
                    "unchanged": out.unchanged,
                },
            )
            if job.kind == ImportKind.MEMBERS and out.org_paths:
                # what keeps copies of the roster (meetings' stored counts) follows it
                members_imported.send(
                    sender=ImportJob, actor=job.created_by, org_paths=sorted(out.org_paths)
                )
            # Done in the same transaction as the rows: a worker dying after this commit
            # leaves a job that shows done, never one stuck "committing" with its rows in.
            _save(
                job,
                status=JobStatus.DONE,
                rows_total=out.rows,
                rows_done=out.rows,
                error_rows=0,
                to_create=out.created,
                to_update=out.updated,
                unchanged=out.unchanged,
                report=_report(out),
                finished_at=timezone.now(),
            )
    except Rollback:
        out = importer.last_outcome
        assert out is not None
        _audit_duplicates(job, out)
        _save(
            job,
            status=JobStatus.INVALID,
            error_rows=out.error_rows,
            report=_report(out),
            message=gettext(
                "数据在检查之后发生了变化，导入未进行，没有写入任何数据；请按错误提示修改后重新上传。"
            ),
            finished_at=timezone.now(),
        )
        _finish_file(job)
        return
    except ServiceError as e:
        _save(job, status=JobStatus.FAILED, message=e.message[:500], finished_at=timezone.now())
        _finish_file(job)
        return
    except Exception:
        _save(job, status=JobStatus.FAILED, message=_system_error(), finished_at=timezone.now())
        _finish_file(job)
        raise
    _finish_file(job)
    refresh_statistics(
        ORG_TABLES if job.kind == ImportKind.ORGS else MEMBER_TABLES, out.created + out.updated
    )


def _system_error() -> str:
    return gettext("导入时发生系统错误，没有写入任何数据。请稍后重试，或联系系统管理员。")


@transaction.atomic
def export_logged(
    *,
    actor: User | None,
    rows: int,
    revealed: bool,
    filters: dict[str, Any],
    org_path: str = "",
    scope: Scope | None = None,
) -> None:
    """Every export leaves one audit row: who, how many rows, which filters, and whether
    whole ID and phone numbers were written. Filed under an organization the user sees."""
    scope = acting_scope(actor, scope)
    require(
        scope.has("members.view")
        and (not org_path or org_queryset(scope).filter(path=org_path).exists()),
        gettext("您没有导出该党组织党员名册的权限。"),
    )
    audit(
        actor=actor,
        action="rosters.export_members",
        object_type="members.member",
        diff={"rows": rows, "revealed": revealed, "filters": filters},
        org_path=org_path,
    )
