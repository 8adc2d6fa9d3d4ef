"""Every read of cases, filtered by a Scope.

How the Scope applies to cases (DESIGN §3.1, §4.6):

- Street, community and grid staff reach the cases **in the areas** they hold ``cases.view``
  for: an area grant reaches its area (subtree); an organization grant reaches the area the
  organization is anchored in (a 街道党工委 anchored on 南门街道 reaches every case there).
- Department handlers (role 部门处置人员, the grants that carry ``cases.handle``) reach only the
  cases **dispatched to their agencies** (AgencyMember), within the area of that grant: the
  agency routing suggests at report time is not a dispatch, so a reported or accepted case is
  not theirs yet (``Case.dispatched_at``). Of its history they see the steps from the dispatch
  on (``case_history``). Their ``cases.view`` grant alone does not open the whole area to them.
- Residents reach their own cases (``resident_case_for``) and, of each step, the public reply
  only (``resident_history``); anyone reaches a case's public status by its tracking code
  (``public_case_by_code``), without names, phones or notes.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, cast

from django.apps import apps
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from tongxin.cases.models import (
    OPEN_STATES,
    Agency,
    AgencyMember,
    ApiKey,
    Case,
    CaseEvent,
    CasePhoto,
    Category,
    RoutingRule,
    State,
)
from tongxin.cases.text import jaccard, tokens
from tongxin.core.inputs import parse_pk
from tongxin.core.scope import NOTHING, Grant, Scope, subtree_q
from tongxin.geo.models import Area
from tongxin.orgs.models import Organization

CASE_NOT_FOUND = gettext_noop("事件不存在或不在您的管辖范围内。")
# The grid worker's own step (网格呼叫, 就地解决) is not a role permission: it belongs to the
# 网格员 (GridWorker) of the grid whose compounds hold the case, as 部门报到 belongs to the
# agency's handlers. ``can(scope, case, GRID_STEP)`` answers it.
GRID_STEP = "cases.grid"

_TRACKING_CODE = re.compile(r"[A-Z0-9]{1,12}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _org_area_paths(scope: Scope, grants: list[Grant]) -> dict[str, str]:
    """org path -> its anchor area's path, one query per request (memoized)."""
    key = "cases:org_areas"
    memo = scope.memo.get(key)
    if memo is None:
        paths = sorted({g.path for g in grants if g.kind == "org"})
        memo = dict(
            Organization.objects.filter(path__in=paths, area__isnull=False).values_list(
                "path", "area__path"
            )
        )
        scope.memo[key] = memo
    return cast("dict[str, str]", memo)


def _area_grants(scope: Scope, perm: str) -> list[tuple[str, bool]]:
    """(area path, subtree) for every grant of ``perm`` that reaches cases by area (not the
    department handler's grants)."""
    handle = set(scope.grants.get("cases.handle", []))
    grants = [g for g in scope.grants.get(perm, []) if g not in handle or perm == "cases.handle"]
    org_areas = _org_area_paths(scope, [g for gs in scope.grants.values() for g in gs])
    out = []
    for g in grants:
        if g.kind == "area":
            out.append((g.path, g.subtree))
        elif g.path in org_areas:
            # An organization reaches its area's subtree: a 社区党委 covers its community.
            out.append((org_areas[g.path], True))
    return out


def _paths_q(pairs: list[tuple[str, bool]], field: str = "area_path") -> Q | None:
    out: Q | None = None
    for path, subtree in pairs:
        q = subtree_q(field, path) if subtree else Q(**{field: path})
        out = q if out is None else out | q
    return out


def user_agency_ids(scope: Scope) -> list[int]:
    key = "cases:agencies"
    if key not in scope.memo:
        scope.memo[key] = (
            list(
                AgencyMember.objects.filter(user_id=scope.user_id).values_list(
                    "agency_id", flat=True
                )
            )
            if scope.user_id
            else []
        )
    return cast("list[int]", scope.memo[key])


def cases_q(scope: Scope, perm: str = "cases.view") -> Q:
    if scope.is_superuser:
        return Q()
    parts: list[Q] = []
    if perm != "cases.handle":
        by_area = _paths_q(_area_grants(scope, perm))
        if by_area is not None:
            parts.append(by_area)
    handle = scope.grants.get("cases.handle", [])
    if handle and perm in ("cases.view", "cases.handle"):
        agencies = user_agency_ids(scope)
        areas = _paths_q(_area_grants(scope, "cases.handle"))
        if agencies and areas is not None:
            parts.append(Q(agency_id__in=agencies, dispatched_at__isnull=False) & areas)
    if not parts:
        return NOTHING
    out = parts[0]
    for p in parts[1:]:
        out |= p
    return out


