"""The 工作台's figures read from the rollups: the panels' stored figures
(core.registry.figure_store) and the head figures (core.registry.dashboard_source), the same
context keys as the live figures of orgs and members (``orgs``, ``org_total``,
``secretaries``, ``members``, ``member_total``), so the page keeps its look.

Rollups are per subtree: they answer for a superuser and for a user whose organization and
member grants are the same subtrees (the usual secretary, street or district staff). For any
other scope (area grants, single-node grants) this returns None and the figures are live."""

from __future__ import annotations

from typing import Any

from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import Length
from django.http import HttpRequest

from tongxin.core.metrics import MIN_PEOPLE, all_metrics, get_metric
from tongxin.core.registry import (
    BreakdownFn,
    StoredFigures,
    SubtreeFigures,
    stored_figures_for,
)
from tongxin.core.scope import STEPLEN, Scope
from tongxin.insights import selectors
from tongxin.insights.models import PeriodKind, Rollup, RollupRun, Tree
from tongxin.orgs.models import Organization
from tongxin.orgs.selectors import SecretaryStats


def _subtree_paths(scope: Scope, perm: str) -> set[str] | None:
    grants = scope.grants.get(perm, [])
    if any(g.kind != "org" or not g.subtree for g in grants):
        return None
    return {g.path for g in grants}


def _top_paths(scope: Scope) -> list[str]:
    """The paths of the user's top organizations (no query): for a superuser, the roots of
    the tree (one step long)."""
    if scope.is_superuser:
        return []
    paths = {g.path for g in scope.grants.get(selectors.PERM, [])}
    return sorted(p for p in paths if not any(p != q and p.startswith(q) for q in paths))


def stored_figures(
    request: HttpRequest, scope: Scope, keys: frozenset[str]
) -> StoredFigures | None:
    """The day's rollups of the user's top organizations, summed (core.registry.figure_store).

    One query: every metric's rollup at the top organizations' paths, of the latest day stored
    and of the latest month (the day's month so far), with the latest refresh's end (``as_of``).
    None for a scope rollups cannot sum (area grants, single-node grants, organization and member grants
    that differ) or when nothing is stored yet. The figures are of the user's own top level,
    where small counts of people are shown (the 工作台's rule)."""
    if not scope.is_superuser:
        org_paths = _subtree_paths(scope, selectors.PERM)
        if not org_paths or org_paths != _subtree_paths(scope, selectors.PEOPLE_PERM):
            return None
    roots = _top_paths(scope)
    if not roots and not scope.is_superuser:
        return None

    def latest(period: str) -> Subquery:
        starts = Rollup.objects.filter(tree=Tree.ORG, period=period).order_by("-start")
        return Subquery(starts.values("start")[:1])

    at = Rollup.objects.filter(path__in=roots)
    if scope.is_superuser:  # the roots of the tree: paths one step long
        at = Rollup.objects.annotate(path_len=Length("path")).filter(path_len=Organization.steplen)
    # "数据截至": the latest refresh's end (a refresh leaves the rows of unchanged figures
    # alone, so a row's own as_of may be older), read in the same query
    run_end = Subquery(RollupRun.objects.order_by("-finished_at").values("finished_at")[:1])
    rows = (
        at.filter(
            Q(period=PeriodKind.DAY, start=latest(PeriodKind.DAY))
            | Q(period=PeriodKind.MONTH, start=latest(PeriodKind.MONTH)),
            tree=Tree.ORG,
        )
        .annotate(run_end=run_end)
        .values_list("period", "metric", "value", "run_end")
    )
    day: dict[str, float] = {}
    month: dict[str, float] = {}
    as_of = None
    for period, metric, value, stamp in rows:
        into = day if period == PeriodKind.DAY else month
        into[metric] = into.get(metric, 0.0) + value
        if period == PeriodKind.DAY:
            as_of = stamp
    if as_of is None:
        return None
    return StoredFigures(
        _derive(day), as_of, tuple(roots), _derive(month), breakdown=_breakdown(roots)
    )


DESCENTS = 3  # a breakdown goes down at most this many levels while a single node holds all


