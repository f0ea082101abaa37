"""Export of a unit's initiatives to XLSX (openpyxl write-only: memory stays flat for
big units). The columns are the import template's, so an export can be edited and
imported again (rows update by `external_id`).

A confidential initiative whose text the viewer may not read is exported with its
title, summary and award only (plus its id, unit, status and dates): the same rule
as the pages and the API (`selectors.confidential_text_readable_q`).
"""

from __future__ import annotations

import tempfile

from django.db.models import BooleanField, ExpressionWrapper, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.tenancy import subtree_q
from core.tabular import safe_cell
from federation.models import OrgUnit
from initiatives import fields as sections
from initiatives import selectors
from initiatives.importing import TEMPLATE_COLUMNS, column_header
from initiatives.models import InitiativeAuthor

COLUMNS = ("id", "status", *TEMPLATE_COLUMNS)
# Filled for every row, whoever reads it.
ALWAYS_SHOWN = frozenset({"id", "status", "unit_code", "submitted_at", "is_confidential"})
PUBLIC_OF_CONFIDENTIAL = frozenset(selectors.PUBLIC_FIELDS_OF_CONFIDENTIAL)
CHUNK = 2000


def _date(value):
    if value is None:
        return ""
    if hasattr(value, "tzinfo"):
        return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


def _section_value(initiative, section: sections.Section):
    """A section's cell, as the import reads it back."""
    value = getattr(initiative, section.name)
    if section.kind == sections.KIND_DATE:
        return _date(value)
    if section.kind == sections.KIND_MONEY:
        return "" if value is None else int(value)
    if section.kind == sections.KIND_FLAG:
        return _("có") if value else _("không")
    if section.name == "unit":
        return value.code
    if section.kind == sections.KIND_RELATION:
        return value.name if value is not None else ""
    return value


def _joined(authors, name: str, *, shown: bool = True) -> str:
    """One author column: the authors' values joined by ";", or blank if none has one."""
    values = [getattr(author, name) for author in authors]
    if not shown or not any(values):
        return ""
    return "; ".join(_date(v) if name == "date_of_birth" else v for v in values)


def _row(initiative) -> dict:
    authors = list(initiative.authors.all())
    return {
        "id": initiative.pk,
        "status": initiative.get_status_display(),
        "external_id": initiative.external_id or "",
        "submitted_at": _date(initiative.submitted_at),
        **{
            section.column_name: _section_value(initiative, section)
            for section in sections.exported()
        },
        "author_name": "; ".join(a.full_name for a in authors),
        "author_id": _joined(authors, "external_person_id"),
        "author_percent": "; ".join(f"{a.contribution_percent.normalize():f}" for a in authors),
        "author_birth_date": _joined(
            authors,
            "date_of_birth",
            shown=getattr(initiative, "birth_dates_readable", False),
        ),
        "author_workplace": _joined(authors, "workplace"),
        "author_job_title": _joined(authors, "job_title"),
    }


def unit_initiatives_for_export(*, viewer, unit: OrgUnit):
    """The initiatives of `unit`'s subtree that `viewer` may see, with `text_readable`."""
    readable = ExpressionWrapper(
        selectors.confidential_text_readable_q(viewer), output_field=BooleanField()
    )
    return (
        selectors.initiative_list(viewer=viewer)
        # The unit's tree columns as they are now (an instance's may be stale).
        .filter(subtree_q(OrgUnit.objects.filter(pk=unit.pk), "unit"))
        .annotate(
            text_readable=readable,
            birth_dates_readable=ExpressionWrapper(
                selectors.birth_dates_readable_q(viewer), output_field=BooleanField()
            ),
        )
        .prefetch_related(
            Prefetch("authors", queryset=InitiativeAuthor.objects.order_by("position", "id"))
        )
        .order_by("unit__code", "submitted_at", "id")
    )


def export_unit_xlsx(*, viewer, unit: OrgUnit):
    """A temporary file holding the XLSX (rewound); the caller streams and closes it."""
    # openpyxl imports numpy: loaded when a spreadsheet is made or read, not at start.
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Sáng kiến"))
    header = []
    for column in COLUMNS:
        cell = WriteOnlyCell(sheet, value=column_header(column))
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    initiatives = unit_initiatives_for_export(viewer=viewer, unit=unit)
    for initiative in initiatives.iterator(chunk_size=CHUNK):
        values = _row(initiative)
        if not initiative.text_readable:
            keep = ALWAYS_SHOWN | PUBLIC_OF_CONFIDENTIAL
            values = {k: (v if k in keep else "") for k, v in values.items()}
        sheet.append([safe_cell(values[column]) for column in COLUMNS])
    handle = tempfile.TemporaryFile()  # noqa: SIM115 - the response closes it
    workbook.save(handle)
    handle.seek(0)
    return handle