def case_queryset(scope: Scope, perm: str = "cases.view") -> QuerySet[Case]:
    return Case.objects.filter(cases_q(scope, perm))


def get_case_for(scope: Scope, pk: object, perm: str = "cases.view") -> Case:
    try:
        return (
            case_queryset(scope, perm)
            .select_related("category", "area", "agency", "merged_into")
            .get(pk=parse_pk(pk) or 0)
        )
    except Case.DoesNotExist:
        raise Http404(gettext(CASE_NOT_FOUND)) from None


def grid_paths(scope: Scope) -> list[str]:
    """The paths of the compounds in the grids the user works in as a 网格员 (one query per
    request, memoized; none without the grids module)."""
    key = "cases:grid_paths"
    if key not in scope.memo:
        paths: list[str] = []
        if scope.user_id and apps.is_installed("tongxin.grids"):
            paths = sorted(
                set(
                    Area.objects.filter(grids__workers__user_id=scope.user_id).values_list(
                        "path", flat=True
                    )
                )
            )
        scope.memo[key] = paths
    return cast("list[str]", scope.memo[key])


def in_my_grid(scope: Scope, case: Case) -> bool:
    """The grid worker's step: the case lies in a compound (or one of its buildings) of a grid
    the user works in, and the user may report cases there. Held by grid workers only, not
    by superusers: the step is the grid's, not the administrator's."""
    if not any(case.area_path.startswith(p) for p in grid_paths(scope)):
        return False
    return scope.is_superuser or any(
        case.area_path == path or (subtree and case.area_path.startswith(path))
        for path, subtree in _area_grants(scope, "cases.report")
    )


def can(scope: Scope, case: Case, perm: str) -> bool:
    """Whether the user may act on this case with ``perm`` (cases.manage / cases.handle, or
    GRID_STEP for the grid worker's step)."""
    if perm == GRID_STEP:
        return in_my_grid(scope, case)
    if scope.is_superuser:
        return True
    # Handling only once dispatched to the user's agency (the routed agency is a suggestion).
    if perm == "cases.handle" and (
        case.dispatched_at is None or case.agency_id not in user_agency_ids(scope)
    ):
        return False
    for path, subtree in _area_grants(scope, perm):
        if case.area_path == path or (subtree and case.area_path.startswith(path)):
            return True
    return False


def reaches_area(scope: Scope, area: Area, perm: str) -> bool:
    if scope.is_superuser:
        return True
    return any(
        area.path == path or (subtree and area.path.startswith(path))
        for path, subtree in _area_grants(scope, perm)
    )


def report_areas(scope: Scope) -> QuerySet[Area]:
    """Where a staff user may report a case: communities, compounds and buildings in reach."""
    q = Q() if scope.is_superuser else _paths_q(_area_grants(scope, "cases.report"), "path")
    if q is None:
        return Area.objects.none()
    return Area.objects.filter(q, level__in=["community", "compound", "building"]).order_by("path")


# ---------------------------------------------------------------- lists and inboxes

LIST_RELATED = ("category", "area", "agency")

INBOXES = {
    # key: (label, states, perm that sees it); "grid" also needs a grid (grid_paths)
    "grid": (gettext_lazy("网格待呼叫"), ("reported",), "cases.report"),
    "accept": (gettext_lazy("待受理"), ("reported", "called", "escalated"), "cases.manage"),
    "dispatch": (gettext_lazy("待派遣"), ("accepted", "returned"), "cases.manage"),
    "claim": (gettext_lazy("待报到"), ("dispatched",), "cases.handle"),
    "handling": (gettext_lazy("处置中"), ("claimed",), "cases.handle"),
    "verify": (gettext_lazy("待核查"), ("resolved",), "cases.manage"),
    "close": (gettext_lazy("待结案"), ("verified",), "cases.manage"),
    "overdue": (gettext_lazy("已超期"), OPEN_STATES, "cases.view"),
    "all": (gettext_lazy("全部"), (), "cases.view"),
}


