"""Extension points that the domain apps fill in from their ``AppConfig.ready()``:

- ``nav(...)``: an entry of the top navigation, shown when the user holds one of its permissions;
- ``dashboard_panel(...)``: a card on the 工作台, computed by a selector for the user's scope,
  or — when it names the metric keys it shows (``metrics``) and a ``stored`` builder — from the
  stored figures (insights' rollups) of the user's top of scope, read once for every card;
- ``phone_card(...)``: a card on a member's phone home (their own figures, not a staff scope);
- ``phone_home(...)``: a view that renders the home of a user who holds no staff role (a
  resident's compound page), or None when it is not theirs;
- ``periodic(...)``: a django-tasks task enqueued every N seconds by ``manage.py periodic``
  (started by ``make run`` beside the worker); periodic tasks must be idempotent;
- ``activity_source(...)``: a function listing what members did in a date range (attended a
  meeting, logged volunteering hours, checked in at a red site …) as ``Activity`` rows; the
  points ledger (锋领指数) reads them without importing the app that recorded them;
- the demo generator calls ``tongxin.<app>.demo.load(ctx)`` for every installed app that has one
  (see ``tongxin.demo.loader``), after the areas, organizations and members exist.

Keeping these lists here lets a module plug itself into the shell without the shell importing it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import HttpRequest, HttpResponse


@dataclass(frozen=True)
class NavItem:
    url_name: str
    label: Any  # a lazy translation
    key: str  # the URL namespace that marks the item active
    perms: tuple[str, ...] = ()  # any one of them shows the item; empty: every signed-in user
    order: int = 100


@dataclass(frozen=True)
class StoredFigures:
    """The stored figures of the user's top of scope, summed over their top organizations:
    metric key → value, of the day the figures were computed (``values``: a stock as it
    stands, a flow on that day) and of its calendar month up to that day (``month``: a flow
    over the month so far). A ratio is derived from its summed parts (None when there is
    nothing to divide); a count not stored is 0. ``as_of``: when they were computed."""

    values: Mapping[str, float | None]
    as_of: dt.datetime
    roots: tuple[Any, ...] = ()  # the top organizations summed (Organization rows)
    month: Mapping[str, float | None] = field(default_factory=dict)
    breakdown: BreakdownFn | None = None  # the figures below the top (StoredFigures.below)

    def count(self, key: str) -> int:
        return int(self.values.get(key) or 0)

    def month_count(self, key: str) -> int:
        return int(self.month.get(key) or 0)

    def rate(self, key: str) -> float | None:
        """A ratio (a percentage), or None."""
        return self.values.get(key)

    def below(self, keys: Iterable[str], *, holding: str) -> list[SubtreeFigures]:
        """The day's figures ``keys`` of the organizations one level below the user's top (of
        the top organizations themselves when there are several), going down while a single
        one holds anything; only those whose ``holding`` figure is not zero. Below the user's
        top, a figure about people under five persons is None (hidden). Empty when the store
        gives no breakdown."""
        return [] if self.breakdown is None else self.breakdown(tuple(keys), holding)


@dataclass(frozen=True)
class SubtreeFigures:
    """One organization's stored figures, for a card's breakdown (``StoredFigures.below``)."""

    path: str
    name: str
    values: Mapping[str, float | None]

    def count(self, key: str) -> int:
        return int(self.values.get(key) or 0)


# (keys, holding) → the breakdown rows (see StoredFigures.below)
BreakdownFn = Callable[[tuple[str, ...], str], list[SubtreeFigures]]


# A panel's stored builder: the template context from the stored figures, or None to hide it.
StoredPanelFn = Callable[[HttpRequest, Any, StoredFigures], "dict[str, Any] | None"]


@dataclass(frozen=True)
class DashboardPanel:
    """``compute(request, scope)`` returns the template context for ``template`` or None to
    hide the panel (the user lacks the permission, or there is nothing in reach).

    ``metrics``: the registered metric keys (core.metrics) the card shows; ``stored(request,
    scope, figures)`` builds the same context from them. When a figure store answers for the
    user's scope, ``stored`` runs instead of ``compute``; per-user items it adds (things waiting
    for this user) must be one cheap indexed query each."""

    template: str
    compute: Callable[[HttpRequest, Any], dict[str, Any] | None]
    order: int = 100
    metrics: tuple[str, ...] = ()
    stored: StoredPanelFn | None = None


@dataclass(frozen=True)
class PhoneCard:
    """``compute(request)`` returns the context of ``template`` for the signed-in member's own
    figures, or None to hide the card."""

    template: str
    compute: Callable[[HttpRequest], dict[str, Any] | None]
    order: int = 100


@dataclass(frozen=True)
class PhoneHome:
    """``view(request)`` renders the user's home, or returns None when it is not theirs."""

    view: Callable[[HttpRequest], HttpResponse | None]
    order: int = 100


