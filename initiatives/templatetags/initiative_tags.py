"""Template helpers for initiative pages."""

from django import template
from django.utils.formats import number_format
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.text import capfirst
from django.utils.translation import gettext

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


@register.simple_tag(takes_context=True)
def field_row(context, field, *, hide_delete: bool = False) -> SafeString:
    """One field of the initiative form: label (with the "required" star), widget, its
    errors and help, in one wrapper a step's script and the error summary find by name.

    Built here, not by an include: the form draws about fifty of these, and Django's
    include of a small template cost about a third of the page (issue 16)."""
    if hide_delete and field.name == "DELETE":
        return SafeString("")
    widget = str(field)  # the widget, rendered by the form renderer (Jinja2)
    if field.widget_type == "checkbox":
        label = format_html(
            '<label for="{}">{} {}</label>', field.id_for_label, widget, field.label
        )
        widget = ""
    else:
        required = field.field.required or field.name in context.get("required_to_submit", ())
        star = (
            format_html(' <span class="required" title="{}">*</span>', gettext("bắt buộc"))
            if required
            else ""
        )
        label = format_html(
            '<label for="{}">{}{}</label>', field.id_for_label, capfirst(field.label), star
        )
    errors = ""
    if field.errors:
        errors = format_html(
            '<div class="field-error" id="{}_error">{}</div>',
            field.auto_id,
            format_html_join("", "<small>{}</small>", ((error,) for error in field.errors)),
        )
    help_text = ""
    if field.help_text:
        help_text = format_html(
            '<small class="help" id="{}_helptext">{}</small>', field.auto_id, field.help_text
        )
    return format_html(
        '<div class="field{}" data-field="{}">\n{}\n{}{}{}\n</div>',
        " has-error" if field.errors else "",
        field.name,
        label,
        conditional_escape(widget) if widget else "",
        errors,
        help_text,
    )
