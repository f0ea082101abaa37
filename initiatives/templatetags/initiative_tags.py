"""Template helpers for initiative pages."""

from django import template

from portal.tenancy import scope_for

register = template.Library()


@register.filter
def reaches_units(user) -> bool:
    """True when the user holds a role that reaches a subtree (officer, reviewer, leader)."""
    return bool(user and user.is_authenticated and not scope_for(user).is_empty)


@register.filter
def vnd(value) -> str:
    """420000000 -> "420.000.000 đ" (Vietnamese grouping, whatever the locale's settings)."""
    if value in (None, ""):
        return ""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{amount:,}".replace(",", ".") + " đ"