@dataclass(frozen=True)
class PeriodicTask:
    task: str  # dotted path of a django-tasks Task, e.g. "tongxin.cases.tasks.sweep_overdue"
    every: int  # seconds


@dataclass(frozen=True, slots=True)
class Activity:
    """One thing a member did (or failed to do) that a points rule may count.

    ``key`` names the event once and for all (``"meetings.attendance:123"``): the ledger's
    idempotency key, so the same event never earns twice. ``kind`` is what the rule sets match
    (``"meeting_attended"``, ``"volunteer_hours"``, ``"redsite_checkin"`` …; each source's
    docstring lists its kinds). ``quantity`` is hours for hour kinds and 1 otherwise."""

    key: str
    member_id: int
    kind: str
    on: dt.date
    quantity: float = 1.0
    note: str = ""


# ``fn(start, end)`` yields the activities whose ``on`` lies in [start, end).
ActivitySourceFn = Callable[[dt.date, dt.date], Iterable[Activity]]


@dataclass(frozen=True)
class ActivitySource:
    name: str  # "meetings", "volunteering" …
    kinds: tuple[str, ...]
    fn: ActivitySourceFn


@dataclass
class Registry:
    nav: list[NavItem] = field(default_factory=list)
    panels: list[DashboardPanel] = field(default_factory=list)
    phone_cards: list[PhoneCard] = field(default_factory=list)
    phone_homes: list[PhoneHome] = field(default_factory=list)
    periodic: list[PeriodicTask] = field(default_factory=list)
    # The 工作台's head figures (the organization and member counts its template lays out):
    # each function returns part of the page's context.
    dashboard_figures: list[Callable[[HttpRequest, Any], dict[str, Any]]] = field(
        default_factory=list
    )
    activity_sources: list[ActivitySource] = field(default_factory=list)
    # Where the 工作台's head figures come from when stored (insights' rollups): a function
    # returning the same keys as dashboard_figures, or None to compute them live.
    storable_figures: list[Callable[[HttpRequest, Any], dict[str, Any]]] = field(
        default_factory=list
    )
    dashboard_sources: list[Callable[[HttpRequest, Any], dict[str, Any] | None]] = field(
        default_factory=list
    )
    # Where the panels' stored figures come from (insights' rollups): ``fn(request, scope,
    # keys)`` returning StoredFigures, or None when it cannot answer for this scope.
    figure_stores: list[Callable[[HttpRequest, Any, frozenset[str]], StoredFigures | None]] = field(
        default_factory=list
    )


REGISTRY = Registry()


def nav(
    url_name: str, label: Any, key: str, *, perms: tuple[str, ...] = (), order: int = 100
) -> None:
    if any(item.url_name == url_name for item in REGISTRY.nav):
        return  # ready() may run twice in tests
    REGISTRY.nav.append(NavItem(url_name, label, key, perms, order))
    REGISTRY.nav.sort(key=lambda item: item.order)


