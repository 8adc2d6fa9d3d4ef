"""Every write to 三访: validated, atomic, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core.audit import audit, saved_user
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.scope import Scope
from tongxin.geo.models import Area
from tongxin.members.models import Member
from tongxin.orgs.models import Organization, Unit
from tongxin.orgs.selectors import units_for_choice
from tongxin.visits import cases_link, rules, selectors
from tongxin.visits.models import (
    ContactAssignment,
    ContactTarget,
    PatrolPost,
    ProblemStatus,
    TargetKind,
    Visit,
    VisitProblem,
)
from tongxin.visits.rules import HouseholdInput, VisitInput

MANAGE = "visits.manage"


def _check_links(
    scope: Scope,
    *,
    org: Organization | None = None,
    area: Area | None = None,
    units: list[Unit] | None = None,
    members: list[Member] | None = None,
    area_field: str = "area",
) -> None:
    """Every object a 三访 write links to is among the user's choices (the same selectors the
    pages and the API offer): organizations recorded for, places, units and members in reach.
    Refused with the fields named, writing nothing."""
    errors: dict[str, str] = {}
    if org is not None and not selectors.orgs_for_recording(scope).filter(pk=org.pk).exists():
        errors["org"] = gettext("该党组织不在您的管辖范围内，请重新选择。")
    if area is not None and not selectors.areas_for_recording(scope).filter(pk=area.pk).exists():
        errors[area_field] = gettext("该社区或小区不在您的管辖范围内，请重新选择。")
    unit_ids = {u.pk for u in units or []}
    if unit_ids and units_for_choice(scope).filter(pk__in=unit_ids).count() != len(unit_ids):
        errors["units"] = gettext("所选单位不在您的管辖范围内，请重新选择。")
    member_ids = {m.pk for m in members or []}
    if member_ids and (
        selectors.members_for_choice(scope).filter(pk__in=member_ids).count() != len(member_ids)
    ):
        errors["members"] = gettext("所选党员不在您的管辖范围内，请重新选择。")
    if errors:
        raise ForbiddenError(gettext("所选组织、地点、单位或党员超出您的管辖范围。"), fields=errors)


def _linked(data: VisitInput) -> bool:
    return data.target is not None and data.unit is not None and data.target.unit_id == data.unit.pk


@transaction.atomic
def visit_record(
    *, scope: Scope, actor: User | None, data: VisitInput, visitor_member: Member | None = None
) -> Visit:
    """Record a visit (民情日记) and the problems raised in it, one per entry of
    ``data.problems`` (an empty entry is refused; the form drops its blank lines)."""
    errors = rules.validate_visit(data)
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    _check_links(
        scope,
        org=data.org,
        area=data.area,
        # a leader's linked unit is theirs to visit, in reach or not
        units=[data.unit] if data.unit is not None and not _linked(data) else None,
        members=[visitor_member] if visitor_member is not None else None,
    )
    if data.post is not None and not selectors.may_manage(scope, data.post):
        msg = gettext("该巡访服务岗不在您的管辖范围内，请重新选择。")
        raise ForbiddenError(msg, fields={"post": msg})
    member = visitor_member or (actor.member if actor is not None else None)
    visit = Visit.objects.create(
        kind=data.kind,
        visited_on=data.visited_on,
        visitor=saved_user(actor),
        visitor_member=member,
        visitor_name=(member.name if member else str(actor or ""))[:50],
        org=data.org,
        org_path=data.org.path,
        area=data.area,
        area_path=data.area.path,
        unit=data.unit,
        household=data.household.strip(),
        target=data.target,
        post=data.post,
        people_met=data.people_met.strip(),
        heard=data.heard.strip(),
    )
    problems = [t.strip() for t in data.problems]
    VisitProblem.objects.bulk_create(
        [
            VisitProblem(
                visit=visit,
                text=t,
                org_path=visit.org_path,
                area_path=visit.area_path,
                visited_on=visit.visited_on,
            )
            for t in problems
        ]
    )
    audit(
        actor=actor,
        action="visits.record",
        obj=visit,
        org_path=visit.org_path,
        diff={
            "kind": visit.kind,
            "visited_on": visit.visited_on.isoformat(),
            "area": visit.area_id,
            "problems": len(problems),
        },
    )
    return visit


@transaction.atomic
def problem_raise(*, scope: Scope, actor: User | None, visit: Visit, text: str) -> VisitProblem:
    if not selectors.may_manage(scope, visit):
        raise ForbiddenError(gettext("该走访记录不在您的管辖范围内。"))
    text = (text or "").strip()
    if not text:
        raise ServiceError(
            gettext("请填写群众反映的问题内容。"),
            fields={"text": gettext("问题内容不能为空。")},
        )
    if len(text) > rules.PROBLEM_MAX:
        raise ServiceError(
            gettext("问题内容不超过1000字，请精简或分条登记。"),
            fields={"text": gettext("不超过1000字。")},
        )
    problem = VisitProblem.objects.create(
        visit=visit,
        text=text,
        org_path=visit.org_path,
        area_path=visit.area_path,
        visited_on=visit.visited_on,
    )
    audit(
        actor=actor,
        action="visits.problem_raise",
        obj=problem,
        org_path=visit.org_path,
        diff={"visit": visit.pk},
    )
    return problem


def _require_problem(scope: Scope, problem: VisitProblem) -> None:
    if not VisitProblem.objects.filter(selectors.visits_q(scope, MANAGE), pk=problem.pk).exists():
        raise ForbiddenError(gettext("该问题不在您的管辖范围内。"))


def _locked(problem: VisitProblem) -> VisitProblem:
    return (
        VisitProblem.objects.select_for_update()
        .select_related("visit", "visit__area")
        .get(pk=problem.pk)
    )


@transaction.atomic
def problem_resolve(
    *, scope: Scope, actor: User | None, problem: VisitProblem, resolution: str
) -> VisitProblem:
    """Resolved without a case (当场解决, or by the village committee after the briefing)."""
    _require_problem(scope, problem)
    problem = _locked(problem)
    if problem.status != ProblemStatus.OPEN:
        raise ConflictError(gettext("该问题已解决或已转为事件，不能再标记为已解决。"))
    resolution = (resolution or "").strip()
    if not resolution:
        raise ServiceError(
            gettext("请说明问题是怎样解决的。"),
            fields={"resolution": gettext("请填写解决情况。")},
        )
    problem.status = ProblemStatus.RESOLVED
    problem.resolution = resolution[:300]
    problem.save(update_fields=["status", "resolution", "updated_at"])
    audit(
        actor=actor,
        action="visits.problem_resolve",
        obj=problem,
        org_path=problem.org_path,
        diff={"resolution": problem.resolution},
    )
    return problem


@transaction.atomic
def problem_to_case(
    *,
    scope: Scope,
    actor: User | None,
    problem: VisitProblem,
    category: Any,
    priority: str | None = None,
) -> VisitProblem:
    """Turn a raised problem into a case (网格呼叫) in one step; refused the second time.
    The case and the link are written in one transaction: a refusal by the cases module
    leaves the problem as it was."""
    _require_problem(scope, problem)
    if not cases_link.cases_available():
        raise ServiceError(gettext("事件模块尚未启用，暂不能转为事件。"))
    problem = _locked(problem)
    if problem.case_pk is not None:
        raise ConflictError(
            gettext("该问题已转为事件（查询码 %(code)s），不能重复转办。")
            % {"code": problem.case_code},
            code="already_case",
        )
    if problem.status == ProblemStatus.RESOLVED:
        raise ConflictError(gettext("该问题已经解决，无需再转为事件。"))
    # cases is optional: imported only after cases_link.cases_available() said it is there.
    from tongxin.cases.services import case_report

    visit = problem.visit
    case = case_report(
        actor=actor,
        # Reached above: whoever may manage this visit's problems reports it, in the visit's
        # own area, as a case (网格呼叫); the cases module does not ask again for cases.report.
        scope=Scope.everything(),
        area=visit.area,
        category=category,
        description=problem.text,
        source="visit",
        title=problem.text[:30],
        priority=priority,
        reporter_name=visit.people_met[:50],
        visit_id=visit.pk,
    )
    problem.case_pk = case.pk
    problem.case_code = case.tracking_code
    problem.status = ProblemStatus.CASE
    problem.save(update_fields=["case_pk", "case_code", "status", "updated_at"])
    audit(
        actor=actor,
        action="visits.problem_to_case",
        obj=problem,
        org_path=problem.org_path,
        diff={"case": case.pk, "tracking_code": case.tracking_code},
    )
    return problem


# --- 三访责任 and 巡访服务岗 ------------------------------------------------------------


@transaction.atomic
def assignment_create(
    *,
    scope: Scope,
    actor: User | None,
    leader: Member,
    org: Organization,
    units: list[Unit],
    households: list[HouseholdInput],
    contact_duty: bool = True,
    home_duty: bool = True,
) -> ContactAssignment:
    """A leader's 联系走访 links (4–5 units, at least 10 households, as the quotas say) and
    duties. One active assignment per person."""
    errors = rules.assignment_errors(
        org=org, units=units, households=households, contact_duty=contact_duty, home_duty=home_duty
    )
    if ContactAssignment.objects.filter(leader=leader, active=True).exists():
        errors["leader"] = gettext("%(name)s已有三访责任，请先修改或停用原有的。") % {
            "name": leader.name
        }
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    _check_links(scope, org=org, units=units)
    if not selectors.members_for_choice(scope).filter(pk=leader.pk).exists():
        msg = gettext("该党员不在您的管辖范围内，请重新选择。")
        raise ForbiddenError(msg, fields={"leader": msg})
    for h in households:
        if h.area is not None:
            _check_links(scope, area=h.area, area_field="household_area")
    a = ContactAssignment.objects.create(
        leader=leader, org=org, org_path=org.path, contact_duty=contact_duty, home_duty=home_duty
    )
    if contact_duty:
        ContactTarget.objects.bulk_create(
            [
                ContactTarget(assignment=a, kind=TargetKind.UNIT, unit=u)
                for u in dict.fromkeys(units)
            ]
            + [
                ContactTarget(
                    assignment=a,
                    kind=TargetKind.HOUSEHOLD,
                    area=h.area,
                    label=h.label.strip()[:100],
                )
                for h in households
                if h.label.strip()
            ]
        )
    audit(
        actor=actor,
        action="visits.assignment_create",
        obj=a,
        org_path=org.path,
        diff={"leader": leader.pk, "units": [u.pk for u in units], "households": len(households)},
    )
    return a


def _require_assignment(scope: Scope, assignment: ContactAssignment) -> None:
    if not selectors.assignment_queryset(scope, MANAGE).filter(pk=assignment.pk).exists():
        raise ForbiddenError(gettext("该三访责任不在您的管辖范围内。"))


def _require_post(scope: Scope, post: PatrolPost) -> None:
    if not selectors.post_queryset(scope, MANAGE).filter(pk=post.pk).exists():
        raise ForbiddenError(gettext("该巡访服务岗不在您的管辖范围内。"))


@transaction.atomic
def assignment_update(
    *,
    scope: Scope,
    actor: User | None,
    assignment: ContactAssignment,
    org: Organization,
    units: list[Unit],
    household_labels: list[str],
    household_area: Area | None = None,
    contact_duty: bool = True,
    home_duty: bool = True,
) -> ContactAssignment:
    """Change a leader's 三访责任: organization, duties, linked units and households. A
    household already linked (same 门牌/户主 text) keeps its place and its visits; a new one
    is placed in ``household_area``; one left out is unlinked (its visits stay in the diary).
    The leader does not change: end the assignment and register the new person instead."""
    _require_assignment(scope, assignment)
    a = ContactAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not a.active:
        raise ConflictError(gettext("该三访责任已停用，不能再修改；如需继续，请重新登记。"))
    targets = list(a.targets.select_related("area"))
    linked = {t.label: t for t in targets if t.kind == TargetKind.HOUSEHOLD}
    labels = list(dict.fromkeys(x.strip()[:100] for x in household_labels if x.strip()))
    errors: dict[str, str] = {}
    new_labels = [x for x in labels if x not in linked]
    if new_labels and household_area is None:
        errors["household_area"] = gettext("新增了联系户，请选择它们所在的社区或小区。")
    households = [
        HouseholdInput(area=linked[x].area if x in linked else household_area, label=x)  # type: ignore[arg-type]
        for x in labels
        if x in linked or household_area is not None
    ]
    errors = {
        **rules.assignment_errors(
            org=org,
            units=units,
            households=households,
            contact_duty=contact_duty,
            home_duty=home_duty,
        ),
        **errors,
    }
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    # what is already linked stays valid (as on the edit page); what is new must be in reach
    linked_units = set(a.targets.filter(unit__isnull=False).values_list("unit_id", flat=True))
    _check_links(
        scope,
        org=org if org.pk != a.org_id else None,
        units=[u for u in units if u.pk not in linked_units],
        area=household_area,
        area_field="household_area",
    )
    before = {
        "org": a.org_id,
        "contact_duty": a.contact_duty,
        "home_duty": a.home_duty,
        "units": sorted(t.unit_id for t in targets if t.kind == TargetKind.UNIT and t.unit_id),
        "households": sorted(linked),
    }
    a.org, a.org_path = org, org.path
    a.contact_duty, a.home_duty = contact_duty, home_duty
    a.save(update_fields=["org", "org_path", "contact_duty", "home_duty"])
    unit_ids = list(dict.fromkeys(u.pk for u in units))
    gone = [
        t.pk
        for t in targets
        if (t.kind == TargetKind.UNIT and t.unit_id not in unit_ids)
        or (t.kind == TargetKind.HOUSEHOLD and t.label not in labels)
    ]
    ContactTarget.objects.filter(pk__in=gone).delete()
    have_units = {t.unit_id for t in targets if t.kind == TargetKind.UNIT}
    ContactTarget.objects.bulk_create(
        [
            ContactTarget(assignment=a, kind=TargetKind.UNIT, unit_id=pk)
            for pk in unit_ids
            if pk not in have_units
        ]
        + [
            ContactTarget(assignment=a, kind=TargetKind.HOUSEHOLD, area=household_area, label=x)
            for x in new_labels
        ]
    )
    audit(
        actor=actor,
        action="visits.assignment_update",
        obj=a,
        org_path=org.path,
        diff={
            "before": before,
            "after": {
                "org": org.pk,
                "contact_duty": contact_duty,
                "home_duty": home_duty,
                "units": sorted(unit_ids),
                "households": sorted(labels),
            },
        },
    )
    return a


@transaction.atomic
def assignment_end(
    *, scope: Scope, actor: User | None, assignment: ContactAssignment
) -> ContactAssignment:
    """停用: the leader no longer owes the quotas (moved post, retired). The links and visits
    stay on record; the person may be given a new assignment."""
    _require_assignment(scope, assignment)
    a = ContactAssignment.objects.select_for_update().get(pk=assignment.pk)
    if not a.active:
        raise ConflictError(gettext("该三访责任已经停用，无需重复操作。"))
    a.active = False
    a.save(update_fields=["active"])
    audit(
        actor=actor,
        action="visits.assignment_end",
        obj=a,
        org_path=a.org_path,
        diff={"leader": a.leader_id},
    )
    return a


@transaction.atomic
def patrol_post_update(
    *,
    scope: Scope,
    actor: User | None,
    post: PatrolPost,
    name: str,
    org: Organization,
    area: Area,
    place: str = "",
    shifts: str = "",
    members: list[Member] | None = None,
) -> PatrolPost:
    """Change a 巡访服务岗: its name, organization, area, place, shifts and 巡访员. Visits
    already recorded at the post stay with it."""
    _require_post(scope, post)
    p = PatrolPost.objects.select_for_update().get(pk=post.pk)
    if not p.active:
        raise ConflictError(gettext("该巡访服务岗已停用，不能再修改；如需恢复，请重新设立。"))
    members = list(members or [])
    errors = rules.post_errors(name=name, org=org, area=area, members=members)
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    kept = set(p.members.values_list("id", flat=True))
    _check_links(
        scope,
        org=org if org.pk != p.org_id else None,
        area=area if area.pk != p.area_id else None,
        members=[m for m in members or [] if m.pk not in kept],
    )
    before = {
        "name": p.name,
        "org": p.org_id,
        "area": p.area_id,
        "place": p.place,
        "shifts": p.shifts,
        "members": sorted(p.members.values_list("pk", flat=True)),
    }
    p.name, p.org, p.org_path = name.strip()[:100], org, org.path
    p.area, p.area_path = area, area.path
    p.place, p.shifts = place.strip()[:200], shifts.strip()[:200]
    p.save(update_fields=["name", "org", "org_path", "area", "area_path", "place", "shifts"])
    p.members.set(members)
    audit(
        actor=actor,
        action="visits.post_update",
        obj=p,
        org_path=org.path,
        diff={
            "before": before,
            "after": {
                "name": p.name,
                "org": org.pk,
                "area": area.pk,
                "place": p.place,
                "shifts": p.shifts,
                "members": sorted(m.pk for m in members),
            },
        },
    )
    return p


@transaction.atomic
def patrol_post_end(*, scope: Scope, actor: User | None, post: PatrolPost) -> PatrolPost:
    _require_post(scope, post)
    """停用 a post: no more visits are filed under it; those recorded stay."""
    p = PatrolPost.objects.select_for_update().get(pk=post.pk)
    if not p.active:
        raise ConflictError(gettext("该巡访服务岗已经停用，无需重复操作。"))
    p.active = False
    p.save(update_fields=["active"])
    audit(actor=actor, action="visits.post_end", obj=p, org_path=p.org_path, diff={"name": p.name})
    return p


@transaction.atomic
def patrol_post_create(
    *,
    scope: Scope,
    actor: User | None,
    name: str,
    org: Organization,
    area: Area,
    place: str = "",
    shifts: str = "",
    members: list[Member] | None = None,
) -> PatrolPost:
    members = list(members or [])
    errors = rules.post_errors(name=name, org=org, area=area, members=members)
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    _check_links(scope, org=org, area=area, members=members)
    post = PatrolPost.objects.create(
        name=name.strip()[:100],
        org=org,
        org_path=org.path,
        area=area,
        area_path=area.path,
        place=place.strip()[:200],
        shifts=shifts.strip()[:200],
    )
    post.members.set(members)
    audit(
        actor=actor,
        action="visits.post_create",
        obj=post,
        org_path=org.path,
        diff={"name": post.name, "members": [m.pk for m in members]},
    )
    return post