def _breakdown(roots: list[str]) -> BreakdownFn:
    """``StoredFigures.breakdown`` for the user's top organizations ``roots`` (none: the roots
    of the tree, for a superuser): the figures with the organizations' names, two levels at a
    time (one query, but for a third level down)."""
    day_start = Subquery(
        Rollup.objects.filter(tree=Tree.ORG, period=PeriodKind.DAY)
        .order_by("-start")
        .values("start")[:1]
    )
    name = Subquery(Organization.objects.filter(path=OuterRef("path")).values("name")[:1])

    def below(keys: tuple[str, ...], holding: str) -> list[SubtreeFigures]:
        wanted = set(keys) | {holding}
        for key in keys:
            m = get_metric(key)
            if m is not None and m.ratio is not None:
                wanted.update(m.ratio)
        rows: dict[str, tuple[str, dict[str, float]]] = {}
        known: set[str] = set()  # nodes whose children's rows are fetched ("": the tree's)

        def fetch(under: str) -> None:
            """The rows of ``under`` (a top, for several tops), of its children and of their
            children."""
            qs = Rollup.objects.filter(
                tree=Tree.ORG, period=PeriodKind.DAY, start=day_start, metric__in=sorted(wanted)
            ).annotate(path_len=Length("path"))
            n = len(under)
            if under or not roots:
                qs = qs.filter(
                    Q(path=under) | Q(path__startswith=under, path_len__gt=n),
                    path_len__lte=n + 2 * STEPLEN,
                )
                known.add(under)
            else:
                qs = qs.filter(path__in=roots)
            for path, org_name, metric, value in qs.annotate(org_name=name).values_list(
                "path", "org_name", "metric", "value"
            ):
                rows.setdefault(path, (org_name or path, {}))[1][metric] = value
                if len(path) == n + STEPLEN:
                    known.add(path)

        def holders(under: str) -> list[str]:
            """The children of ``under`` holding something, else ``under`` itself (a node
            whose figures are its own: a branch); "" with several tops: the tops."""
            if under not in known:
                fetch(under)
            held = [p for p, (_n, v) in rows.items() if v.get(holding)]
            if not under and roots:
                return sorted(p for p in held if p in roots)
            children = [p for p in held if p.startswith(under) and len(p) == len(under) + STEPLEN]
            return sorted(children) or [p for p in held if p == under]

        found = holders(roots[0] if len(roots) == 1 else "")
        for _ in range(DESCENTS):
            if len(found) != 1:
                break
            deeper = holders(found[0])
            if found[0] in deeper:
                break
            found = deeper
        tops = set(roots)
        return [
            SubtreeFigures(
                path, rows[path][0], _shown(_derive(rows[path][1]), hide=path not in tops)
            )
            for path in found
        ]

    return below


def _shown(values: dict[str, float | None], *, hide: bool) -> dict[str, float | None]:
    """Below the user's top, a count of fewer than five persons (or a ratio over fewer) is
    None: it would point at individuals."""
    if not hide:
        return values
    out = dict(values)
    for m in all_metrics():
        if not m.people or m.key not in out:
            continue
        base = values.get(m.ratio[1]) if m.ratio is not None else values.get(m.key)
        if base is not None and 0 < base < MIN_PEOPLE:
            out[m.key] = None
    return out


def _derive(totals: dict[str, float]) -> dict[str, float | None]:
    """Every metric's value from summed rollups: a ratio from its summed parts."""
    values: dict[str, float | None] = {}
    for m in all_metrics():
        if m.ratio is None:
            values[m.key] = totals.get(m.key, 0.0)
        else:
            num, den = totals.get(m.ratio[0], 0.0), totals.get(m.ratio[1], 0.0)
            values[m.key] = round(m.scale * num / den, 1) if den else None
    return values


def head_figures(request: HttpRequest, scope: Scope) -> dict[str, Any] | None:
    stored = stored_figures_for(request, scope)
    if stored is None:
        return None
    totals = stored.values

    def group(prefix: str) -> dict[str, int]:
        return {
            str(m.label): int(totals.get(m.key) or 0)
            for m in all_metrics()
            if m.key.startswith(prefix)
        }

    orgs = {"by_kind": group("orgs.kind."), "by_sector": group("orgs.sector.")}
    members = {
        "by_status": group("members.status."),
        "by_age": group("members.age."),
        "by_education": group("members.education."),
    }
    n = stored.count("orgs.secretaries")
    age_sum = totals.get("orgs.secretaries_age_sum") or 0.0
    return {
        "orgs": orgs,
        "org_total": stored.count("orgs.total"),
        "secretaries": SecretaryStats(
            secretaries=n,
            dual_role=stored.count("orgs.secretaries_dual"),
            average_age=round(age_sum / n, 1) if n else None,
            college_or_above=stored.count("orgs.secretaries_college"),
        ),
        "members": members,
        "member_total": stored.count("members.total"),
        "figures_as_of": stored.as_of,
    }
