"""The default rules (issue 17): each loaded by a sweep when no rule of its key exists yet (a
rule edited or switched off stays as it is; a module added later gets its rules on the next
sweep)."""

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
    ("delib-action-overdue", "deliberation.actions_overdue", "议事事项逾期", 1, 5, [], 7, False),
    ("powers-stuck", "powers.instances_stuck", "小微权力运行超时", 1, 3, [], 7, False),
    ("aid-waiting", "aid.applications_waiting", "互助金申请久未审批", 7, 15, [], 7, False),
    ("aid-shortfall", "aid.fund_shortfall", "互助金可用资金不足", 1, 10000, [], 14, False),
    ("points-not-closed", "points.month_not_closed", "积分月度未结账", 5, 15, [], 7, False),
    ("rectify-overdue", "appraisal.rectify_overdue", "述职评议整改逾期", 1, 3, [], 7, False),
]
