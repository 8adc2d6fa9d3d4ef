"""千分制考评: every write, validated, atomic, audited.

The assessing organization builds the year's indicator tree (leaves add up to 1,000 points)
and publishes it; it opens a quarter per organization below it; the assessed organization
self-scores each leaf with evidence and submits; the assessor scores; the appeal window
(``appeal_days``) opens; appeals are decided; the assessor makes the score final, which writes
the quarter's snapshot (totals per top-level indicator, the metrics as they stood)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext

from tongxin.accounts.models import User
from tongxin.appraisal import selectors
from tongxin.appraisal.models import (
    TOTAL_WEIGHT,
    Appeal,
    AppealStatus,
    Assessment,
    AssessmentStatus,
    CheckMethod,
    Indicator,
    IndicatorSet,
    Level,
    Metric,
    Score,
)
from tongxin.core import uploads
from tongxin.core.audit import audit, saved_user
from tongxin.core.errors import ConflictError, ServiceError
from tongxin.core.scope import Scope, acting_scope, require
from tongxin.orgs.models import Organization

EVIDENCE_MAX = 10 * 1024 * 1024
NOT_YOURS = "该考评不在您的管辖范围内。"


def pts(d: Decimal) -> str:
    """Points as people write them: 12.5, 1000 (never 1E+3)."""
    return format(d.normalize(), "f")


def _today(today: dt.date | None) -> dt.date:
    return today or timezone.localdate()


def _require_assessor(scope: Scope, indicator_set: IndicatorSet) -> None:
    require(selectors.may_assess(scope, indicator_set), gettext(NOT_YOURS))


def _require_self(scope: Scope, assessment: Assessment) -> None:
    require(selectors.may_self_score(scope, assessment), gettext(NOT_YOURS))


@transaction.atomic
def indicator_set_create(
    *,
    scope: Scope | None,
    actor: User | None,
    org: Organization,
    year: int,
    level: str,
    name: str,
    appeal_days: int = 5,
) -> IndicatorSet:
    scope = acting_scope(actor, scope)
    require(
        selectors.reaches(scope, selectors.MANAGE, org), gettext("该党组织不在您的管辖范围内。")
    )
    errors = {}
    if not name.strip():
        errors["name"] = gettext("请填写考评标准名称。")
    if level not in Level.values:
        errors["level"] = gettext("请选择考评对象层级。")
    if not 2000 <= year <= 2100:
        errors["year"] = gettext("年度应在2000至2100之间。")
    if not 0 <= appeal_days <= 60:
        errors["appeal_days"] = gettext("申诉期应在0至60天之间。")
    if errors:
        raise ServiceError(gettext("考评标准信息有误，请按提示修改。"), fields=errors)
    if IndicatorSet.objects.filter(org=org, year=year, level=level).exists():
        raise ConflictError(gettext("该党组织本年度已有该层级的考评标准。"))
    s = IndicatorSet.objects.create(
        org=org,
        org_path=org.path,
        year=year,
        level=level,
        name=name.strip(),
        appeal_days=appeal_days,
    )
    audit(actor=actor, action="appraisal.indicator_set_create", obj=s)
    return s


def _decimal(value: object, field: str, label: str) -> Decimal:
    try:
        d = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ServiceError(
            gettext("%(label)s应为数字。") % {"label": label},
            fields={field: gettext("请填写数字。")},
        ) from None
    if not d.is_finite():
        raise ServiceError(
            gettext("%(label)s应为数字。") % {"label": label},
            fields={field: gettext("请填写数字。")},
        )
    return d


@dataclass(frozen=True)
class IndicatorInput:
    name: str
    weight: object = 0  # points of a leaf; a parent's are its leaves' sum
    parent: Indicator | None = None
    check_method: str = ""
    deduction_rule: str = ""
    metric: str = ""


@transaction.atomic
def indicator_add(
    *, scope: Scope | None, actor: User | None, indicator_set: IndicatorSet, data: IndicatorInput
) -> Indicator:
    scope = acting_scope(actor, scope)
    _require_assessor(scope, indicator_set)
    if indicator_set.published:
        raise ConflictError(gettext("考评标准已发布，不能再修改指标。"))
    errors = {}
    weight = _decimal(data.weight, "weight", gettext("分值"))
    if not data.name.strip():
        errors["name"] = gettext("请填写指标名称。")
    if weight < 0 or weight > TOTAL_WEIGHT or weight != weight.quantize(Decimal("0.1")):
        errors["weight"] = gettext("分值应在0至1000之间，最多一位小数。")
    if data.parent is not None and data.parent.indicator_set_id != indicator_set.pk:
        errors["parent"] = gettext("上级指标不属于本考评标准。")
    if data.check_method not in CheckMethod.values and data.check_method:
        errors["check_method"] = gettext("请选择考核方式。")
    if data.metric not in Metric.values:
        errors["metric"] = gettext("请选择自动指标。")
    if errors:
        raise ServiceError(gettext("指标信息有误，请按提示修改。"), fields=errors)
    if data.parent is not None and data.parent.weight:
        # A leaf with points becomes a parent: its points move to its children.
        Indicator.objects.filter(pk=data.parent.pk).update(weight=0)
    position = Indicator.objects.filter(indicator_set=indicator_set).count()
    ind = Indicator.objects.create(
        indicator_set=indicator_set,
        parent=data.parent,
        name=data.name.strip(),
        weight=weight,
        check_method=data.check_method,
        deduction_rule=data.deduction_rule.strip()[:300],
        metric=data.metric,
        position=position,
    )
    audit(actor=actor, action="appraisal.indicator_add", obj=ind, org_path=indicator_set.org_path)
    return ind


@transaction.atomic
def indicator_set_publish(
    *, scope: Scope | None, actor: User | None, indicator_set: IndicatorSet
) -> IndicatorSet:
    """Refused unless the leaves add up to exactly 1,000 points, naming the difference."""
    scope = acting_scope(actor, scope)
    _require_assessor(scope, indicator_set)
    total = selectors.leaf_total(indicator_set)
    if total != TOTAL_WEIGHT:
        diff = abs(TOTAL_WEIGHT - total)
        msg = (
            gettext("末级指标分值合计%(total)s分，比1000分少%(diff)s分，请补足后再发布。")
            if total < TOTAL_WEIGHT
            else gettext("末级指标分值合计%(total)s分，比1000分多%(diff)s分，请调减后再发布。")
        ) % {"total": pts(total), "diff": pts(diff)}
        raise ServiceError(msg, fields={"weight": msg})
    IndicatorSet.objects.filter(pk=indicator_set.pk).update(published=True)
    indicator_set.published = True
    audit(actor=actor, action="appraisal.indicator_set_publish", obj=indicator_set)
    return indicator_set


@transaction.atomic
def assessment_open(
    *,
    scope: Scope | None,
    actor: User | None,
    indicator_set: IndicatorSet,
    org: Organization,
    quarter: int,
) -> Assessment:
    scope = acting_scope(actor, scope)
    _require_assessor(scope, indicator_set)
    if not org.path.startswith(indicator_set.org_path) or org.pk == indicator_set.org_id:
        msg = gettext("被考评党组织应在考评单位之下。")
        raise ServiceError(msg, fields={"org": msg})
    if not indicator_set.published:
        raise ConflictError(gettext("考评标准尚未发布，请先发布再开始考评。"))
    if quarter not in (1, 2, 3, 4):
        msg = gettext("季度应为1至4。")
        raise ServiceError(msg, fields={"quarter": msg})
    try:
        with transaction.atomic():
            a = Assessment.objects.create(
                indicator_set=indicator_set, org=org, org_path=org.path, quarter=quarter
            )
    except IntegrityError:
        raise ConflictError(gettext("该党组织本季度的考评已经开始。")) from None
    Score.objects.bulk_create(
        Score(assessment=a, indicator=leaf) for leaf in selectors.leaves(indicator_set)
    )
    audit(actor=actor, action="appraisal.assessment_open", obj=a)
    return a


def _checked_scores(
    assessment: Assessment, values: dict[int, object], field: str
) -> dict[int, tuple[Score, Decimal]]:
    """Each value between 0 and its leaf's maximum, else a field error per leaf."""
    by_id = {s.indicator_id: s for s in selectors.scores(assessment)}
    errors: dict[str, str] = {}
    out: dict[int, tuple[Score, Decimal]] = {}
    for ind_id, raw in values.items():
        s = by_id.get(ind_id)
        name = f"{field}_{ind_id}"
        if s is None:
            errors[name] = gettext("该指标不在本次考评中。")
            continue
        if raw is None or str(raw).strip() == "":
            continue
        try:
            d = Decimal(str(raw).strip())
        except (InvalidOperation, ValueError):
            errors[name] = gettext("“%(name)s”的得分应为数字。") % {"name": s.indicator.name}
            continue
        if not d.is_finite() or d < 0:
            errors[name] = gettext("“%(name)s”的得分不能为负数。") % {"name": s.indicator.name}
        elif d > s.indicator.weight:
            errors[name] = gettext("“%(name)s”的得分不能超过该项分值%(max)s分。") % {
                "name": s.indicator.name,
                "max": pts(s.indicator.weight),
            }
        elif d != d.quantize(Decimal("0.1")):
            errors[name] = gettext("“%(name)s”的得分最多保留一位小数。") % {
                "name": s.indicator.name
            }
        else:
            out[ind_id] = (s, d)
    if errors:
        raise ServiceError(gettext("得分有误，请按提示修改。"), fields=errors)
    return out


