from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_cell(cells: dict[str, Any], key: str) -> str:
    """The shown text of a metric's cell ("<5" for a hidden count, "—" for none)."""
    cell = cells.get(key) if cells else None
    return cell.text if cell is not None else "—"


@register.filter
def get_pct(cells: dict[str, Any], key: str) -> str:
    """A percentage cell's text with its sign ("60.4%"), or "—" when there is nothing to
    divide (never "—%")."""
    cell = cells.get(key) if cells else None
    if cell is None or (cell.value is None and not cell.hidden):
        return "—"
    return cell.text if cell.hidden else f"{cell.text}%"