@dataclass
class CaseFilters:
    inbox: str = "all"
    category: str = ""
    state: str = ""
    text: str = ""


def inboxes_for(scope: Scope) -> list[tuple[str, str]]:
    return [
        (k, str(v[0]))
        for k, v in INBOXES.items()
        if scope.has(v[2]) and (k != "grid" or grid_paths(scope))
    ]


def case_list(scope: Scope, filters: CaseFilters, now: dt.datetime | None = None) -> QuerySet[Case]:
    now = now or timezone.now()
    _label, states, perm = INBOXES.get(filters.inbox, INBOXES["all"])
    qs = case_queryset(scope, perm if scope.has(perm) else "cases.view")
    if states:
        qs = qs.filter(state__in=states)
    if filters.inbox == "overdue":
        qs = qs.filter(deadline_at__lt=now)
    if filters.inbox == "grid":
        qs = qs.filter(_paths_q([(p, True) for p in grid_paths(scope)]) or NOTHING)
    if _CONTROL.search(filters.category + filters.text + filters.state):
        # No case holds a control character, and PostgreSQL refuses NUL in a query.
        return qs.none()
    if filters.category:
        qs = qs.filter(category__code=filters.category)
    if filters.state:
        qs = qs.filter(state=filters.state)
    if filters.text:
        t = filters.text.strip()
        qs = qs.filter(Q(tracking_code=t.upper()) | Q(title__icontains=t))
    order = "deadline_at" if filters.inbox not in ("all",) else "-reported_at"
    return qs.select_related(*LIST_RELATED).order_by(order, "-id")


def case_events(case: Case, public_only: bool = False) -> QuerySet[CaseEvent]:
    qs = CaseEvent.objects.filter(case=case).select_related("actor")
    return qs.filter(public=True) if public_only else qs


def reaches_by_area(scope: Scope, case: Case) -> bool:
    """Whether the user reaches the case through an area (street, community, grid staff), not
    only as a handler of the agency it is dispatched to."""
    return scope.is_superuser or any(
        case.area_path == path or (subtree and case.area_path.startswith(path))
        for path, subtree in _area_grants(scope, "cases.view")
    )


def case_history(scope: Scope, case: Case) -> QuerySet[CaseEvent]:
    """The steps of a case the user may read (the case came from get_case_for): all of them
    for area staff; for a department, the steps from the dispatch to its agency on."""
    qs = case_events(case)
    if reaches_by_area(scope, case):
        return qs
    if case.dispatched_at is None:
        return qs.none()
    return qs.filter(at__gte=case.dispatched_at)


def resident_history(case: Case) -> QuerySet[CaseEvent]:
    """The steps the resident's own page shows: which step, when, and its public reply (the
    template shows ``reply``, never the internal ``note``)."""
    return (
        CaseEvent.objects.filter(case=case, public=True)
        .only("id", "case_id", "kind", "at", "to_state", "reply", "public")
        .order_by("at", "id")
    )


MEDIA_NOTE = "media_url: "


@dataclass
class MediaLink:
    url: str
    is_web: bool  # http(s) only: shown as a link; anything else is shown as text


def media_links(case: Case, events: list[CaseEvent]) -> list[MediaLink]:
    """The media_url an Open311 client sent with the report, kept as the report's private
    note (written in the same instant as the report)."""
    from django.core.exceptions import ValidationError
    from django.core.validators import URLValidator

    check = URLValidator(schemes=["http", "https"])
    out = []
    for ev in events:
        if (
            ev.kind != "note"
            or ev.public
            or ev.at != case.reported_at
            or not ev.note.startswith(MEDIA_NOTE)
        ):
            continue
        url = ev.note[len(MEDIA_NOTE) :].strip()
        try:
            check(url)
        except ValidationError:
            out.append(MediaLink(url, False))
        else:
            out.append(MediaLink(url, True))
    return out


def case_media(case: Case) -> list[MediaLink]:
    """The report's media links, read apart from the history: part of what was reported, like
    the photos, so a department that reads the history from its dispatch on still sees them."""
    notes = CaseEvent.objects.filter(
        case=case, kind="note", public=False, at=case.reported_at, note__startswith=MEDIA_NOTE
    )
    return media_links(case, list(notes))


def case_photos(case: Case) -> QuerySet[CasePhoto]:
    return CasePhoto.objects.filter(case=case).order_by("id")


