from __future__ import annotations

from django_tasks import task

from tongxin.cases.services import sweep_overdue


@task()
def sweep_overdue_cases() -> dict[str, int]:
    """Periodic (registered in cases.apps): 催办/督办 overdue cases; idempotent."""
    return sweep_overdue()
