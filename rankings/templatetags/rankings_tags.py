from django import template
from django.http import QueryDict

from accounts.tenancy import scope_for
from rankings.models import RankingMode
from rankings.selectors import (
    COUNTS,
    DEFAULT_MEASURE,
    MEASURE_BASIS,
    MEASURES,
    RANKING_ROLES,
)

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


@register.simple_tag
def measure_basis(measure) -> str:
    """What the figures of a table or chart count, for its caption ("Tính theo: …")."""
    return str(MEASURE_BASIS.get(measure, MEASURE_BASIS[DEFAULT_MEASURE]))


@register.inclusion_tag("rankings/_basis.html", takes_context=True)
def basis(context, mode, measure=DEFAULT_MEASURE, switch_count=False):
    """Say how the figures below are counted (which tree, which measure), with a link to
    the same page counted the other way; with `switch_count`, a link to the same page
    counting the other kind of initiatives (valid or handed in) too."""
    mode = mode if mode in RankingMode.values else RankingMode.TODAY
    measure = measure if measure in MEASURES else DEFAULT_MEASURE
    other = RankingMode.HISTORIC if mode == RankingMode.TODAY else RankingMode.TODAY
    request = context.get("request")
    query = request.GET.copy() if request is not None else QueryDict(mutable=True)
    for name in ("format", "page"):
        query.pop(name, None)
    other_count = "submitted" if measure != "submitted" else "valid"
    count_query = query.copy()
    count_query["measure"] = other_count
    query["mode"] = other
    return {
        "mode": mode,
        "mode_label": RankingMode(mode).label,
        "other_label": RankingMode(other).label,
        "other_query": query.urlencode(),
        "measure": measure,
        "measure_basis": MEASURE_BASIS[measure],
        "other_count_label": COUNTS[other_count] if switch_count else "",
        "other_count_query": count_query.urlencode(),
    }
