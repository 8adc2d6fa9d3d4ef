"""The overdue sweep: 催办 and 督办 of open cases past their deadline, set-based SQL."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tongxin.cases.models import (
    OPEN_STATES,
    Case,
    CaseEvent,
    EventKind,
)
from tongxin.core.audit import audit


def _sweep_where(level: int) -> str:
    """Which open cases a sweep level takes, over the partial index on open cases'
    deadlines. Level 1 (催办): past the deadline. Level 2 (督办): past the deadline by the
    whole allowed time again (deadline + (deadline - reported) < now)."""
    states = ", ".join(f"'{s}'" for s in OPEN_STATES)
    where = f"state IN ({states}) AND deadline_at < %s AND overdue_level = {level - 1}"
    if level == 2:
        if connection.vendor == "postgresql":
            where += " AND deadline_at + (deadline_at - reported_at) < %s"
        else:
            where += " AND julianday(deadline_at) * 2 - julianday(reported_at) < julianday(%s)"
    return where


def sweep_statements(level: int) -> tuple[str, str]:
    """(INSERT events ... SELECT, UPDATE cases) for one level; parameters: see sweep_overdue.
    Both filter the cases table directly (no IN (subquery): PostgreSQL would hash-join it
    against a scan of the whole table)."""
    case_t = Case._meta.db_table
    ev_t = CaseEvent._meta.db_table
    where = _sweep_where(level)
    insert = (
        # (SQL names from model metadata and constants; every value is a parameter)
        f"INSERT INTO {ev_t} (case_id, kind, actor_id, at, from_state, to_state, note, public) "  # noqa: S608
        f"SELECT id, %s, NULL, %s, state, state, %s, %s FROM {case_t} WHERE {where}"
    )
    # (SQL names from model metadata and constants; every value is a parameter)
    update = f"UPDATE {case_t} SET overdue_level = %s, updated_at = %s WHERE {where}"  # noqa: S608
    return insert, update


@transaction.atomic
def sweep_overdue(*, now: dt.datetime | None = None) -> dict[str, int]:
    """催办 every open case past its deadline; 督办 every one overdue by its whole allowed
    time again (the level above then sees it in its overdue inbox). Set-based: per level one
    INSERT ... SELECT of events and one UPDATE, whatever the number of cases."""
    now = now or timezone.now()
    counts: dict[str, int] = {}
    with connection.cursor() as cur:
        # 督办 first: a case crossing both lines since the last sweep is urged now and
        # supervised by the next sweep, so its timeline never skips a step.
        for level, kind, note in (
            (2, EventKind.SUPERVISE, _("超期未办结，已由上级督办。")),
            (1, EventKind.URGE, _("已超过办理时限，系统催办。")),
        ):
            insert, update = sweep_statements(level)
            at = connection.ops.adapt_datetimefield_value(now)
            where_params: list[Any] = [at, at] if level == 2 else [at]
            cur.execute(insert, [kind.value, at, str(note), True, *where_params])
            cur.execute(update, [level, at, *where_params])
            counts[kind.value] = cur.rowcount
    if any(counts.values()):
        audit(
            actor=None,
            action="case.sweep",
            object_type="cases.case",
            diff=counts,
            installation_wide=True,
        )
    return counts
