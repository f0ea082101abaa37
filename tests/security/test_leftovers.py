"""Findings: killing gunicorn mid-upload left an orphan temp file and a draft without
its file; a form with errors still stored files while saying "not saved"; import
errors revealed which unit codes exist in other provinces."""

import io
import os
import time
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tenancy import OFFICER_ROLES, scope_for
from core.tabular import numbered
from federation.services import MSG_IMPORT_NO_PARENT, units_import
from initiatives import services, views
from initiatives.importing import MSG_UNIT_UNKNOWN, RowSource, import_initiatives
from initiatives.models import Attachment, Initiative
from initiatives.tasks import sweep_orphan_files
from tests.initiatives.submission_helpers import form_data, make_initiative, minimal_pdf

pytestmark = pytest.mark.django_db

CREATE = "/sang-kien/moi/"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "spool")
    os.makedirs(settings.FILE_UPLOAD_TEMP_DIR)


def pdf(name="tm.pdf"):
    return SimpleUploadedFile(name, minimal_pdf("Bang tai"), content_type="application/pdf")


class WorkerKilled(BaseException):
    """Stands for the worker dying mid-request (not an Exception: nothing catches it)."""


def test_a_crash_while_storing_files_leaves_neither_draft_nor_file(
    client_for, personas, country, monkeypatch, settings
):
    real_add = services.attachment_add
    calls = []

    def add_then_die(**kwargs):
        attachment = real_add(**kwargs)
        calls.append(attachment.file.name)
        if len(calls) == 2:
            raise WorkerKilled
        return attachment

    monkeypatch.setattr(services, "attachment_add", add_then_die)
    data = form_data(country.grassroots_a, token=uuid.uuid4())
    data["files"] = [pdf("1.pdf"), pdf("2.pdf")]
    with pytest.raises(WorkerKilled):
        client_for(personas.worker_a).post(CREATE, data)
    assert not Initiative.objects.exists()
    assert not Attachment.objects.exists()
    assert calls and not any(default_storage.exists(name) for name in calls)


def test_a_form_with_errors_stores_no_file(client_for, personas, country):
    draft = make_initiative(
        unit=country.grassroots_a, entered_by=personas.worker_a, owner=personas.worker_a
    )
    data = form_data(country.grassroots_a, title="", first_applied_on="2099-01-01")
    data["files"] = [pdf()]
    response = client_for(personas.worker_a).post(f"/sang-kien/{draft.pk}/sua/", data)
    html = response.content.decode()
    assert views.MSG_FIX_ERRORS in html and views.MSG_FILES_KEPT in html
    # Kept for the next try (initiatives.kept_uploads), but no attachment and no file of
    # the draft's.
    assert not Attachment.objects.exists()
    assert not default_storage.exists(f"attachments/{draft.pk}")


def test_files_left_by_a_killed_worker_are_swept(personas, country, settings):
    draft = make_initiative(
        unit=country.grassroots_a, entered_by=personas.worker_a, owner=personas.worker_a
    )
    kept = services.attachment_add(initiative=draft, uploaded_file=pdf(), uploaded_by=None)
    orphan = default_storage.save(f"attachments/{draft.pk}/{uuid.uuid4().hex}.pdf", pdf())
    spooled = os.path.join(settings.FILE_UPLOAD_TEMP_DIR, "tmpab12cd.upload.pdf")
    with open(spooled, "wb") as handle:
        handle.write(b"%PDF-1.4 half an upload")
    fresh_orphan = default_storage.save(f"attachments/{draft.pk}/{uuid.uuid4().hex}.pdf", pdf())
    old = time.time() - 2 * 3600
    for path in (default_storage.path(orphan), default_storage.path(kept.file.name), spooled):
        os.utime(path, (old, old))

    assert sweep_orphan_files() == 2
    assert not default_storage.exists(orphan) and not os.path.exists(spooled)
    assert default_storage.exists(kept.file.name)  # still referenced
    assert default_storage.exists(fresh_orphan)  # maybe an upload in progress: kept for now


def test_an_out_of_scope_unit_code_reads_like_an_unknown_one(personas, country):
    def import_row(code: str) -> str:
        csv = (
            "external_id,title,content,author_name,unit_code,participant_group\n"
            f"X-{code},Băng tải,Nội dung,Nguyễn Văn Tâm,{code},enterprise\n"
        )
        report = import_initiatives(
            source=RowSource(io.BytesIO(csv.encode()), "a.csv"),
            actor=personas.officer_a,
            scope=scope_for(personas.officer_a, OFFICER_ROLES),
            all_or_nothing=True,
        )
        return report.errors[0].message

    exists_elsewhere = import_row(country.grassroots_b.code)
    missing = import_row("KHONG-CO")
    assert exists_elsewhere == MSG_UNIT_UNKNOWN.format(code=country.grassroots_b.code)
    assert missing == MSG_UNIT_UNKNOWN.format(code="KHONG-CO")


def test_an_out_of_scope_parent_reads_like_an_unknown_one(personas, country):
    def import_unit(parent: str) -> str:
        rows = [{"code": "MOI-1", "name": "Mới", "parent_code": parent, "kind": "grassroots"}]
        report = units_import(rows=numbered(rows), scope=scope_for(personas.officer_a), actor=None)
        return report.errors[0].message

    assert import_unit(country.province_b.code) == MSG_IMPORT_NO_PARENT.format(
        code=country.province_b.code
    )
    assert import_unit("KHONG-CO") == MSG_IMPORT_NO_PARENT.format(code="KHONG-CO")
