"""What the demo loader hands each app's ``tongxin.<app>.demo.load(ctx)``: the apps write their
demo data through this hook (see ``tongxin.core.registry``) and never import ``tongxin.demo``,
which sits above every app."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass

# Every demo account's password (README's demo table): published on purpose.
DEMO_PASSWORD = "Tongxin2026"  # noqa: S105

ProgressFn = Callable[[str], None]


@dataclass
class DemoContext:
    """It runs after the areas, units, organizations, members and demo users exist, inside its
    own transaction; it should write with ``core.bulk.bulk_insert`` (executemany / COPY) at
    city scale. ``rng`` is seeded per module, so one module's data does not change when another's
    generator changes."""

    scale: str
    seed: int
    today: dt.date
    rng: random.Random
    say: ProgressFn
    # The demo story (README): the compound where the story's residents and members live (an
    # Area id), and the accounts linked to the story branch's members (zhibu, dangyuan).
    story_compound_id: int | None = None
    linked_usernames: tuple[str, ...] = ()
