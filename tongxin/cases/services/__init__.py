"""Every write to cases: validated, atomic, audited (DESIGN §4.6).

One package, by what the writes are about:

- ``common``: the state machine (``TRANSITIONS``), the limits and checks of a report's texts,
  deadlines, and the writer of a case's timeline events;
- ``reporting``: a case's report (staff, Open311, residents and their map point) and its photos;
- ``workflow``: the steps after the report: transitions, merge, rating, internal notes;
- ``sweep``: the periodic overdue sweep (催办/督办);
- ``configuration``: departments' staff and Open311 api_keys.

Every public name is re-exported here: ``from tongxin.cases import services`` and
``services.case_report(...)`` are how the rest of the project calls them.
"""

from __future__ import annotations

# case_categories is re-exported: visits and other modules pick the categories from here too.
from tongxin.cases.selectors import case_categories
from tongxin.cases.services.common import (
    ACTION_LABELS,
    CONTROL_CHARS,
    HTML_TAG,
    MAX_DESCRIPTION,
    MAX_PHOTO_BYTES,
    MAX_PHOTOS,
    MAX_REPLY,
    MERGEABLE_STATES,
    NOTE_REQUIRED,
    REJECT_ON_SPOT,
    REPORT_LEVELS,
    TRANSITIONS,
    deadline_for,
    validate_description,
    validate_reply,
)
from tongxin.cases.services.configuration import agency_member_add, api_key_issue, api_key_revoke
from tongxin.cases.services.reporting import (
    MAX_POINT_KM,
    case_add_photos,
    case_report,
    case_report_resident,
    place_for_point,
)
from tongxin.cases.services.sweep import sweep_overdue, sweep_statements
from tongxin.cases.services.workflow import (
    case_merge,
    case_note,
    case_rate,
    case_transition,
)

__all__ = [
    "ACTION_LABELS",
    "CONTROL_CHARS",
    "HTML_TAG",
    "MAX_DESCRIPTION",
    "MAX_PHOTOS",
    "MAX_PHOTO_BYTES",
    "MAX_POINT_KM",
    "MAX_REPLY",
    "MERGEABLE_STATES",
    "NOTE_REQUIRED",
    "REJECT_ON_SPOT",
    "REPORT_LEVELS",
    "TRANSITIONS",
    "agency_member_add",
    "api_key_issue",
    "api_key_revoke",
    "case_add_photos",
    "case_categories",
    "case_merge",
    "case_note",
    "case_rate",
    "case_report",
    "case_report_resident",
    "case_transition",
    "deadline_for",
    "place_for_point",
    "sweep_overdue",
    "sweep_statements",
    "validate_description",
    "validate_reply",
]
