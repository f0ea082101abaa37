"""Form widgets through Jinja2, Django's templates as the fallback (core/form_renderer.py)."""

from __future__ import annotations

from django import forms
from django.contrib.admin.widgets import AdminDateWidget
from django.forms.renderers import get_default_renderer
from django_filters.widgets import RangeWidget

from core.form_renderer import JinjaFirstFormRenderer


class _Form(forms.Form):
    title = forms.CharField(label="Tên sáng kiến", max_length=20)
    when = forms.DateField(widget=AdminDateWidget)
    benefit = forms.CharField(required=False, widget=RangeWidget())


def test_the_project_renders_forms_with_the_jinja_first_renderer():
    assert isinstance(get_default_renderer(), JinjaFirstFormRenderer)


def test_built_in_widgets_come_from_jinja2_and_others_from_django_templates():
    renderer = JinjaFirstFormRenderer()

    assert "jinja2" in type(renderer.get_template("django/forms/widgets/input.html")).__module__
    # django-filter ships its range widget's template for Django's language only.
    assert (
        "django"
        in type(renderer.get_template("django_filters/widgets/multiwidget.html")).__module__
    )


def test_a_form_renders_the_same_fields_errors_and_values_as_before():
    form = _Form(data={"title": "x" * 30, "when": "2026-03-01", "benefit_min": "5"})
    html = str(form)

    assert 'name="title"' in html and 'maxlength="20"' in html
    assert 'value="xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"' in html
    assert "errorlist" in html  # the title is too long
    assert 'class="vDateField"' in html and 'value="2026-03-01"' in html
    assert 'name="benefit_min"' in html and 'value="5"' in html
