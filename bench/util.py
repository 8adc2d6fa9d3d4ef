"""Timing and reporting shared by the benchmarks (no Django imports here)."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

RESULTS = Path(__file__).resolve().parent / "results"


@dataclass
class Context:
    scale: str  # town | city
    db: str  # sqlite | postgresql


def timed_pair(
    ours: Callable[[], Any],
    baseline: Callable[[], Any],
    *,
    runs: int,
    warmup: int = 0,
    before_ours: Callable[[], Any] | None = None,
    before_baseline: Callable[[], Any] | None = None,
) -> tuple[float, float, Any, Any]:
    """Median seconds of ours and of the baseline, run alternately so that noise on a shared
    machine hits both; also returns the last result of each (for sanity checks)."""
    times: dict[str, list[float]] = {"ours": [], "baseline": []}
    last: dict[str, Any] = {}
    steps = (("baseline", baseline, before_baseline), ("ours", ours, before_ours))
    for i in range(warmup + runs):
        for key, fn, before in steps:
            if before is not None:
                before()
            t0 = time.perf_counter()
            last[key] = fn()
            if i >= warmup:
                times[key].append(time.perf_counter() - t0)
    return median(times["ours"]), median(times["baseline"]), last["ours"], last["baseline"]


def report(
    ctx: Context,
    name: str,
    *,
    n: int,
    ours: float,
    baseline: float,
    unit: str,
    target: tuple[str, float],
    runs: int,
    write: bool = True,
    **extra: Any,
) -> dict[str, Any]:
    """Print one JSON line and (for the main line) write it to bench/results/<name>.json.

    ``target`` is (what, limit) with what = "ratio" or "ours": met is what <= limit.
    """
    ratio = ours / baseline
    what, limit = target
    target_text = f"ratio <= {limit}" if what == "ratio" else f"ours <= {limit:g} {unit}"
    line = {
        "name": name,
        "scale": ctx.scale,
        "db": ctx.db,
        "n": n,
        "ours": round(ours, 4),
        "baseline": round(baseline, 4),
        "unit": unit,
        "ratio": round(ratio, 2),
        "target": target_text,
        "met": (ratio if what == "ratio" else ours) <= limit,
        "runs": runs,
        **extra,
    }
    text = json.dumps(line, ensure_ascii=False)
    print(text, flush=True)
    if write:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / f"{name}.json").write_text(text + "\n", encoding="utf-8")
    return line


def save_plans(ctx: Context, name: str, plans: dict[str, str]) -> None:
    """Query plans go to stderr and to bench/results/<name>.plan.txt (not JSON)."""
    text = "".join(
        f"-- {title} ({ctx.db}, {ctx.scale})\n{plan}\n\n" for title, plan in plans.items()
    )
    print(text, file=sys.stderr, end="", flush=True)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.plan.txt").write_text(text, encoding="utf-8")