def get_photo_for(scope: Scope, case_pk: object, photo_pk: object) -> CasePhoto:
    case = get_case_for(scope, case_pk)
    try:
        return CasePhoto.objects.get(case=case, pk=parse_pk(photo_pk) or 0)
    except CasePhoto.DoesNotExist:
        raise Http404(gettext(CASE_NOT_FOUND)) from None


# ---------------------------------------------------------------- residents


def resident_cases(user: Any) -> QuerySet[Case]:
    resident = getattr(user, "resident", None)
    if resident is None:
        return Case.objects.none()
    return (
        Case.objects.filter(resident=resident)
        .select_related("category", "area")
        .order_by("-reported_at")
    )


def resident_case_for(user: Any, pk: object) -> Case:
    """A resident's own case; someone else's is a 404."""
    try:
        return resident_cases(user).get(pk=parse_pk(pk) or 0)
    except Case.DoesNotExist:
        raise Http404(gettext(CASE_NOT_FOUND)) from None


def public_case_by_code(code: str) -> Case:
    code = (code or "").strip().upper()
    try:
        if not _TRACKING_CODE.fullmatch(code):
            raise Case.DoesNotExist
        return Case.objects.select_related("category").get(tracking_code=code)
    except Case.DoesNotExist:
        raise Http404(gettext("没有找到这个查询码对应的事件，请核对后重试。")) from None


def resident_areas(resident: Any) -> QuerySet[Area]:
    """Where a resident may report: the compounds and buildings of their community."""
    home = resident.home
    community = home.path[: 4 * 4] if len(home.path) > 16 else home.path
    return Area.objects.filter(
        subtree_q("path", community), level__in=["compound", "building"]
    ).order_by("path")


def resident_community(resident: Any) -> Area | None:
    """The community (社区/村) of a resident's home."""
    home = resident.home
    return Area.objects.filter(path=home.path[: 4 * 4]).first()


def resident_map_points(resident: Any, limit: int = 500) -> list[dict[str, Any]]:
    """The compounds of the resident's community that have coordinates: the markers of the
    report page's map (one query)."""
    rows = (
        resident_areas(resident)
        .filter(level="compound", latitude__isnull=False, longitude__isnull=False)
        .values("id", "name", "latitude", "longitude")[:limit]
    )
    return [
        {
            "id": r["id"],
            "name": r["name"],
            "lat": float(r["latitude"]),
            "lng": float(r["longitude"]),
        }
        for r in rows
    ]


# ---------------------------------------------------------------- configuration


def case_categories() -> QuerySet[Category]:
    """Active categories, in display order (also the Open311 services)."""
    return Category.objects.filter(active=True).select_related("default_agency")


def get_category(code: str) -> Category | None:
    return case_categories().filter(code=code).first()


def agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(active=True)


def route(area: Area, category: Category) -> Agency | None:
    """The agency for a case: the routing rule on the deepest area above (or at) ``area``,
    else the category's default agency (FixMyStreet's bodies × categories)."""
    ancestors = [area.path[:i] for i in range(4, len(area.path) + 1, 4)]
    rule = (
        RoutingRule.objects.filter(category=category, area__path__in=ancestors)
        .select_related("agency")
        .order_by("-area__depth")
        .first()
    )
    if rule is not None:
        return rule.agency
    return category.default_agency


def possible_duplicates(case: Case, limit: int = 5) -> list[tuple[Case, float]]:
    since = case.reported_at - dt.timedelta(days=7)
    rows = (
        Case.objects.filter(
            area_id=case.area_id,
            category_id=case.category_id,
            reported_at__gte=since,
            reported_at__lte=case.reported_at,
        )
        .exclude(pk=case.pk)
        .exclude(state__in=("merged", "cancelled"))
        .only("id", "tracking_code", "title", "description", "state", "reported_at")
        .order_by("-reported_at")[:200]
    )
    mine = tokens(case.title + " " + case.description)
    out = []
    for other in rows:
        score = jaccard(mine, tokens(other.title + " " + other.description))
        if score >= 0.3:
            out.append((other, score))
    out.sort(key=lambda t: -t[1])
    return out[:limit]


def api_keys() -> QuerySet[ApiKey]:
    return ApiKey.objects.select_related("area", "created_by").order_by("-created_at")


def api_keys_for(scope: Scope) -> QuerySet[ApiKey]:
    q = Q() if scope.is_superuser else _paths_q(_area_grants(scope, "cases.manage"), "area__path")
    return api_keys().filter(q) if q is not None else ApiKey.objects.none()


