"""The rules a 三访 write is checked against before anything is written: a visit's input, the
quotas and places of a leader's assignment, a patrol post's name, place and 巡访员. Pure checks
returning the errors by field; the services raise them and check the user's reach."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext

from tongxin.geo.models import Area
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, Unit
from tongxin.visits import selectors
from tongxin.visits.models import ContactTarget, PatrolPost, VisitKind

PROBLEM_MAX = 1000


def in_area(area: Area, anchor: Area | None) -> bool:
    return anchor is None or area.path.startswith(anchor.path)


@dataclass
class VisitInput:
    kind: str
    visited_on: dt.date
    org: Organization
    area: Area
    people_met: str
    heard: str
    unit: Unit | None = None
    household: str = ""
    target: ContactTarget | None = None
    post: PatrolPost | None = None
    problems: tuple[str, ...] = ()


def validate_visit(data: VisitInput) -> dict[str, str]:
    errors: dict[str, str] = {}
    if data.kind not in VisitKind.values:
        errors["kind"] = gettext("请选择走访类型（领导联系走访、上门家访或党员巡访）。")
    if data.visited_on > timezone.localdate():
        errors["visited_on"] = gettext("走访日期不能晚于今天，请填写实际走访的日期。")
    if not in_area(data.area, data.org.area):
        errors["area"] = gettext("走访地点应在“%(org)s”所在区域内，请重新选择。") % {
            "org": data.org.name
        }
    if not data.people_met.strip():
        errors["people_met"] = gettext("请填写走访对象（见了谁）。")
    if not data.heard.strip():
        errors["heard"] = gettext("请填写所见所闻（听到了什么）。")
    if data.kind == VisitKind.PATROL and data.post is None:
        errors["post"] = gettext("党员巡访请选择所在的巡访服务岗。")
    if data.target is not None and data.target.assignment.org_id != data.org.pk:
        errors["target"] = gettext("联系对象不属于该党组织的三访责任，请重新选择。")
    for text in data.problems:
        if not text.strip():
            errors["problems"] = gettext("问题内容不能为空，请填写群众反映的问题或删去空的一条。")
        elif len(text) > PROBLEM_MAX:
            errors["problems"] = gettext("每条问题不超过1000字，请分条填写。")
    return errors


@dataclass
class HouseholdInput:
    area: Area
    label: str


def _quota_bounds(code: str) -> tuple[int, int | None]:
    rule = selectors.quota_rules()[code]
    return rule.minimum, rule.maximum


def assignment_errors(
    *,
    org: Organization,
    units: list[Unit],
    households: list[HouseholdInput],
    contact_duty: bool,
    home_duty: bool,
) -> dict[str, str]:
    """The 三访 quotas and places, for a new assignment and an edited one alike."""
    errors: dict[str, str] = {}
    if contact_duty:
        lo, hi = _quota_bounds("contact_units")
        n = len({u.pk for u in units})
        if n < lo or (hi is not None and n > hi):
            errors["units"] = gettext(
                "领导干部应联系%(lo)s—%(hi)s个基层单位，当前选择了%(n)s个。"
            ) % {"lo": lo, "hi": hi or lo, "n": n}
        lo, _hi = _quota_bounds("contact_households")
        labels = [h for h in households if h.label.strip()]
        if len(labels) < lo:
            errors["households"] = gettext(
                "联系走访的农户和居民不少于%(lo)s户，当前只有%(n)s户。"
            ) % {"lo": lo, "n": len(labels)}
        for h in labels:
            if h.area is not None and not in_area(h.area, org.area):
                errors["households"] = gettext("联系户应在“%(org)s”所在区域内。") % {
                    "org": org.name
                }
    if not (contact_duty or home_duty):
        errors["contact_duty"] = gettext("请至少选择一项责任（联系走访或上门家访）。")
    return errors


def post_errors(
    *, name: str, org: Organization, area: Area, members: list[Member]
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = gettext("请填写巡访服务岗的名称。")
    if not in_area(area, org.area):
        errors["area"] = gettext("巡访区域应在“%(org)s”所在区域内。") % {"org": org.name}
    if not members:
        errors["members"] = gettext("请至少选择一名巡访员。")
    outside = [m.name for m in members if not m.org_path.startswith(org.path)]
    if outside:
        errors["members"] = gettext("巡访员应是本组织的党员：%(names)s 不是。") % {
            "names": "、".join(outside)
        }
    return errors
