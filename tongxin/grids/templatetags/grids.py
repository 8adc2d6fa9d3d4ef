"""{% member_grid member as grid %}: the member's grid for pages of other apps (the member
page shows it), through the selectors: {"grid": the grid or None when the user does not
reach it, "can_manage": whether the user may change it}."""

from __future__ import annotations

from typing import Any

from django import template

from tongxin.core.scope import request_scope
from tongxin.grids.selectors import member_grid

register = template.Library()


@register.simple_tag(takes_context=True)
def member_grid_of(context: dict[str, Any], member: Any) -> Any:
    request = context.get("request")
    if request is None or member is None:
        return None
    scope = request_scope(request)
    return {"grid": member_grid(scope, member), "can_manage": scope.has("grids.manage")}