@transaction.atomic
def self_score_save(
    *,
    scope: Scope | None,
    actor: User | None,
    assessment: Assessment,
    scores: dict[int, object],
    notes: dict[int, str] | None = None,
    evidence: dict[int, UploadedFile] | None = None,
) -> Assessment:
    scope = acting_scope(actor, scope)
    _require_self(scope, assessment)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ConflictError(gettext("自评已提交，不能再修改。"))
    checked = _checked_scores(assessment, scores, "self")
    notes = notes or {}
    stored: list[str] = []
    try:
        for ind_id, (s, d) in checked.items():
            s.self_score = d
            s.self_note = (notes.get(ind_id) or s.self_note)[:500]
            f = (evidence or {}).get(ind_id)
            if f is not None:
                kept = uploads.store(
                    f, allowed=uploads.IMAGES_AND_PDF, max_bytes=EVIDENCE_MAX, folder="appraisal"
                )
                stored.append(kept.name)
                s.evidence_file, s.evidence_type = kept.name, kept.content_type
            s.save(update_fields=["self_score", "self_note", "evidence_file", "evidence_type"])
    except Exception:
        for name in stored:
            uploads.delete(name)
        raise
    audit(
        actor=actor,
        action="appraisal.self_score_save",
        obj=assessment,
        diff={str(k): str(v[1]) for k, v in checked.items()},
    )
    return assessment


