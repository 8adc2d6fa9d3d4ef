"""Every write to micro-projects: validated, atomic, audited. Money in fen."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext

from tongxin.accounts.models import Resident, User
from tongxin.centers.models import SocialOrganization
from tongxin.centers.selectors import social_org_choices
from tongxin.core.audit import audit, saved_user
from tongxin.core.errors import ConflictError, ForbiddenError, ServiceError
from tongxin.core.scope import Scope
from tongxin.geo.models import Area, AreaLevel
from tongxin.orgs.models import Organization
from tongxin.projects import notify, selectors
from tongxin.projects.models import (
    BudgetLine,
    MicroProject,
    NeedCategory,
    ProjectActivity,
    ProjectRating,
    ProjectSignup,
    ProjectStatus,
    Suggestion,
    SuggestionSource,
    SuggestionStatus,
)
from tongxin.sharing.text import mask_contacts

# A micro-project is small by definition: more than 1,000,000 元 is a typing error.
MAX_BUDGET_FEN = 100_000_000  # 100万元
MAX_PARTICIPANTS = 100_000


def yuan(fen: int) -> str:
    return f"{fen / 100:,.2f}"


def _as_self(actor: User, resident: Resident) -> None:
    """A resident acts only as themself: the resident record is the actor's."""
    if resident.user_id != actor.pk:
        raise ForbiddenError(gettext("只能以本人的居民身份提交或参与。"))


def _require_project(scope: Scope, project: MicroProject) -> None:
    if not MicroProject.objects.filter(selectors.project_reach_q(scope), pk=project.pk).exists():
        raise ForbiddenError(gettext("该微项目不在您的管辖范围内。"))


def _refuse(errors: dict[str, str]) -> None:
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)


# ---- suggestions --------------------------------------------------------------------------


def _compound_of(area: Area) -> Area:
    if area.level == AreaLevel.BUILDING:
        parent = area.get_parent()
        if parent is not None:
            return parent
    return area


@transaction.atomic
def suggestion_submit(
    *, actor: User, resident: Resident, title: str, body: str, category: NeedCategory | None
) -> Suggestion:
    """A resident's suggestion, online; filed under their compound."""
    _as_self(actor, resident)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = gettext("请用一句话写明您的建议。")
    elif len(title.strip()) > 100:
        errors["title"] = gettext("建议标题不能超过100个字。")
    if category is None:
        errors["category"] = gettext("请选择建议属于哪一类需求。")
    _refuse(errors)
    assert category is not None
    area = _compound_of(resident.home)
    s = Suggestion.objects.create(
        title=mask_contacts(title.strip())[0],
        body=mask_contacts(body.strip())[0],
        category=category,
        area=area,
        area_path=area.path,
        source=SuggestionSource.ONLINE,
        resident=resident,
        entered_by=saved_user(actor),
    )
    audit(actor=actor, action="projects.suggestion_submit", obj=s, diff={"source": "online"})
    return s


@transaction.atomic
def suggestion_enter(
    *,
    scope: Scope,
    actor: User | None,
    area: Area | None,
    title: str,
    body: str,
    category: NeedCategory | None,
    meeting: str,
) -> Suggestion:
    """Staff enter a suggestion raised at an offline meeting (说事厅、墙门月光会 …), for an
    area in their reach."""
    if area is not None and not selectors.area_choices(scope).filter(pk=area.pk).exists():
        message = gettext("所选社区或小区不在您的管辖范围内，请重新选择。")
        raise ForbiddenError(message, fields={"area": message})
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = gettext("请用一句话写明居民的建议。")
    if category is None:
        errors["category"] = gettext("请选择建议属于哪一类需求。")
    if area is None:
        errors["area"] = gettext("请选择建议涉及的社区或小区。")
    if not meeting.strip():
        errors["meeting"] = gettext("请写明在哪次会议上提出，例如“11月墙门月光会”。")
    _refuse(errors)
    assert area is not None and category is not None
    s = Suggestion.objects.create(
        title=title.strip(),
        body=body.strip(),
        category=category,
        area=area,
        area_path=area.path,
        source=SuggestionSource.MEETING,
        meeting=meeting.strip()[:100],
        entered_by=saved_user(actor),
    )
    audit(actor=actor, action="projects.suggestion_enter", obj=s, diff={"source": "meeting"})
    return s


@transaction.atomic
def suggestion_decline(*, scope: Scope, actor: User | None, suggestion: Suggestion) -> Suggestion:
    if not selectors.suggestion_list(scope).filter(pk=suggestion.pk).exists():
        raise ForbiddenError(gettext("该建议不在您的管辖范围内。"))
    if suggestion.status != SuggestionStatus.NEW:
        raise ConflictError(gettext("该建议已处理过。"))
    suggestion.status = SuggestionStatus.DECLINED
    suggestion.save(update_fields=["status"])
    audit(actor=actor, action="projects.suggestion_decline", obj=suggestion)
    return suggestion


