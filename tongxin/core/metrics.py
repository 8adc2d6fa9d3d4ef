"""The metric registry: the headline figures every module offers to the 数据驾驶舱 (insights).

A module describes each figure once, in ``tongxin/<app>/metrics.py``, with a set-based
``compute(start, end)`` returning ``{own path: value}`` — one grouped query keyed by the path
of the organization (``tree="org"``) or area (``tree="area"``) the rows belong to. insights
adds the values up over every path prefix (the subtree totals) and stores them as rollups;
it never imports the module. ``start``/``end`` bound a period ``[start, end)``: flows (visits,
hours, payments) count what happened in it; stocks (members, organizations) are counted as
they stand when computed (``historical=False``: a past month's stock comes from the rollup
stored in that month, not from a recomputation).

A ratio (一肩挑比例, 按期办结率) is not computed: ``ratio=(numerator key, denominator key)``
derives it per node from the two sums, so a rate of a district is never an average of rates.

Registering (from ``AppConfig.ready()`` or the module itself)::

    register(Metric("members.total", _("党员"), unit=_("人"), people=True,
                    compute=members_by_org))
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

ComputeFn = Callable[[dt.date, dt.date], dict[str, float]]

# Below this many persons a figure about people is not shown beneath the user's own top
# level: it would point at individuals (the 工作台's rule for secretaries' ages).
MIN_PEOPLE = 5


@dataclass(frozen=True)
class Metric:
    key: str  # "<app>.<figure>", stable: rollups, the API and exports name it
    label: Any  # a lazy translation
    unit: Any = ""  # 人, 个, 元, 小时, %
    group: Any = ""  # the cockpit section (党组织, 党员, 组织生活 …)
    people: bool = False  # a count of persons: cells under MIN_PEOPLE are hidden below the top
    tree: str = "org"  # "org": keyed by organization path; "area": by area path
    compute: ComputeFn | None = None
    ratio: tuple[str, str] | None = None  # derived: scale × numerator / denominator
    scale: float = 100.0  # 100 for a percentage, 1 for an average (years of age)
    historical: bool = True  # compute(start, end) can be asked about a past month
    headline: bool = False  # a column of the cockpit's children table by default
    shown: bool = True  # False: a helper of a ratio (the sum of ages), stored but not listed
    order: int = 100

    @property
    def is_ratio(self) -> bool:
        return self.ratio is not None


_METRICS: dict[str, Metric] = {}


def register(*metrics: Metric) -> None:
    """Add figures to the registry (idempotent: ready() may run twice in tests)."""
    for metric in metrics:
        if metric.tree not in ("org", "area"):
            raise ValueError(f"metric {metric.key}: tree must be 'org' or 'area'")
        if (metric.compute is None) == (metric.ratio is None):
            raise ValueError(f"metric {metric.key}: give either compute or ratio")
        _METRICS[metric.key] = metric


def all_metrics() -> list[Metric]:
    """Every registered figure, computed ones before the ratios derived from them."""
    return sorted(_METRICS.values(), key=lambda m: (m.ratio is not None, m.order, m.key))


def get_metric(key: str) -> Metric | None:
    return _METRICS.get(key)


def sum_rows(rows: Any) -> dict[str, float]:
    """``{path: value}`` from ``(path, value)`` rows, adding repeated paths."""
    out: dict[str, float] = {}
    for path, value in rows:
        if path is None:
            continue
        out[path] = out.get(path, 0.0) + float(value or 0)
    return out


P = ParamSpec("P")
R = TypeVar("R")
_memo: ContextVar[dict[tuple[Any, ...], Any] | None] = ContextVar("metrics_memo", default=None)


@contextlib.contextmanager
def shared_reads() -> Iterator[None]:
    """Within one recomputation, a read several figures share (the secretaries' seats, the
    branches' compliance) runs once: see ``shared``."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def shared(fn: Callable[P, R]) -> Callable[P, R]:
    """Memoize ``fn`` by its arguments inside ``shared_reads()`` (and only there: outside it
    every call reads afresh)."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        memo = _memo.get()
        if memo is None:
            return fn(*args, **kwargs)
        key = (fn.__module__, fn.__qualname__, args, tuple(sorted(kwargs.items())))
        if key not in memo:
            memo[key] = fn(*args, **kwargs)
        return memo[key]

    return wrapper


def stock(fn: Callable[[dt.date], dict[str, float]]) -> ComputeFn:
    """A ``compute`` for a figure that depends only on the period's end (a stock as it stands
    on the eve of ``end``): inside ``shared_reads()`` it is read once for every period ending
    on the same day (a refresh's day and current month end together), outside it every call
    reads afresh."""

    def compute(start: dt.date, end: dt.date) -> dict[str, float]:
        memo = _memo.get()
        if memo is None:
            return fn(end)
        key = ("stock", id(fn), end)
        if key not in memo:
            memo[key] = fn(end)
        return memo[key]

    return compute
