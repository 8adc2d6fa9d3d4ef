"""The periodic task of 组织关系转接 (registered in transfers.apps)."""

from __future__ import annotations

from django_tasks import task

from tongxin.transfers.services import transfer_expire_due


@task()
def expire_transfers() -> int:
    """Every hour: close every transfer whose introduction letter expired (idempotent)."""
    return transfer_expire_due()
