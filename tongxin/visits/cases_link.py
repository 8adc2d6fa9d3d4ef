"""What visits need from the cases module, in one place: the categories a problem may be filed
under. Visits work without cases (the 转为事件 button is hidden then)."""

from __future__ import annotations

from typing import Any


def _categories() -> list[Any]:
    from tongxin.visits.services import cases_available

    if not cases_available():
        return []
    try:
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
