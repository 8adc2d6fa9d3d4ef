from __future__ import annotations

from django_tasks import task

from tongxin.rosters.jobs import sweep
from tongxin.rosters.services import job_run


@task()
def run_import_job(job_id: int, step: str) -> None:
    """Check ("check") or write ("commit") a large roster, for the job's creator."""
    job_run(job_id=job_id, step=step)


@task()
def sweep_import_jobs() -> None:
    """Every minute (manage.py periodic): fail the jobs of workers that died, expire the
    unfinished ones after a day, delete roster files no job holds."""
    sweep()
