"""What a roster check or commit reports (members and organizations alike): the counts, the
errors and warnings by row and column, and the exception that rolls a commit back."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tongxin.rosters.header import Header
from tongxin.rosters.member_columns import BY_FIELD

MAX_REPORTED_ERRORS = 1000


@dataclass
class Outcome:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    error_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    duplicates_out_of_reach: list[int] = field(default_factory=list)
    header: Header | None = None
    # Rows that import but deserve a look (预备期满未转正): shown on the check page, never
    # blocking the import.
    warnings: list[dict[str, Any]] = field(default_factory=list)
    warning_rows: int = 0
    target: tuple[int, str] | None = None  # (id, name) of the organization chosen at upload
    target_rows: int = 0  # rows without 所在党组织 that go to it
    # The paths of the organizations whose members the file creates or changes.
    org_paths: set[str] = field(default_factory=set)

    def add_errors(self, row: int, name: str, errs: dict[str, str], titles: dict[str, str]) -> None:
        self.error_rows += 1
        for f, msg in errs.items():
            if len(self.errors) >= MAX_REPORTED_ERRORS:
                return
            column = titles.get(f) or str(BY_FIELD[f].label if f in BY_FIELD else f)
            self.errors.append(
                {"row": row, "name": name[:50], "field": f, "column": column, "message": str(msg)}
            )

    def add_warning(self, row: int, name: str, f: str, msg: str, titles: dict[str, str]) -> None:
        self.warning_rows += 1
        if len(self.warnings) < MAX_REPORTED_ERRORS:
            column = titles.get(f) or str(BY_FIELD[f].label)
            self.warnings.append(
                {"row": row, "name": name[:50], "field": f, "column": column, "message": msg}
            )


class Rollback(Exception):
    """Raised inside the commit's transaction when a row is wrong: nothing is kept."""
