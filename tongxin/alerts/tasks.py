from __future__ import annotations

from django_tasks import task

from tongxin.alerts.services import sweep as run_sweep


@task()
def sweep() -> dict[str, int]:
    """Periodic (registered in alerts.apps): open, resolve and escalate warnings; idempotent."""
    return run_sweep()
