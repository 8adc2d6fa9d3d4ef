"""The default 议事平台 kinds and their vote rules (a data migration loads them; each is a row
staff may edit or add to).

- 村民说事 and 墙门月光会 vote one per household. 《村民委员会组织法》第二十二条: a 村民会议
  needs more than half of the adult villagers or the representatives of two thirds of the
  households; its decisions pass with more than half of those present.
- 小区公约 (a compound convention) binds every household: it passes with at least two thirds of
  all households (《民法典》第二百七十八条 asks two thirds for the owners' major decisions).
- The others decide with more than half of those who voted, once a fifth of the place took part.
"""

from __future__ import annotations

from typing import Any

# (name, summary, quorum %, pass %, inclusive, basis, household vote)
DEFAULT_KINDS: list[tuple[str, str, int, int, bool, str, bool]] = [
    ("居民说事厅", "社区居民说事、议事的固定场所", 20, 50, False, "cast", False),
    ("圆桌听证会", "涉及居民切身利益的事项，相关各方圆桌听证", 50, 50, False, "cast", False),
    ("小巷公议会", "街巷、楼道的公共事务由居民共同商议", 20, 50, False, "cast", False),
    ("墙门月光会", "老小区墙门里晚上的议事会，一户一票", 20, 50, False, "cast", True),
    (
        "村民说事",
        "象山村民说事：说事、议事、办事、评事，每月10日、25日说事日",
        67,
        50,
        False,
        "cast",
        True,
    ),
    (
        "小区公约表决",
        "小区公约等约束全体住户的事项，须三分之二以上住户同意",
        67,
        67,
        True,
        "eligible",
        True,
    ),
]


def load(apps: Any, schema_editor: Any) -> None:
    ForumKind = apps.get_model("deliberation", "ForumKind")
    for order, (name, summary, quorum, pass_, inclusive, basis, household) in enumerate(
        DEFAULT_KINDS
    ):
        ForumKind.objects.get_or_create(
            name=name,
            defaults={
                "summary": summary,
                "quorum_percent": quorum,
                "pass_percent": pass_,
                "pass_inclusive": inclusive,
                "pass_basis": basis,
                "household_vote": household,
                "order": order,
            },
        )
