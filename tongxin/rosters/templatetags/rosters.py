from __future__ import annotations

from django import template

from tongxin.core.scope import Scope

register = template.Library()


@register.filter
def scope_has(scope: Scope | None, perm: str) -> bool:
    """{% if request.scope|scope_has:"members.manage" %}: whether the user holds the
    permission anywhere (the pages behind the link check the exact reach)."""
    return scope is not None and scope.has(perm)