def active_key_by_hash(key_hash: str) -> ApiKey | None:
    return (
        ApiKey.objects.select_related("area")
        .filter(key_hash=key_hash, revoked_at__isnull=True)
        .first()
    )


# ---------------------------------------------------------------- figures


def light(case: Case, now: dt.datetime) -> str:
    """Traffic light: green < 80% of the allowed time used, yellow 80-100%, red overdue."""
    return traffic_light(case.reported_at, case.deadline_at, now, case.state, case.closed_at)


def traffic_light(
    start: dt.datetime,
    deadline: dt.datetime,
    now: dt.datetime,
    state: str = "reported",
    closed_at: dt.datetime | None = None,
) -> str:
    end = closed_at if state in ("closed", "verified", "resolved") and closed_at else now
    if state in ("merged", "cancelled"):
        return "grey"
    total = (deadline - start).total_seconds()
    used = (end - start).total_seconds()
    if used > total:
        return "red"
    if total > 0 and used >= 0.8 * total:
        return "yellow"
    return "green"


def dashboard_figures(scope: Scope, now: dt.datetime | None = None) -> dict[str, Any] | None:
    """The 工作台 panel, six queries at most: the org-area lookup for the scope, states,\n    figures, categories, communities and their names."""
    if not scope.has("cases.view"):
        return None
    now = now or timezone.now()
    since = now - dt.timedelta(days=365)
    qs = case_queryset(scope).filter(reported_at__gte=since)
    states = dict(qs.values_list("state").annotate(n=Count("id")).order_by())
    total = sum(states.values())
    if not total:
        return {"total": 0}
    closed_q = Q(state="closed")
    agg = qs.aggregate(
        closed=Count("id", filter=closed_q),
        on_time=Count("id", filter=closed_q & Q(closed_at__lte=F("deadline_at"))),
        rated=Count("rating"),
        satisfied=Count("id", filter=Q(rating__gte=4)),
        escalated=Count("id", filter=Q(escalations__gt=0) | Q(overdue_level__gt=0)),
        overdue=Count("id", filter=Q(state__in=OPEN_STATES, deadline_at__lt=now)),
    )
    by_category = list(qs.values("category__name").annotate(n=Count("id")).order_by("-n")[:6])
    # By community (the first four steps of the area path), then their names: two queries.
    by_prefix = list(
        qs.annotate(p=Substr("area_path", 1, 16))
        .values("p")
        .annotate(n=Count("id"))
        .order_by("-n")[:6]
    )
    names = dict(
        Area.objects.filter(path__in=[r["p"] for r in by_prefix]).values_list("path", "name")
    )
    by_area = [(names.get(r["p"], r["p"]), r["n"]) for r in by_prefix]
    return {
        "total": total,
        "states": [(State(s).label, states.get(s, 0)) for s in State.values if states.get(s)],
        "by_category": by_category,
        "by_area": by_area,
        "on_time_rate": round(100 * agg["on_time"] / agg["closed"]) if agg["closed"] else None,
        "satisfaction": round(100 * agg["satisfied"] / agg["rated"]) if agg["rated"] else None,
        "escalated": agg["escalated"],
        "overdue": agg["overdue"],
    }


def key_areas(scope: Scope) -> QuerySet[Area]:
    """Jurisdictions a manager may issue Open311 keys for: streets down to communities."""
    q = Q() if scope.is_superuser else _paths_q(_area_grants(scope, "cases.manage"), "path")
    if q is None:
        return Area.objects.none()
    return Area.objects.filter(q, level__in=["city", "district", "street", "community"]).order_by(
        "path"
    )


def get_api_key_for(scope: Scope, pk: object) -> ApiKey:
    try:
        return api_keys_for(scope).get(pk=parse_pk(pk) or 0)
    except ApiKey.DoesNotExist:
        raise Http404(gettext("密钥不存在或不在您的管辖范围内。")) from None


def area_by_ref(ref: str) -> Area | None:
    """An area by id or by 行政区划代码 (management commands)."""
    ref = (ref or "").strip()
    pk = parse_pk(ref) if len(ref) < 9 else None
    if pk is not None:
        return Area.objects.filter(pk=pk).first()
    return Area.objects.filter(code=ref).first() if ref else None
