"""锋领指数: every write. Each takes the acting user and their scope and checks, before writing
anything, that the member (``members.manage``) or organization (``orgs.manage``) is in reach;
the installation-wide jobs (collecting activities, recomputing scores, the default rule sets'
versions) need the whole installation (a system task: ``actor=None``, or a superuser)."""

from tongxin.points.services.awards import (
    award_approve,
    award_claim,
    award_propose,
    award_reject,
    entry_reverse,
)
from tongxin.points.services.jobs import points_collect, points_recompute
from tongxin.points.services.periods import period_close
from tongxin.points.services.review import (
    review_ballot,
    review_decide,
    review_open,
    review_propose,
    review_self_assess,
)
from tongxin.points.services.rule_sets import rule_set_override_create, rule_version_create

__all__ = [
    "award_approve",
    "award_claim",
    "award_propose",
    "award_reject",
    "entry_reverse",
    "period_close",
    "points_collect",
    "points_recompute",
    "review_ballot",
    "review_decide",
    "review_open",
    "review_propose",
    "review_self_assess",
    "rule_set_override_create",
    "rule_version_create",
]