# ---- projects -----------------------------------------------------------------------------


@dataclass
class ProjectInput:
    name: str
    category: NeedCategory | None
    lead_org: Organization | None
    area: Area | None
    budget_fen: int
    summary: str = ""
    operator: SocialOrganization | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    suggestions: list[Suggestion] = field(default_factory=list)


def _validate_project(data: ProjectInput, *, lines_total: int = 0) -> None:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = gettext("请填写项目名称。")
    if data.category is None:
        errors["category"] = gettext("请选择项目回应的需求类别。")
    if data.lead_org is None:
        errors["lead_org"] = gettext("请选择牵头党组织（大掌柜）。")
    if data.area is None:
        errors["area"] = gettext("请选择项目服务的社区或小区。")
    elif data.lead_org is not None and data.lead_org.area_id is not None:
        lead_area = data.lead_org.area
        if lead_area is not None and not data.area.path.startswith(lead_area.path):
            errors["area"] = gettext("服务区域应在牵头党组织所在区域（%(area)s）之内。") % {
                "area": lead_area.name
            }
    if data.budget_fen < 0:
        errors["budget_fen"] = gettext("预算不能为负数。")
    elif data.budget_fen > MAX_BUDGET_FEN:
        errors["budget_fen"] = gettext("微项目预算不能超过100万元，请核对金额。")
    elif data.budget_fen < lines_total:
        errors["budget_fen"] = gettext("预算不能少于已登记的预算明细合计（%(total)s元）。") % {
            "total": yuan(lines_total)
        }
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors["ends_on"] = gettext("结束日期不能早于开始日期。")
    for s in data.suggestions:
        if s.status != SuggestionStatus.NEW:
            errors["suggestions"] = gettext("建议“%(title)s”已处理过，不能再纳入项目。") % {
                "title": s.title
            }
    _refuse(errors)


@transaction.atomic
def project_create(*, scope: Scope, actor: User | None, data: ProjectInput) -> MicroProject:
    """立项: package suggestions into a project. The lead organization, the area, the operator
    (店小二) and every suggestion must be in the user's reach."""
    _validate_project(data)
    _check_links(scope, data)
    assert data.lead_org is not None and data.area is not None and data.category is not None
    p = MicroProject.objects.create(
        name=data.name.strip(),
        summary=data.summary.strip(),
        category=data.category,
        lead_org=data.lead_org,
        lead_org_path=data.lead_org.path,
        operator=data.operator,
        area=data.area,
        area_path=data.area.path,
        budget_fen=data.budget_fen,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        created_by=saved_user(actor),
    )
    if data.suggestions:
        Suggestion.objects.filter(
            pk__in=[s.pk for s in data.suggestions], status=SuggestionStatus.NEW
        ).update(status=SuggestionStatus.ADOPTED, project=p)
    audit(
        actor=actor,
        action="projects.create",
        obj=p,
        org_path=p.lead_org_path,
        diff={"budget_fen": p.budget_fen, "suggestions": [s.pk for s in data.suggestions]},
    )
    notify.created(p)
    return p


def _check_links(scope: Scope, data: ProjectInput) -> None:
    """Everything a project links to is among the choices the user has."""
    errors: dict[str, str] = {}
    lead = data.lead_org
    if lead is not None and not selectors.lead_org_choices(scope).filter(pk=lead.pk).exists():
        errors["lead_org"] = gettext("牵头党组织不在您的管辖范围内，请重新选择。")
    if data.area is not None and not selectors.area_choices(scope).filter(pk=data.area.pk).exists():
        errors["area"] = gettext("服务区域不在您的管辖范围内，请重新选择。")
    operator = data.operator
    if operator is not None and not social_org_choices(scope).filter(pk=operator.pk).exists():
        errors["operator"] = gettext("运营社会组织不在您的管辖范围内，请重新选择。")
    picked = {s.pk for s in data.suggestions}
    if picked and selectors.suggestion_list(scope).filter(pk__in=picked).count() != len(picked):
        errors["suggestions"] = gettext("所选建议不在您的管辖范围内，请重新选择。")
    if errors:
        raise ForbiddenError(gettext("项目关联的组织、区域或建议超出您的管辖范围。"), fields=errors)


def _lines_total(project: MicroProject) -> int:
    return int(project.budget_lines.aggregate(t=Sum("amount_fen"))["t"] or 0)


