"""考评 pages: 千分制 (indicator sets, quarterly assessments) for staff at the desk."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods

from tongxin.accounts.scope import request_user
from tongxin.appraisal import selectors
from tongxin.appraisal.models import (
    AssessmentStatus,
    CheckMethod,
    Level,
    Metric,
)
from tongxin.appraisal.services import assessment as svc
from tongxin.core import uploads
from tongxin.core.errors import ServiceError
from tongxin.core.inputs import parse_pk
from tongxin.core.scope import Scope, request_scope
from tongxin.orgs.models import Organization


def _staff(request: HttpRequest) -> Scope:
    scope = request_scope(request)
    if not (scope.is_superuser or scope.has(selectors.MANAGE) or scope.has(selectors.VIEW)):
        raise Http404
    return scope


def _int(value: object, default: int = 0) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def _refused(request: HttpRequest, err: ServiceError) -> dict[str, str]:
    messages.error(request, err.message)
    return dict(err.fields)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    return render(
        request,
        "appraisal/index.html",
        {
            "sets": selectors.set_list(scope)[:100],
            "own": selectors.own_assessments(scope)[:50],
            "reviews": selectors.review_list(scope)[:100],
            "can_manage": scope.is_superuser or scope.has(selectors.MANAGE),
        },
    )


def manage_orgs(scope: Scope, limit: int = 300) -> list[Organization]:
    return list(
        Organization.objects.filter(scope.orgs_q(selectors.MANAGE))
        .filter(depth__lte=4)
        .order_by("path")[:limit]
    )


@login_required
@require_http_methods(["GET", "POST"])
def set_create(request: HttpRequest) -> HttpResponse:
    scope = _staff(request)
    orgs = manage_orgs(scope)
    errors: dict[str, str] = {}
    if request.method == "POST":
        org = next((o for o in orgs if o.pk == parse_pk(request.POST.get("org"))), None)
        if org is None:
            errors["org"] = gettext("请选择考评单位。")
            messages.error(request, gettext("请选择考评单位。"))
        else:
            try:
                s = svc.indicator_set_create(
                    scope=scope,
                    actor=request_user(request),
                    org=org,
                    year=_int(request.POST.get("year")),
                    level=request.POST.get("level", ""),
                    name=request.POST.get("name", ""),
                    appeal_days=_int(request.POST.get("appeal_days"), -1),
                )
                return redirect("appraisal:set", s.pk)
            except ServiceError as err:
                errors = _refused(request, err)
    return render(
        request,
        "appraisal/set_form.html",
        {
            "orgs": orgs,
            "levels": Level.choices,
            "errors": errors,
            "post": request.POST,
            "year": timezone.localdate().year,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _staff(request)
    s = selectors.get_set_for(scope, pk)
    assessor = selectors.may_assess(scope, s)
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not assessor:
            raise Http404
        action = request.POST.get("action")
        actor = request_user(request)
        try:
            if action == "indicator":
                parent_pk = parse_pk(request.POST.get("parent"))
                parent = selectors.indicator_in(s, parent_pk) if parent_pk else None
                svc.indicator_add(
                    scope=scope,
                    actor=actor,
                    indicator_set=s,
                    data=svc.IndicatorInput(
                        name=request.POST.get("name", ""),
                        weight=request.POST.get("weight") or "0",
                        parent=parent,
                        check_method=request.POST.get("check_method", ""),
                        deduction_rule=request.POST.get("deduction_rule", ""),
                        metric=request.POST.get("metric", ""),
                    ),
                )
            elif action == "publish":
                svc.indicator_set_publish(scope=scope, actor=actor, indicator_set=s)
            elif action == "open":
                org = (
                    selectors.org_choices(scope, s)
                    .filter(pk=parse_pk(request.POST.get("org")) or 0)
                    .first()
                )
                if org is None:
                    raise ServiceError(
                        gettext("请选择被考评党组织。"),
                        fields={"org": gettext("请选择被考评党组织。")},
                    )
                a = svc.assessment_open(
                    scope=scope,
                    actor=actor,
                    indicator_set=s,
                    org=org,
                    quarter=_int(request.POST.get("quarter")),
                )
                return redirect("appraisal:assessment", a.pk)
            return redirect("appraisal:set", s.pk)
        except ServiceError as err:
            errors = _refused(request, err)
    tree = selectors.indicator_tree(s)
    flat: list[tuple[int, selectors.Node]] = []

    def walk(n: selectors.Node, depth: int) -> None:
        flat.append((depth, n))
        for c in n.children:
            walk(c, depth + 1)

    for r in tree:
        walk(r, 0)
    assessments = list(selectors.assessment_list(scope, s))
    quarters = sorted({a.quarter for a in assessments})
    return render(
        request,
        "appraisal/set_detail.html",
        {
            "s": s,
            "rows": flat,
            "total": selectors.leaf_total(s),
            "assessor": assessor,
            "errors": errors,
            "post": request.POST,
            "methods": CheckMethod.choices,
            "metrics": Metric.choices,
            "org_choices": selectors.org_choices(scope, s)[:300] if assessor else [],
            "assessments": assessments,
            "rankings": [(q, selectors.ranking(scope, s, q)) for q in quarters],
        },
    )


def _score_values(request: HttpRequest, prefix: str) -> tuple[dict[int, object], dict[int, str]]:
    scores: dict[int, object] = {}
    notes: dict[int, str] = {}
    for key in request.POST:
        value = request.POST.get(key, "")
        if key.startswith(prefix + "_"):
            pk = parse_pk(key[len(prefix) + 1 :])
            if pk is not None:
                scores[pk] = value
        elif key.startswith("note_"):
            pk = parse_pk(key[5:])
            if pk is not None:
                notes[pk] = value
    return scores, notes


def _act_on_assessment(request: HttpRequest, scope: Scope, a: Any, action: str) -> None:
    actor = request_user(request)
    if action == "self_save" or action == "self_submit":
        scores, notes = _score_values(request, "self")
        files = {}
        for key in request.FILES:
            pk = parse_pk(key[9:]) if key.startswith("evidence_") else None
            f = request.FILES.get(key)
            if pk is not None and f is not None:
                files[pk] = f
        svc.self_score_save(
            scope=scope, actor=actor, assessment=a, scores=scores, notes=notes, evidence=files
        )
        if action == "self_submit":
            svc.self_score_submit(scope=scope, actor=actor, assessment=a)
    elif action == "assessor_save" or action == "assess":
        scores, notes = _score_values(request, "assessor")
        svc.assessor_score_save(scope=scope, actor=actor, assessment=a, scores=scores, notes=notes)
        if action == "assess":
            svc.assessment_assess(scope=scope, actor=actor, assessment=a)
    elif action == "appeal":
        svc.appeal_file(
            scope=scope,
            actor=actor,
            assessment=a,
            indicator_id=parse_pk(request.POST.get("indicator")) or 0,
            reason=request.POST.get("reason", ""),
        )
    elif action == "decide":
        appeal = selectors.get_appeal_for(scope, request.POST.get("appeal"))
        svc.appeal_decide(
            scope=scope,
            actor=actor,
            appeal=appeal,
            upheld=request.POST.get("upheld") == "1",
            decision=request.POST.get("decision", ""),
            new_score=request.POST.get("new_score"),
        )
    elif action == "finalize":
        svc.assessment_finalize(scope=scope, actor=actor, assessment=a)
    else:
        raise Http404


@login_required
@require_http_methods(["GET", "POST"])
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scope = _staff(request)
    a = selectors.get_assessment_for(scope, pk)
    s = a.indicator_set
    assessor = selectors.may_assess(scope, s)
    own = selectors.may_self_score(scope, a)
    errors: dict[str, str] = {}
    posted: dict[str, object] = {}
    if request.method == "POST":
        if not (assessor or own):
            raise Http404
        try:
            _act_on_assessment(request, scope, a, request.POST.get("action", ""))
            return redirect("appraisal:assessment", a.pk)
        except ServiceError as err:
            errors = _refused(request, err)
            posted = {k: request.POST.get(k, "") for k in request.POST}
            a = selectors.get_assessment_for(scope, pk)
    score_rows = selectors.scores(a)
    tree = selectors.indicator_tree(s)
    top = selectors.top_of(tree)
    wanted = {r.indicator.metric for r in score_rows if r.indicator.metric}
    figures = selectors.metrics([a.org], s.year, a.quarter, wanted)
    if a.status == AssessmentStatus.FINAL and a.snapshot.get("metrics"):
        figures = {(a.org_id, k): v for k, v in a.snapshot["metrics"].items()}
    by_top: dict[int, float] = {n.indicator.pk: 0.0 for n in tree}
    for r in score_rows:
        v = r.assessor_score if r.assessor_score is not None else r.self_score
        by_top[top[r.indicator_id].indicator.pk] += float(v or 0)
    axes = [
        (n.indicator.name, by_top[n.indicator.pk] / float(n.weight) if n.weight else 0.0)
        for n in tree
    ]
    rows = [
        {
            "s": r,
            "top": top[r.indicator_id].indicator.name,
            "metric": figures.get((a.org_id, r.indicator.metric), "") if r.indicator.metric else "",
            # After a refusal the page shows what was typed, not what was saved.
            "self_value": posted.get(f"self_{r.indicator_id}", r.self_score),
            "assessor_value": posted.get(f"assessor_{r.indicator_id}", r.assessor_score),
            "note_value": posted.get(f"note_{r.indicator_id}")
            or (r.self_note if a.status == AssessmentStatus.DRAFT else r.assessor_note),
            "self_error": errors.get(f"self_{r.indicator_id}", ""),
            "assessor_error": errors.get(f"assessor_{r.indicator_id}", ""),
            "new_error": errors.get(f"new_score_{r.indicator_id}", ""),
        }
        for r in score_rows
    ]
    return render(
        request,
        "appraisal/assessment.html",
        {
            "a": a,
            "s": s,
            "rows": rows,
            "own": own,
            "assessor": assessor,
            "editing_self": own and a.status == AssessmentStatus.DRAFT,
            "editing_assessor": assessor and a.status == AssessmentStatus.SUBMITTED,
            "errors": errors,
            "appeals": list(selectors.appeals(a)),
            "radar": selectors.radar_points(axes),
            "axes": [(name, round(share * 100)) for name, share in axes],
            "self_total": _total([r.self_score for r in score_rows]),
            "assessor_total": _total([r.assessor_score for r in score_rows]),
            "today": timezone.localdate(),
        },
    )


def _total(values: list[Decimal | None]) -> Decimal | None:
    """The sum of what has been scored, or None (shown as —) before anything is."""
    scored = [v for v in values if v is not None]
    return sum(scored, Decimal(0)) if scored else None


@login_required
@require_GET
def evidence(request: HttpRequest, pk: int, score_pk: int) -> HttpResponseBase:
    scope = _staff(request)
    a = selectors.get_assessment_for(scope, pk)
    row = next((r for r in selectors.scores(a) if r.pk == score_pk and r.evidence_file), None)
    if row is None:
        raise Http404
    return uploads.serve(row.evidence_file, row.evidence_type, f"assessment-{a.pk}-{row.pk}")
