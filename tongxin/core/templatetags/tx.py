from __future__ import annotations

from decimal import Decimal

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def percent(n: int, total: int) -> str:
    return f"{(100 * n / total):.1f}" if total else "0"


@register.filter
def figure(value: object) -> str:
    """A count or a score (points: one decimal) as people read it: a whole number without
    ".0", thousands separated as the cockpit shows them (101,152; 1,234.5). Anything else
    as it is."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return "" if value is None else str(value)
    number = Decimal(str(value))
    if not number.is_finite():
        return "—"  # a division by nothing upstream: no figure, never a page error
    if number == number.to_integral_value():
        return f"{int(number):,}"
    return f"{number:,.1f}"


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
