from __future__ import annotations

from django import template

register = template.Library()


@register.simple_tag
def percent(n: int, total: int) -> str:
    return f"{(100 * n / total):.1f}" if total else "0"


@register.simple_tag
def widget(field):  # type: ignore[no-untyped-def]
    """Render a form field's widget with Bootstrap classes and the invalid state."""
    css = "form-select" if field.widget_type in ("select", "selectmultiple") else "form-control"
    if field.errors:
        css += " is-invalid"
    return field.as_widget(attrs={"class": css})
