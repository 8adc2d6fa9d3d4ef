from __future__ import annotations

from django_tasks import task

from tongxin.deliberation.services.voting import close_due_votes as _close


@task()
def close_due_votes() -> int:
    """Periodic (registered in deliberation.apps): votes past their deadline are counted, so a
    vote closes on time without anyone pressing a button; idempotent."""
    return _close()
