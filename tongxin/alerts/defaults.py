"""The default rules (issue 17): loaded by the first sweep when no rule exists."""

from __future__ import annotations

# (key, check, title, yellow_at, red_at, org kinds, escalate after days, red to parent)
DEFAULT_RULES = [  # fmt: skip (a table reads better one rule per line)
    ("meetings-overdue", "meetings.committee_overdue", "三会一课逾期", 1, 31, ["branch"], 7, False),
    ("dues-arrears", "dues.arrears_months", "党费欠缴", 3, 6, [], 14, True),
    ("term-due", "orgs.term_due", "换届到期", 1, 61, [], 14, False),
    ("grid-no-instructor", "grids.no_instructor", "网格无指导员", 1, 3, [], 14, False),
    ("member-no-grid", "grids.members_without_grid", "党员未入网格", 1, 10, [], 14, False),
    ("case-overdue", "cases.overdue", "事件逾期督办", 1, 5, [], 3, False),
    ("probation-over", "members.probation_over", "预备期满未转正", 1, 3, [], 14, False),
    ("lost-contact", "members.lost_contact", "党员失联", 1, 5, [], 14, False),
    ("no-secretary", "orgs.no_secretary", "党支部无书记", 1, 1, ["branch"], 14, False),
]
