"""Template helpers for initiative pages."""

from django import template

from portal.tenancy import scope_for

register = template.Library()


@register.filter
def reaches_units(user) -> bool:
    """True when the user holds a role that reaches a subtree (officer, reviewer, leader)."""
    return bool(user and user.is_authenticated and not scope_for(user).is_empty)
