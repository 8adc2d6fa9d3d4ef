from __future__ import annotations

from django import template

from tongxin.volunteering.selectors import hours_text

register = template.Library()


@register.filter
def hours(minutes: int | None) -> str:
    """Minutes as 小时/分钟 text."""
    return hours_text(minutes)
