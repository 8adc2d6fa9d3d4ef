from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_cell(cells: dict[str, Any], key: str) -> str:
    """The shown text of a metric's cell ("<5" for a hidden count, "—" for none)."""
    cell = cells.get(key) if cells else None
    return cell.text if cell is not None else "—"
