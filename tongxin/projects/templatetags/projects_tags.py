from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def yuan(fen: int | None) -> str:
    """Fen as 元 with two decimals and thousands separators: 123456 -> 1,234.56."""
    return f"{(fen or 0) / 100:,.2f}"
