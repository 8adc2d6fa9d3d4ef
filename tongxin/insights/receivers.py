"""Receivers of the hooks sent after bulk work: the rollups follow an import."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def refresh_after_import(sender: Any = None, **kwargs: Any) -> None:
    """``rosters.hooks.members_imported`` is sent inside the import's transaction: the
    recomputation is queued once it commits (a rolled-back import changes no figure)."""
    # Imported here: tasks.py declares a django-tasks task, which reads the TASKS setting.
    from tongxin.insights.tasks import refresh_rollups

    transaction.on_commit(lambda: refresh_rollups.enqueue())