@transaction.atomic
def budget_line_add(
    *, scope: Scope, actor: User | None, project: MicroProject, item: str, amount_fen: int
) -> BudgetLine:
    _require_project(scope, project)
    errors: dict[str, str] = {}
    if not item.strip():
        errors["item"] = gettext("请填写支出事项。")
    if amount_fen <= 0:
        errors["amount_fen"] = gettext("金额应大于0。")
    _refuse(errors)
    # Lock the project row: two lines added at once must not both fit the same remainder.
    project = MicroProject.objects.select_for_update().get(pk=project.pk)
    total = _lines_total(project)
    if total + amount_fen > project.budget_fen:
        message = gettext(
            "预算明细合计将达到%(sum)s元，超过项目预算%(budget)s元（尚可列支%(left)s元）。"
            "请调整金额或先修改项目预算。"
        ) % {
            "sum": yuan(total + amount_fen),
            "budget": yuan(project.budget_fen),
            "left": yuan(project.budget_fen - total),
        }
        raise ServiceError(message, fields={"amount_fen": message})
    line = BudgetLine.objects.create(
        project=project, item=item.strip()[:100], amount_fen=amount_fen
    )
    audit(
        actor=actor,
        action="projects.budget_line_add",
        obj=project,
        org_path=project.lead_org_path,
        diff={"item": line.item, "amount_fen": amount_fen},
    )
    return line


@transaction.atomic
def activity_add(
    *,
    scope: Scope,
    actor: User | None,
    project: MicroProject,
    title: str,
    held_on: dt.date | None,
    place: str = "",
    participants: int = 0,
) -> ProjectActivity:
    _require_project(scope, project)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = gettext("请填写活动名称。")
    if held_on is None:
        errors["held_on"] = gettext("请填写活动日期。")
    if participants < 0 or participants > MAX_PARTICIPANTS:
        errors["participants"] = gettext("参与人次应在0到100000之间，请核对。")
    _refuse(errors)
    assert held_on is not None
    a = ProjectActivity.objects.create(
        project=project,
        title=title.strip()[:100],
        held_on=held_on,
        place=place.strip()[:100],
        participants=participants,
    )
    if project.status == ProjectStatus.PLANNED:
        project.status = ProjectStatus.RUNNING
        project.save(update_fields=["status"])
    audit(
        actor=actor,
        action="projects.activity_add",
        obj=project,
        org_path=project.lead_org_path,
        diff={"activity": a.pk, "participants": participants},
    )
    return a


@transaction.atomic
def project_complete(
    *, scope: Scope, actor: User | None, project: MicroProject, outcome: str
) -> MicroProject:
    _require_project(scope, project)
    if project.status == ProjectStatus.COMPLETED:
        raise ConflictError(gettext("项目已经结项。"))
    if not outcome.strip():
        message = gettext("结项时请写明项目成效，例如解决了哪些问题、惠及多少居民。")
        raise ServiceError(message, fields={"outcome": message})
    project.status = ProjectStatus.COMPLETED
    project.outcome = outcome.strip()[:2000]
    project.save(update_fields=["status", "outcome"])
    audit(actor=actor, action="projects.complete", obj=project, org_path=project.lead_org_path)
    return project


# ---- residents ----------------------------------------------------------------------------


def _as_resident_of(actor: User, resident: Resident, project: MicroProject) -> None:
    """The resident acts as themself, on a project serving where they live."""
    _as_self(actor, resident)
    if not selectors.resident_projects(resident).filter(pk=project.pk).exists():
        raise ForbiddenError(gettext("该微项目不在您居住的社区。"))


@transaction.atomic
def project_signup(*, actor: User, resident: Resident, project: MicroProject) -> ProjectSignup:
    _as_resident_of(actor, resident, project)
    if project.status == ProjectStatus.COMPLETED:
        raise ConflictError(gettext("项目已经结项，不能再报名。"))
    try:
        with transaction.atomic():
            s = ProjectSignup.objects.create(project=project, resident=resident)
    except IntegrityError:
        raise ConflictError(gettext("您已报名参加这个项目。")) from None
    audit(actor=actor, action="projects.signup", obj=project, org_path=project.lead_org_path)
    return s


@transaction.atomic
def project_rate(
    *, actor: User, resident: Resident, project: MicroProject, score: int, comment: str = ""
) -> ProjectRating:
    """One rating per resident, 1-5, once the project has ended."""
    _as_resident_of(actor, resident, project)
    if project.status != ProjectStatus.COMPLETED:
        raise ConflictError(gettext("项目结项后才能评价。"))
    if not isinstance(score, int) or not 1 <= score <= 5:
        message = gettext("评分应为1到5分。")
        raise ServiceError(message, fields={"score": message})
    if ProjectRating.objects.filter(project=project, resident=resident).exists():
        raise ConflictError(gettext("您已经评价过这个项目，每位居民只能评价一次。"))
    try:
        with transaction.atomic():
            r = ProjectRating.objects.create(
                project=project,
                resident=resident,
                score=score,
                comment=mask_contacts(comment.strip()[:300])[0],
            )
    except IntegrityError:
        raise ConflictError(gettext("您已经评价过这个项目，每位居民只能评价一次。")) from None
    audit(
        actor=actor,
        action="projects.rate",
        obj=project,
        org_path=project.lead_org_path,
        diff={"score": score},
    )
    return r
