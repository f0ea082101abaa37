from django import template

from portal.rankings.selectors import RANKING_ROLES
from portal.tenancy import scope_for

register = template.Library()


@register.filter
def sees_rankings(user) -> bool:
    """Whether the leadership dashboard is for this person (officers and leadership)."""
    return not scope_for(user, RANKING_ROLES).is_empty


@register.filter
def abs_value(value):
    try:
        return abs(value)
    except TypeError:
        return value


@register.filter
def get_item(mapping, key):
    return mapping.get(key, "")
