"""What visits need from the cases module, in one place: the categories a problem may be filed
under, and the cases some problems became. Visits work without cases (the 转为事件 button is
hidden then)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone


def cases_available() -> bool:
    """The 转为事件 button needs the cases module's reporting service."""
    try:
        # cases is optional (visits work without it): imported only when it is there.
        from tongxin.cases import services
    except ImportError:
        return False
    return hasattr(services, "case_report")


def _categories() -> list[Any]:
    if not cases_available():
        return []
    try:
        # cases is optional (visits work without it): imported only when it is there.
        from tongxin.cases.selectors import case_categories
    except ImportError:
        return []
    return list(case_categories())


def category_choices() -> list[tuple[str, str]]:
    """(code, name) of the active case categories; empty when cases is not there."""
    return [(str(c.code), str(c.name)) for c in _categories()]


def category_for(code: str) -> Any:
    for c in _categories():
        if str(c.code) == code:
            return c
    return None


@dataclass
class CaseInfo:
    pk: int
    code: str
    state: str
    state_label: str
    light: str = ""  # green | yellow | red | "" (closed, or unknown)
    open: bool = True


def _cases_models() -> Any:
    try:
        # cases is optional (visits work without it): imported only when it is there.
        from tongxin.cases import models
    except ImportError:  # pragma: no cover - the cases module ships with the project
        return None
    return models if hasattr(models, "Case") else None


def _light(case: Any, now: dt.datetime) -> str:
    """The 12345 traffic light (green < 80% of the allowed time used, yellow 80–100%, red
    overdue), as the cases module computes it."""
    try:
        # cases is optional (visits work without it): imported only when it is there.
        from tongxin.cases.selectors import light
    except ImportError:  # pragma: no cover
        return ""
    value = str(light(case, now))
    return value if value in ("green", "yellow", "red") else ""


def case_infos(pks: list[int]) -> dict[int, CaseInfo]:
    """The cases some problems became: one query (none when no problem became a case)."""
    models = _cases_models()
    if models is None or not pks:
        return {}
    open_states = set(getattr(models, "OPEN_STATES", ())) | {"resolved"}
    now = timezone.now()
    out = {}
    for c in models.Case.objects.filter(pk__in=pks).only(
        "id", "tracking_code", "state", "reported_at", "deadline_at", "closed_at"
    ):
        is_open = c.state in open_states
        out[c.pk] = CaseInfo(
            pk=c.pk,
            code=c.tracking_code,
            state=c.state,
            state_label=c.get_state_display(),
            light=_light(c, now) if is_open else "",
            open=is_open,
        )
    return out


def case_state_order() -> list[tuple[str, str]]:
    models = _cases_models()
    if models is None or not hasattr(models, "State"):
        return []
    return [(s.value, str(s.label)) for s in models.State]
