from __future__ import annotations

from django import template
from django.conf import settings

from tongxin.core import numbers

register = template.Library()


@register.simple_tag
def percent(n: int, total: int) -> str:
    return f"{(100 * n / total):.1f}" if total else "0"


@register.filter
def figure(value: object) -> str:
    """A count or a score as people read it (core.numbers.figure)."""
    return numbers.figure(value)


@register.simple_tag
def widget(field):
    """Render a form field's widget with Bootstrap classes and the invalid state."""
    if field.widget_type == "checkbox":
        css = "form-check-input"
    elif field.widget_type in ("select", "selectmultiple"):
        css = "form-select"
    else:
        css = "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})


@register.simple_tag
def session_age() -> int:
    """Seconds of inactivity after which a session ends, for the timeout warning."""
    return int(settings.SESSION_COOKIE_AGE)
