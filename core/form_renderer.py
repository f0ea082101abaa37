"""Form widgets rendered with Jinja2, Django's own templates as the fallback (issue 16).

The initiative form shows about fifty widgets (the fields, two author rows and the
empty row the page copies); with Django's template language each widget's small
templates cost about as much as the rest of the page, and the form is opened twice
for every submission in a deadline rush. Django ships every built-in widget, field
and error list template for Jinja2 too (django/forms/jinja2/), which renders them
in about half the time with the same HTML.

Widgets that come with a template only for Django's language (the admin's related
field wrapper, django-filter's range widgets) are rendered by it as before.
"""

from __future__ import annotations

from django.forms.renderers import BaseRenderer, DjangoTemplates, Jinja2
from django.template import TemplateDoesNotExist


class JinjaFirstFormRenderer(BaseRenderer):
    def __init__(self):
        self.jinja = Jinja2()
        self.django = DjangoTemplates()

    def get_template(self, template_name):
        try:
            return self.jinja.get_template(template_name)
        except TemplateDoesNotExist:
            return self.django.get_template(template_name)
