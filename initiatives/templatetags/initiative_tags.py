"""Template helpers for initiative pages."""

from django import template
from django.utils.formats import number_format

from accounts.tenancy import scope_for

register = template.Library()


@register.filter
def reaches_units(user) -> bool:
    """True when the user holds a role that reaches a subtree (officer, reviewer, leader)."""
    return bool(user and user.is_authenticated and not scope_for(user).is_empty)


@register.filter
def vnd(value) -> str:
    """420000000 -> "420.000.000 đ" in Vietnamese, "420,000,000 đ" in English."""
    if value in (None, ""):
        return ""
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return str(value)
    return number_format(amount, force_grouping=True) + " đ"
