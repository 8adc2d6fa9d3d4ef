from __future__ import annotations

from django_tasks import task

from tongxin.insights.rollups import rollup_refresh


@task()
def refresh_rollups(months: int = 1) -> dict[str, float]:
    """Periodic (registered in insights.apps) and after bulk work: recompute every rollup for
    today and the current month; idempotent."""
    run = rollup_refresh(months=months)
    return {"rows": run.rows, "seconds": run.seconds}