def dashboard_panel(
    template: str,
    *,
    order: int = 100,
    metrics: Iterable[str] = (),
    stored: StoredPanelFn | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``fn(request, scope)`` (the live figures) as a card of the 工作台; with
    ``metrics`` and ``stored``, the card reads the stored figures when there are some."""
    keys = tuple(metrics)
    if (stored is None) != (not keys):
        raise ValueError(f"panel {template}: give both metrics and stored, or neither")

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if not any(p.template == template for p in REGISTRY.panels):
            REGISTRY.panels.append(DashboardPanel(template, fn, order, keys, stored))
            REGISTRY.panels.sort(key=lambda p: p.order)
        return fn

    return register


def dashboard_figures(
    fn: Callable[[HttpRequest, Any], dict[str, Any]], *, storable: bool = False
) -> None:
    """Head figures of the 工作台, from an app below the features (orgs, members): the keys
    the 工作台 template reads (``orgs``, ``org_total``, ``secretaries``, ``members``,
    ``member_total``). ``storable``: a dashboard source (insights' rollups) gives the same
    keys, so ``fn`` runs only when no source answers."""
    if fn not in REGISTRY.dashboard_figures:
        REGISTRY.dashboard_figures.append(fn)
    if storable and fn not in REGISTRY.storable_figures:
        REGISTRY.storable_figures.append(fn)


def dashboard_source(fn: Callable[[HttpRequest, Any], dict[str, Any] | None]) -> None:
    """A store of the 工作台's storable head figures (insights' rollups): asked first; when it
    answers None (nothing stored yet, a scope it cannot sum) they are computed live."""
    if fn not in REGISTRY.dashboard_sources:
        REGISTRY.dashboard_sources.append(fn)


def figure_store(fn: Callable[[HttpRequest, Any, frozenset[str]], StoredFigures | None]) -> None:
    """A store of the panels' figures (insights' rollups): ``fn(request, scope, keys)``."""
    if fn not in REGISTRY.figure_stores:
        REGISTRY.figure_stores.append(fn)


def panel_metric_keys() -> frozenset[str]:
    """Every metric key a registered panel reads."""
    return frozenset(k for p in REGISTRY.panels for k in p.metrics)


_STORED_ATTR = "_tongxin_stored_figures"


def stored_figures_for(request: HttpRequest, scope: Any) -> StoredFigures | None:
    """The stored figures of the user's top of scope, read once a request (every panel's
    keys together), or None when no store answers for this scope."""
    if hasattr(request, _STORED_ATTR):
        return getattr(request, _STORED_ATTR)
    found = None
    keys = panel_metric_keys()
    for store in REGISTRY.figure_stores:
        found = store(request, scope, keys)
        if found is not None:
            break
    setattr(request, _STORED_ATTR, found)
    return found


def dashboard_figures_for(request: HttpRequest, scope: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    stored = None
    for source in REGISTRY.dashboard_sources:
        stored = source(request, scope)
        if stored is not None:
            out.update(stored)
            break
    for fn in REGISTRY.dashboard_figures:
        if stored is None or fn not in REGISTRY.storable_figures:
            out.update(fn(request, scope))
    return out


def panels_for(request: HttpRequest, scope: Any) -> list[tuple[str, dict[str, Any]]]:
    out = []
    stored = (
        stored_figures_for(request, scope)
        if any(p.stored is not None for p in REGISTRY.panels)
        else None
    )
    for panel in REGISTRY.panels:
        if stored is not None and panel.stored is not None:
            data = panel.stored(request, scope, stored)
            if data is not None:
                data.setdefault("as_of", stored.as_of)
        else:
            data = panel.compute(request, scope)
        if data is not None:
            out.append((panel.template, data))
    return out


def phone_card(
    template: str, *, order: int = 100
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if not any(c.template == template for c in REGISTRY.phone_cards):
            REGISTRY.phone_cards.append(PhoneCard(template, fn, order))
            REGISTRY.phone_cards.sort(key=lambda c: c.order)
        return fn

    return register


def phone_cards_for(request: HttpRequest) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for card in REGISTRY.phone_cards:
        data = card.compute(request)
        if data is not None:
            out.append((card.template, data))
    return out


def phone_home(*, order: int = 100) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        if not any(h.view is fn for h in REGISTRY.phone_homes):
            REGISTRY.phone_homes.append(PhoneHome(fn, order))
            REGISTRY.phone_homes.sort(key=lambda h: h.order)
        return fn

    return register


def phone_home_for(request: HttpRequest) -> HttpResponse | None:
    for home in REGISTRY.phone_homes:
        response = home.view(request)
        if response is not None:
            return response
    return None


def periodic(task: str, *, every: int) -> None:
    if not any(p.task == task for p in REGISTRY.periodic):
        REGISTRY.periodic.append(PeriodicTask(task, every))


def activity_source(
    name: str, kinds: tuple[str, ...]
) -> Callable[[ActivitySourceFn], ActivitySourceFn]:
    """Register ``fn(start, end)`` listing the activities of ``kinds`` recorded by app ``name``."""

    def register(fn: ActivitySourceFn) -> ActivitySourceFn:
        if not any(s.name == name and s.fn is fn for s in REGISTRY.activity_sources):
            REGISTRY.activity_sources.append(ActivitySource(name, kinds, fn))
        return fn

    return register


def activities_between(start: dt.date, end: dt.date) -> Iterator[Activity]:
    """Every registered source's activities in [start, end)."""
    for source in REGISTRY.activity_sources:
        yield from source.fn(start, end)