@transaction.atomic
def self_score_submit(
    *, scope: Scope | None, actor: User | None, assessment: Assessment
) -> Assessment:
    scope = acting_scope(actor, scope)
    _require_self(scope, assessment)
    if assessment.status != AssessmentStatus.DRAFT:
        raise ConflictError(gettext("自评已提交。"))
    missing = [s.indicator.name for s in selectors.scores(assessment) if s.self_score is None]
    if missing:
        raise ServiceError(
            gettext("还有%(n)s项指标未自评（%(first)s等），请全部填写后提交。")
            % {"n": len(missing), "first": missing[0]}
        )
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.SUBMITTED)
    assessment.status = AssessmentStatus.SUBMITTED
    audit(actor=actor, action="appraisal.self_score_submit", obj=assessment)
    return assessment


@transaction.atomic
def assessor_score_save(
    *,
    scope: Scope | None,
    actor: User | None,
    assessment: Assessment,
    scores: dict[int, object],
    notes: dict[int, str] | None = None,
) -> Assessment:
    scope = acting_scope(actor, scope)
    _require_assessor(scope, assessment.indicator_set)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ConflictError(gettext("只有已提交自评、待上级考评的考评才能评分。"))
    checked = _checked_scores(assessment, scores, "assessor")
    notes = notes or {}
    for ind_id, (s, d) in checked.items():
        s.assessor_score = d
        s.assessor_note = (notes.get(ind_id) or s.assessor_note)[:500]
        s.save(update_fields=["assessor_score", "assessor_note"])
    audit(
        actor=actor,
        action="appraisal.assessor_score_save",
        obj=assessment,
        diff={str(k): str(v[1]) for k, v in checked.items()},
    )
    return assessment


@transaction.atomic
def assessment_assess(
    *, scope: Scope | None, actor: User | None, assessment: Assessment, today: dt.date | None = None
) -> Assessment:
    """The assessor's scores are complete: the appeal window opens for ``appeal_days``."""
    scope = acting_scope(actor, scope)
    _require_assessor(scope, assessment.indicator_set)
    if assessment.status != AssessmentStatus.SUBMITTED:
        raise ConflictError(gettext("只有待上级考评的考评才能确认评分。"))
    missing = [s for s in selectors.scores(assessment) if s.assessor_score is None]
    if missing:
        raise ServiceError(
            gettext("还有%(n)s项指标未评分，请全部评分后确认。") % {"n": len(missing)}
        )
    day = _today(today)
    assessment.status = AssessmentStatus.ASSESSED
    assessment.assessed_on = day
    assessment.appeal_deadline = day + dt.timedelta(days=assessment.indicator_set.appeal_days)
    assessment.save(update_fields=["status", "assessed_on", "appeal_deadline"])
    audit(actor=actor, action="appraisal.assessment_assess", obj=assessment)
    return assessment


