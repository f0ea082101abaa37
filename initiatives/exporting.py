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


def _row(initiative) -> dict:
    authors = list(initiative.authors.all())
    return {
        "id": initiative.pk,
        "status": initiative.get_status_display(),
        "external_id": initiative.external_id or "",
        "title": initiative.title,
        "content": initiative.description,
        "author_name": "; ".join(a.full_name for a in authors),
        "author_id": "; ".join(a.external_person_id for a in authors)
        if any(a.external_person_id for a in authors)
        else "",
        "author_percent": "; ".join(f"{a.contribution_percent.normalize():f}" for a in authors),
        "unit_code": initiative.unit.code,
        "submitted_at": _date(initiative.submitted_at),
        "participant_group": initiative.participant_group,
        "field": initiative.field.name if initiative.field_id else "",
        "summary": initiative.summary,
        "problem": initiative.problem,
        "prior_solution": initiative.prior_solution,
        "improvements": initiative.improvements,
        "application_scope": initiative.application_scope,
        "conditions": initiative.conditions,
        "investor": initiative.investor,
        "first_applied_on": _date(initiative.first_applied_on),
        "first_applied_by": initiative.first_applied_by,
        "benefit_vnd": int(initiative.benefit_vnd),
        "benefit_text": initiative.benefit_text,
        "applied_benefit_vnd": int(initiative.applied_benefit_vnd)
        if initiative.applied_benefit_vnd is not None
        else "",
        "applied_benefit_text": initiative.applied_benefit_text,
        "is_confidential": _("có") if initiative.is_confidential else _("không"),
        "award": initiative.award,
        "author_birth_date": "; ".join(_date(a.date_of_birth) for a in authors)
        if getattr(initiative, "birth_dates_readable", False)
        and any(a.date_of_birth for a in authors)
        else "",
        "author_workplace": "; ".join(a.workplace for a in authors)
        if any(a.workplace for a in authors)
        else "",
        "author_job_title": "; ".join(a.job_title for a in authors)
        if any(a.job_title for a in authors)
        else "",
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
