"""The registry of warning checks (预警): each module says, per organization, how far a
condition of its own has gone (days without a 支部委员会, months of dues unpaid, members in no
grid …). The warnings engine (``tongxin.alerts``) turns the figures into warnings with the rules
it keeps as data; it never imports the module that computed them.

A module registers its checks in ``tongxin/<app>/warning_checks.py`` (found by
``django.utils.module_loading.autodiscover_modules``)::

    @alert_check("meetings.committee_overdue", _("支部委员会逾期未开"), unit=_("天"),
                 link=lambda org_id: reverse("meetings:list") + f"?org={org_id}")
    def committee_overdue(today: date) -> Iterable[Finding]:
        ...  # one grouped query; a Finding for each organization where the value is above 0

A check is set-based (a few grouped queries, never one per organization), reports only
organizations where the condition holds (value > 0), and a higher value is always worse.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Finding:
    org_id: int
    value: int
    detail: str = ""  # what the owner reads, e.g. "3 名党员"; no personal data


CheckFn = Callable[[dt.date], Iterable[Finding]]


@dataclass(frozen=True)
class AlertCheck:
    key: str
    label: Any  # a lazy translation
    unit: Any
    fn: CheckFn
    link: Callable[[int], str]  # the page where it is fixed, for an organization id


CHECKS: dict[str, AlertCheck] = {}


def alert_check(
    key: str, label: Any, *, unit: Any, link: Callable[[int], str]
) -> Callable[[CheckFn], CheckFn]:
    def register(fn: CheckFn) -> CheckFn:
        CHECKS[key] = AlertCheck(key, label, unit, fn, link)
        return fn

    return register