@transaction.atomic
def appeal_file(
    *,
    scope: Scope | None,
    actor: User | None,
    assessment: Assessment,
    indicator_id: int,
    reason: str,
    today: dt.date | None = None,
) -> Appeal:
    scope = acting_scope(actor, scope)
    _require_self(scope, assessment)
    day = _today(today)
    if assessment.status != AssessmentStatus.ASSESSED or assessment.appeal_deadline is None:
        raise ConflictError(gettext("该考评不在申诉期内。"))
    if assessment.indicator_set.appeal_days == 0 or day > assessment.appeal_deadline:
        raise ConflictError(
            gettext("申诉期已于%(d)s截止，不能再申诉。")
            % {"d": assessment.appeal_deadline.isoformat()}
        )
    score = Score.objects.filter(assessment=assessment, indicator_id=indicator_id).first()
    if score is None:
        msg = gettext("请选择要申诉的指标。")
        raise ServiceError(msg, fields={"indicator": msg})
    if not reason.strip():
        msg = gettext("请填写申诉理由。")
        raise ServiceError(msg, fields={"reason": msg})
    appeal = Appeal.objects.create(
        assessment=assessment,
        score=score,
        reason=reason.strip()[:500],
        filed_by=saved_user(actor),
        filed_on=day,
    )
    audit(actor=actor, action="appraisal.appeal_file", obj=appeal, org_path=assessment.org_path)
    return appeal


@transaction.atomic
def appeal_decide(
    *,
    scope: Scope | None,
    actor: User | None,
    appeal: Appeal,
    upheld: bool,
    decision: str,
    new_score: object = None,
) -> Appeal:
    scope = acting_scope(actor, scope)
    assessment = appeal.assessment
    _require_assessor(scope, assessment.indicator_set)
    if appeal.status != AppealStatus.OPEN:
        raise ConflictError(gettext("该申诉已处理。"))
    if not decision.strip():
        msg = gettext("请填写处理意见。")
        raise ServiceError(msg, fields={"decision": msg})
    if upheld:
        if new_score is None or str(new_score).strip() == "":
            msg = gettext("申诉成立时请填写调整后的得分。")
            raise ServiceError(msg, fields={"new_score": msg})
        checked = _checked_scores(assessment, {appeal.score.indicator_id: new_score}, "new_score")
        s, d = checked[appeal.score.indicator_id]
        Score.objects.filter(pk=s.pk).update(assessor_score=d)
    appeal.status = AppealStatus.UPHELD if upheld else AppealStatus.REJECTED
    appeal.decision = decision.strip()[:500]
    appeal.save(update_fields=["status", "decision"])
    audit(actor=actor, action="appraisal.appeal_decide", obj=appeal, org_path=assessment.org_path)
    return appeal


@transaction.atomic
def assessment_finalize(
    *, scope: Scope | None, actor: User | None, assessment: Assessment, today: dt.date | None = None
) -> Assessment:
    """After the appeal window (and every appeal decided): the final score and the quarter's
    snapshot, never recomputed afterwards."""
    scope = acting_scope(actor, scope)
    _require_assessor(scope, assessment.indicator_set)
    if assessment.status != AssessmentStatus.ASSESSED or assessment.appeal_deadline is None:
        raise ConflictError(gettext("只有申诉期中的考评才能定分。"))
    day = _today(today)
    if assessment.indicator_set.appeal_days and day <= assessment.appeal_deadline:
        raise ConflictError(
            gettext("申诉期至%(d)s，期满后才能定分。")
            % {"d": assessment.appeal_deadline.isoformat()}
        )
    if Appeal.objects.filter(assessment=assessment, status=AppealStatus.OPEN).exists():
        raise ConflictError(gettext("还有未处理的申诉，请处理后再定分。"))
    tree = selectors.indicator_tree(assessment.indicator_set)
    top = selectors.top_of(tree)
    by_top: dict[int, Decimal] = {n.indicator.pk: Decimal(0) for n in tree}
    total = Decimal(0)
    for s in selectors.scores(assessment):
        v = s.assessor_score or Decimal(0)
        total += v
        by_top[top[s.indicator_id].indicator.pk] += v
    wanted = {s.indicator.metric for s in selectors.scores(assessment) if s.indicator.metric}
    year, quarter = assessment.indicator_set.year, assessment.quarter
    figures = selectors.metrics([assessment.org], year, quarter, wanted)
    assessment.status = AssessmentStatus.FINAL
    assessment.final_total = total
    assessment.snapshot = {
        "total": str(total),
        "top": [
            {
                "name": n.indicator.name,
                "weight": str(n.weight),
                "score": str(by_top[n.indicator.pk]),
            }
            for n in tree
        ],
        "metrics": {k: v for (_o, k), v in figures.items()},
        "finalized_on": day.isoformat(),
    }
    assessment.save(update_fields=["status", "final_total", "snapshot"])
    audit(
        actor=actor,
        action="appraisal.assessment_finalize",
        obj=assessment,
        diff={"total": str(total)},
    )
    return assessment
