from django import template

from portal.tenancy import OFFICER_ROLES, scope_for

register = template.Library()


@register.filter
def can_import(user) -> bool:
    """Officers (grassroots, unit, admin) may import initiatives for their units."""
    return bool(user.is_authenticated) and not scope_for(user, OFFICER_ROLES).is_empty
