"""What meetings does when the apps below it report a change (connected in apps.py)."""

from __future__ import annotations

from tongxin.accounts.models import User
from tongxin.meetings import services


def counts_follow_import(*, actor: User | None, org_paths: list[str], **_signal: object) -> int:
    """Receiver of ``rosters.hooks.members_imported`` (inside the import's transaction): the
    held meetings of the organizations the roster changed recount their stored 应到/实到."""
    return services.meeting_counts_refresh(actor=actor, org_paths=org_paths)
