from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def percent(n: int, total: int) -> str:
    return f"{(100 * n / total):.1f}" if total else "0"
