from django import template
from django.http import QueryDict

from portal.models.rankings import RankingMode
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


@register.inclusion_tag("rankings/_basis.html", takes_context=True)
def basis(context, mode, measure_label=""):
    """Say how the figures below are counted (which tree, which measure), with a link to
    the same page counted the other way."""
    mode = mode if mode in RankingMode.values else RankingMode.TODAY
    other = RankingMode.HISTORIC if mode == RankingMode.TODAY else RankingMode.TODAY
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for name in ("format", "page"):
        query.pop(name, None)
    query["mode"] = other
    return {
        "mode": mode,
        "mode_label": RankingMode(mode).label,
        "other_label": RankingMode(other).label,
        "other_query": query.urlencode(),
        "measure_label": measure_label,
    }
