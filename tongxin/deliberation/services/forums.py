"""议事平台 and the households of a place (the unit of a one-vote-per-household vote)."""

from __future__ import annotations

import re

from django.db import transaction
from django.utils.translation import gettext

from tongxin.accounts.models import Resident, User
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ForbiddenError
from tongxin.core.scope import Scope
from tongxin.deliberation import selectors
from tongxin.deliberation.models import Forum, ForumKind, Household, HouseholdMember
from tongxin.deliberation.services.common import _audit, _refuse
from tongxin.geo.models import Area
from tongxin.orgs.models import Organization

_DAYS = re.compile(r"^\s*\d{1,2}(\s*[,，、]\s*\d{1,2})*\s*$")


def _days(text: str) -> tuple[str, str]:
    """ "10、25" → "10,25"; (normalized, error)."""
    if not text.strip():
        return "", ""
    if not _DAYS.match(text):
        return "", gettext("说事日请填写每月的日期，用逗号分开，例如“10,25”。")
    days = sorted({int(d) for d in re.split(r"[,，、]", text)})
    if any(d < 1 or d > 28 for d in days):
        return "", gettext("说事日应在每月1日到28日之间（每个月都有的日子）。")
    return ",".join(str(d) for d in days), ""


@transaction.atomic
def forum_create(
    *,
    scope: Scope,
    actor: User | None,
    name: str,
    kind: ForumKind | None,
    area: Area | None,
    host_org: Organization | None,
    meeting_days: str = "",
    household_vote: bool | None = None,
) -> Forum:
    if area is not None and not selectors.area_choices(scope).filter(pk=area.pk).exists():
        msg = gettext("所选社区、村或小区不在您的管辖范围内，请重新选择。")
        raise ForbiddenError(msg, fields={"area": msg})
    if (
        host_org is not None
        and not selectors.host_org_choices(scope).filter(pk=host_org.pk).exists()
    ):
        msg = gettext("所选党组织不在您的管辖范围内，请重新选择。")
        raise ForbiddenError(msg, fields={"host_org": msg})
    errors: dict[str, str] = {}
    if not name.strip():
        errors["name"] = gettext("请填写议事平台的名称，例如“紫金社区居民说事厅”。")
    if kind is None:
        errors["kind"] = gettext("请选择议事平台的类型。")
    if area is None:
        errors["area"] = gettext("请选择议事平台所在的社区、村或小区。")
    if host_org is None:
        errors["host_org"] = gettext("请选择主持议事的党组织。")
    days, err = _days(meeting_days)
    if err:
        errors["meeting_days"] = err
    _refuse(errors)
    assert kind is not None and area is not None and host_org is not None
    forum = Forum.objects.create(
        name=name.strip()[:60],
        kind=kind,
        area=area,
        area_path=area.path,
        host_org=host_org,
        host_org_path=host_org.path,
        meeting_days=days,
        household_vote=kind.household_vote if household_vote is None else household_vote,
    )
    _audit(actor, "forum_create", forum, forum, {"kind": kind.name})
    return forum


@transaction.atomic
def household_register(
    *, scope: Scope, actor: User | None, area: Area, label: str, residents: list[Resident]
) -> Household:
    """A household (门牌) of a compound or building in reach, with the residents living there;
    a resident belongs to one household."""
    if not selectors.reaches_area(scope, area):
        raise ForbiddenError(gettext("该小区或楼栋不在您的管辖范围内。"))
    errors: dict[str, str] = {}
    if not label.strip():
        errors["label"] = gettext("请填写门牌，例如“3幢2单元501”。")
    outside = [r.name for r in residents if not r.home.path.startswith(area.path)]
    if outside:
        errors["residents"] = gettext("%(names)s 不住在%(area)s，不能登记为这一户。") % {
            "names": "、".join(outside),
            "area": area.name,
        }
    _refuse(errors)
    if HouseholdMember.objects.filter(resident__in=residents).exists():
        raise ConflictError(gettext("有居民已登记在其他户，请先核对。"))
    household, _created = Household.objects.get_or_create(
        area=area, label=label.strip()[:40], defaults={"area_path": area.path}
    )
    HouseholdMember.objects.bulk_create(
        [HouseholdMember(household=household, resident=r) for r in residents]
    )
    audit(
        actor=actor,
        action="deliberation.household_register",
        obj=household,
        area_path=area.path,
        diff={"residents": len(residents)},
    )
    return household
