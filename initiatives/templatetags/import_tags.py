from django import template

from accounts.tenancy import OFFICER_ROLES, scope_for

register = template.Library()


@register.filter
def can_import(user) -> bool:
    """Officers (grassroots, unit, admin) may import initiatives for their units."""
    return bool(user.is_authenticated) and not scope_for(user, OFFICER_ROLES).is_empty


@register.filter
def column_header(column: str) -> str:
    """ "title" -> "Tên sáng kiến": a file's column as its header reads, in the reader's language."""
    from initiatives.importing import column_header as header

    return header(column)
