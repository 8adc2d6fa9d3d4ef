"""Numbers as people read them on a page or in a sentence."""

from __future__ import annotations

from decimal import Decimal


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
