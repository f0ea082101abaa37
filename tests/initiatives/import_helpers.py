"""What the persona matrix points at for the import pages and the initiatives API."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from core.models import Job
from initiatives.importing import TEMPLATE_COLUMNS
from initiatives.tasks import IMPORT_JOB_KIND


def import_objects(country, personas) -> dict:
    job = Job.objects.create(
        kind=IMPORT_JOB_KIND,
        owner=personas.officer_a,
        state=Job.State.DONE,
        done=1,
        total=1,
        options={"name": "sang-kien.xlsx", "all_or_nothing": True},
        result={"total": 1, "created": 1, "updated": 0, "bad_row_count": 0, "errors": []},
    )
    return {"import_job_a": job}


def import_upload(objects) -> dict:
    """A one-row workbook for grassroots A, built afresh for every request."""
    book = Workbook()
    sheet = book.active
    sheet.append(list(TEMPLATE_COLUMNS))
    values = {
        "title": "Sáng kiến nhập từ tệp",
        "content": "Nội dung",
        "author_name": "Ngô Văn Bảy",
        "unit_code": objects["country"].grassroots_a.code,
        "participant_group": "enterprise",
    }
    sheet.append([values.get(c, "") for c in TEMPLATE_COLUMNS])
    buffer = io.BytesIO()
    book.save(buffer)
    return {"file": SimpleUploadedFile("sang-kien.xlsx", buffer.getvalue()), "mode": "valid"}
