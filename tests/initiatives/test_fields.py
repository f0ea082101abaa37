"""The initiative's sections are declared once (`initiatives.fields`): the form's steps,
the API, the admin, the import template and the export all follow the declaration."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from initiatives import exporting, forms, importing, selectors, services, validation
from initiatives import fields as sections
from initiatives.admin import InitiativeAdmin
from initiatives.serializers import BODY_FIELDS, InitiativeSerializer, InitiativeWriteSerializer
from review import selectors as review_selectors

ROOT = Path(__file__).resolve().parents[2]


def test_every_section_is_a_model_field_with_help_and_header():
    for section in sections.SECTIONS:
        assert section.label, section.name
        assert str(section.help), section.name
        assert section.header, section.name
        assert section.step in sections.STEP_TITLES


def test_the_form_steps_are_the_declared_steps():
    assert sections.steps() == forms.STEP_FIELDS
    assert forms.InitiativeForm._meta.fields == list(sections.names())
    form = forms.InitiativeForm()
    for step, names in sections.steps().items():
        assert [bound.name for bound in form.step_fields[step]] == list(names)
    for section in sections.SECTIONS:
        assert form.fields[section.name].help_text == section.help


def test_the_api_reads_and_writes_every_section():
    readable = set(InitiativeSerializer.Meta.fields)
    assert set(sections.names()) - {"unit"} <= readable
    assert sections.names(visibility=sections.BODY) == BODY_FIELDS
    assert set(InitiativeWriteSerializer().fields) >= set(sections.names())
    assert selectors.PUBLIC_FIELDS_OF_CONFIDENTIAL == ("title", "summary", "award")


def test_the_admin_shows_every_section_by_step():
    shown = [name for _title, options in InitiativeAdmin.fieldsets for name in options["fields"]]
    for name in sections.names():
        assert shown.count(name) == 1, name


def test_import_and_export_columns_follow_the_declaration():
    for section in sections.SECTIONS:
        assert section.column_name in importing.KNOWN_COLUMNS
        assert (section.column_name in importing.TEMPLATE_COLUMNS) == section.exported
        assert (section.column_name in exporting.COLUMNS) == section.exported
        assert importing.column_key(section.header) == section.column_name
    # A secret never goes to a spreadsheet.
    assert "confidential_info" not in importing.TEMPLATE_COLUMNS
    assert importing.column_key("description") == "content"
    assert importing.column_key("Mô tả") == "content"


def test_the_rules_and_the_review_use_the_declared_lists():
    assert sections.names(required_to_submit=True) == validation.REQUIRED_TO_SUBMIT
    assert set(services.TEXT_FIELDS) == set(sections.names(checked=True))
    # What is checked for copying starts with what anyone may read (stored offsets).
    assert services.TEXT_FIELDS[:2] == ("title", "summary")
    assert sections.names(diffed=True) == review_selectors.REVISED_FIELDS


# Run in a fresh interpreter: the declaration gains a section before anything reads it.
NEW_SECTION_SCRIPT = """
import json, sys, types
from pathlib import Path

source = Path("initiatives/fields.py").read_text()
marker = "\\nBY_NAME = "
added = '''
SECTIONS = (*SECTIONS, Section(
    "recognition_number", 3, "Số của quyết định công nhận.",
    "Số quyết định", "Số quyết định công nhận.", example="QĐ-12",
))
'''
module = types.ModuleType("initiatives.fields")
module.__file__ = "initiatives/fields.py"
sys.modules["initiatives.fields"] = module
exec(compile(source.replace(marker, added + marker, 1), module.__file__, "exec"), module.__dict__)

import django
django.setup()
import initiatives
initiatives.fields = module

from initiatives import exporting, forms, importing
from initiatives.admin import InitiativeAdmin
from initiatives.serializers import InitiativeSerializer, InitiativeWriteSerializer

cells = {"recognition_number": "QĐ-12"}
data, errors = {}, []
importing._Validator._sections(cells, data, errors)
print(json.dumps({
    "step_3": list(forms.STEP_FIELDS[3]),
    "form": "recognition_number" in forms.InitiativeForm().fields,
    "write_api": "recognition_number" in InitiativeWriteSerializer().fields,
    "read_api": "recognition_number" in InitiativeSerializer.Meta.fields,
    "admin": any(
        "recognition_number" in options["fields"] for _t, options in InitiativeAdmin.fieldsets
    ),
    "template": list(importing.TEMPLATE_COLUMNS),
    "example": importing.TEMPLATE_EXAMPLE.get("recognition_number"),
    "header_read_back": importing.column_key("Số quyết định"),
    "imported": data,
    "export": list(exporting.COLUMNS),
}))
"""


def test_a_section_added_to_the_declaration_appears_everywhere():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"}
    done = subprocess.run(
        [sys.executable, "-c", NEW_SECTION_SCRIPT],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["step_3"][-1] == "recognition_number"
    assert seen["form"] and seen["write_api"] and seen["read_api"] and seen["admin"]
    assert "recognition_number" in seen["template"]
    assert seen["example"] == "QĐ-12"
    assert seen["header_read_back"] == "recognition_number"
    assert seen["imported"] == {"recognition_number": "QĐ-12"}
    assert "recognition_number" in seen["export"]
