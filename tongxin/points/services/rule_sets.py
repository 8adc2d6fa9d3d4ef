"""分域定标: versions of a rule set (no overlaps; an open version ends where the new one
starts) and a subtree's own rule set."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.core.audit import audit
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.months import this_month
from tongxin.core.scope import Scope, in_scope, require
from tongxin.orgs.models import Organization
from tongxin.orgs.selectors import org_queryset
from tongxin.points.models import (
    Rule,
    RuleSet,
    RuleSetVersion,
)
from tongxin.points.rules import TENTH, forget_rule_book

MANAGE = "members.manage"
EVIDENCE_MAX = 10 * 1024 * 1024
MAX_SPAN_DAYS = 400


def _decimal(value: object, field: str, errors: dict[str, str]) -> Decimal | None:
    try:
        d = Decimal(str(value)).quantize(TENTH)
    except (InvalidOperation, ValueError):
        errors[field] = gettext("请填写数字，最多一位小数。")
        return None
    if not d.is_finite() or abs(d) > 1000:
        errors[field] = gettext("分值应在-1000到1000之间。")
        return None
    return d


@transaction.atomic
def rule_version_create(
    *,
    actor: User | None,
    scope: Scope,
    rule_set: RuleSet,
    valid_from: dt.date,
    valid_to: dt.date | None = None,
    base_score: object = None,
    red_threshold: object = None,
    warn_threshold: object = None,
    changes: dict[str, tuple[object, object]] | None = None,
    note: str = "",
) -> RuleSetVersion:
    """A new version of a rule set from ``valid_from``: a copy of the version in force then,
    with ``changes`` (rule code -> (points, cap)). An open-ended version starting earlier ends
    the day before; any other overlap is refused. Entries already written keep their version."""
    if rule_set.org_id is None:
        require(scope.is_superuser, gettext("默认规则集只有系统管理员可以修订。"))
    else:
        require(
            scope.reaches_org("orgs.manage", rule_set.org_path),
            gettext("这个规则集所属的党组织不在您的管理范围内。"),
        )
    errors: dict[str, str] = {}
    versions = list(rule_set.versions.select_for_update().order_by("valid_from"))
    current = next(
        (v for v in versions if v.covers(valid_from)), versions[-1] if versions else None
    )
    base = _decimal(
        base_score if base_score is not None else current and current.base_score,
        "base_score",
        errors,
    )
    red = _decimal(
        red_threshold if red_threshold is not None else current and current.red_threshold,
        "red_threshold",
        errors,
    )
    warn = _decimal(
        warn_threshold if warn_threshold is not None else current and current.warn_threshold,
        "warn_threshold",
        errors,
    )
    if red is not None and warn is not None and red <= warn:
        errors["red_threshold"] = gettext("红榜分数线应高于警示分数线。")
    if valid_to is not None and valid_to < valid_from:
        errors["valid_to"] = gettext("失效日期不能早于生效日期。")
    if valid_from < this_month() and not scope.is_superuser:
        errors["valid_from"] = gettext("新版本只能从本月起生效，已过去的月份不再改变。")
    if errors:
        raise ServiceError(gettext("请按提示修改后再提交。"), fields=errors)
    assert base is not None and red is not None and warn is not None
    ended: RuleSetVersion | None = None
    for v in versions:
        end = v.valid_to or dt.date.max
        if v.valid_from <= (valid_to or dt.date.max) and valid_from <= end:
            if v.valid_to is None and v.valid_from < valid_from and ended is None:
                ended = v
                continue
            msg = gettext(
                "新版本的有效期与第%(n)d版（%(a)s至%(b)s）重叠，请调整生效或失效日期。"
            ) % {"n": v.number, "a": v.valid_from, "b": v.valid_to or gettext("长期")}
            raise ServiceError(msg, fields={"valid_from": msg}, code="overlap")
    forget_rule_book()
    if ended is not None:
        RuleSetVersion.objects.filter(pk=ended.pk).update(
            valid_to=valid_from - dt.timedelta(days=1)
        )
    new = RuleSetVersion.objects.create(
        rule_set=rule_set,
        number=max((v.number for v in versions), default=0) + 1,
        valid_from=valid_from,
        valid_to=valid_to,
        base_score=base,
        red_threshold=red,
        warn_threshold=warn,
        note=note[:200],
        created_by=actor,
    )
    changes = changes or {}
    copied = list(current.rules.all()) if current else []
    unknown = set(changes) - {r.code for r in copied}
    if unknown:
        msg = gettext("没有这些积分项：%(codes)s。") % {"codes": "、".join(sorted(unknown))}
        raise ServiceError(msg, fields={"changes": msg})
    for r in copied:
        points, cap = changes.get(r.code, (r.points, r.cap))
        p = _decimal(points, "points", errors)
        c = _decimal(cap, "cap", errors) if cap not in (None, "") else None
        if errors:
            raise ServiceError(
                gettext("“%(label)s”的分值有误。") % {"label": r.label}, fields=errors
            )
        assert p is not None
        Rule.objects.create(
            version=new,
            code=r.code,
            label=r.label,
            category=r.category,
            kind=r.kind,
            points=p,
            cap=c,
            cap_period=r.cap_period,
        )
    audit(
        actor=actor,
        action="points.rule_version",
        obj=new,
        org_path=rule_set.org_path,
        installation_wide=not rule_set.org_path,
        diff={
            "rule_set": rule_set.pk,
            "valid_from": valid_from.isoformat(),
            "changes": {k: [str(x) for x in v] for k, v in changes.items()},
        },
    )
    return new


@transaction.atomic
def rule_set_override_create(
    *, actor: User | None, scope: Scope, org: Organization, name: str, template: RuleSet
) -> RuleSet:
    """A subtree's own rule set (overriding its domain's for the members below ``org``), a
    copy of ``template``'s version in force, from this month on."""
    require(
        in_scope(org_queryset(scope, "orgs.manage"), org),
        gettext("这个党组织不在您的管理范围内，不能为其设置积分规则。"),
    )
    name = " ".join((name or "").split())
    if not name or len(name) > 100:
        msg = gettext("请填写规则集名称（100字以内）。")
        raise ServiceError(msg, fields={"name": msg})
    if RuleSet.objects.filter(org=org, kinds=template.kinds).exists():
        msg = gettext("这个党组织已有自己的规则集，请修订它而不是再建一个。")
        raise ConflictError(msg)
    source = next(
        (v for v in template.versions.order_by("-valid_from") if v.covers(timezone.localdate())),
        None,
    )
    if source is None:
        msg = gettext("所选模板今天没有生效的版本。")
        raise ServiceError(msg, fields={"template": msg})
    forget_rule_book()
    rs = RuleSet.objects.create(
        name=name,
        domain=template.domain,
        org=org,
        org_path=org.path,
        kinds=template.kinds,
        exempt_kinds=template.exempt_kinds,
    )
    v = RuleSetVersion.objects.create(
        rule_set=rs,
        number=1,
        valid_from=this_month(),
        base_score=source.base_score,
        red_threshold=source.red_threshold,
        warn_threshold=source.warn_threshold,
        note=gettext("以“%(name)s”为模板") % {"name": template.name},
        created_by=actor,
    )
    Rule.objects.bulk_create(
        Rule(
            version=v,
            code=r.code,
            label=r.label,
            category=r.category,
            kind=r.kind,
            points=r.points,
            cap=r.cap,
            cap_period=r.cap_period,
        )
        for r in source.rules.all()
    )
    audit(
        actor=actor,
        action="points.rule_set_override",
        obj=rs,
        org_path=org.path,
        diff={"template": template.pk, "name": name},
    )
    return rs
